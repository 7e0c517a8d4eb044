// Each predecessor's last transfer, either way, up to the data time being evaluated (has it fallen
// silent, and when: a listed account that carried on after its listing falls at its last transfer).
// Params: $ids [string], $now: int. Returns: id, last (null: none).
UNWIND $ids AS id
MATCH (a:Account {id: id})
CALL (a) {
  OPTIONAL MATCH (a)-[t:TRANSFER]-(:Account)
  WHERE t.at <= $now
  RETURN max(t.at) AS last
}
RETURN id, last
