// Every label event of some accounts, newest first per account (retracted ones included, marked).
// Params: $ids [string]. Returns: id, accountId, label, note, source, createdBy, createdAt,
//         retractedAt, retractedBy, retractReason.
UNWIND $ids AS accountId
MATCH (l:Label {accountId: accountId})
RETURN l.id AS id, l.accountId AS accountId, l.label AS label, l.note AS note, l.source AS source,
       l.createdBy AS createdBy, l.createdAt AS createdAt, l.retractedAt AS retractedAt,
       l.retractedBy AS retractedBy, l.retractReason AS retractReason
ORDER BY accountId, l.createdAt DESC, coalesce(l.seq, 0) DESC, l.id DESC
