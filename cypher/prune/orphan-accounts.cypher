// Deletes accounts left without any transfer, label or override (after old transfers were pruned).
// Params: none. Returns: nothing.
MATCH (a:Account)
WHERE NOT (a)-[:TRANSFER]-()
  AND NOT EXISTS { MATCH (l:Label {accountId: a.id}) }
  AND NOT EXISTS { MATCH (o:Override {accountId: a.id}) }
CALL (a) { DETACH DELETE a } IN TRANSACTIONS OF 10000 ROWS
