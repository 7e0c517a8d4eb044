// Appends label events, skipping one identical to the account's current label (a re-imported file).
// Params: $labels [{id, accountId, label, note, source, createdBy, createdAt: int}].
// Returns: one row per created label: id, accountId, label, note, source, createdBy, createdAt.
UNWIND $labels AS x
OPTIONAL MATCH (cur:Label {accountId: x.accountId})
WHERE cur.retractedAt IS NULL
WITH x, cur ORDER BY cur.createdAt DESC, cur.id DESC
WITH x, collect(cur)[0] AS latest
WITH x WHERE latest IS NULL OR latest.label <> x.label OR coalesce(latest.note, '') <> coalesce(x.note, '')
CREATE (l:Label {id: x.id, accountId: x.accountId, label: x.label, note: x.note, source: x.source,
                 createdBy: x.createdBy, createdAt: x.createdAt})
RETURN l.id AS id, l.accountId AS accountId, l.label AS label, l.note AS note, l.source AS source,
       l.createdBy AS createdBy, l.createdAt AS createdAt
