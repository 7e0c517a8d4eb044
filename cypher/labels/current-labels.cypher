// The label in force per account: the latest non-retracted event (by createdAt, then sequence:
// of two lines of one labels file the later one wins).
// Params: none. Returns: accountId, label, source, createdAt.
MATCH (l:Label)
WHERE l.retractedAt IS NULL
WITH l ORDER BY l.createdAt DESC, coalesce(l.seq, 0) DESC, l.id DESC
WITH l.accountId AS accountId, collect(l)[0] AS latest
RETURN accountId, latest.label AS label, latest.source AS source, latest.createdAt AS createdAt
