// Each predecessor's last transfer, either way, up to the data time being evaluated (has it fallen
// silent, and when: a listed account that carried on after its listing falls at its last transfer).
// Params: $ids [string], $now: int. Returns: id, last (null: none).
// The window is tested on an alias of t.at: expanded from the account, never answered by the
// TRANSFER(at) index (docs/decisions.md, "Look-ups from an account: expand, never the at index").
// The account is found by an index seek (hint): on a store whose statistics are the empty store's, the
// planner chose a scan of the Account index (test/neo4j/plans.integration.test.ts).
UNWIND $ids AS id
MATCH (a:Account {id: id})
USING INDEX SEEK a:Account(id)
CALL (a) {
  MATCH (a)-[t:TRANSFER]-(:Account)
  WITH t.at AS at
  WHERE at <= $now
  RETURN max(at) AS last
}
RETURN id, last
