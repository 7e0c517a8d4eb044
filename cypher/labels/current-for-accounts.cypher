// The label in force for each of the given accounts (accounts without one are left out).
// Params: $ids [string]. Returns: accountId, label, labelId.
UNWIND $ids AS id
MATCH (l:Label {accountId: id})
WHERE l.retractedAt IS NULL
WITH id, l ORDER BY l.createdAt DESC, l.id DESC
WITH id, collect(l)[0] AS latest
RETURN id AS accountId, latest.label AS label, latest.id AS labelId
