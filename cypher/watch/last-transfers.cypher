// Each predecessor's last transfer either way, its last outgoing transfer and the transfers it
// received after that one, up to the data time being evaluated (has it fallen silent, and when: a
// listed account that carried on after its listing falls at its last transfer; a blocked account
// that only receives a stray transfer or two has fallen at its last outgoing one — lastActiveAt in
// src/analysis/migration.ts).
// Params: $ids [string], $now: int. Returns: id, last, lastOut (null: none), inAfterOut.
// The window is tested on an alias of t.at: expanded from the account, never answered by the
// TRANSFER(at) index (docs/decisions.md, "Look-ups from an account: expand, never the at index").
UNWIND $ids AS id
MATCH (a:Account {id: id})
CALL (a) {
  MATCH (a)-[t:TRANSFER]->(:Account)
  WITH t.at AS at
  WHERE at <= $now
  RETURN max(at) AS lastOut
}
CALL (a, lastOut) {
  MATCH (a)<-[t:TRANSFER]-(:Account)
  WITH t.at AS at
  WHERE at <= $now
  RETURN max(at) AS lastIn, sum(CASE WHEN lastOut IS NULL OR at > lastOut THEN 1 ELSE 0 END) AS inAfterOut
}
RETURN id, CASE WHEN lastIn IS NULL OR (lastOut IS NOT NULL AND lastOut > lastIn) THEN lastOut ELSE lastIn END AS last,
       lastOut, inAfterOut
