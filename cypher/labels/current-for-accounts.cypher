// The label in force for each of the given accounts (accounts without one are left out): the
// latest non-retracted event, by createdAt then sequence (later line of a file wins).
// Params: $ids [string]. Returns: accountId, label, note, labelId.
UNWIND $ids AS id
MATCH (l:Label {accountId: id})
WHERE l.retractedAt IS NULL
WITH id, l ORDER BY l.createdAt DESC, coalesce(l.seq, 0) DESC, l.id DESC
WITH id, collect(l)[0] AS latest
RETURN id AS accountId, latest.label AS label, latest.note AS note, latest.id AS labelId
