// Retracts a label event (kept, marked): the account's label in force falls back to the latest
// non-retracted one.
// Params: $id, $at: int, $by, $reason. Returns: the label's fields; no row if there is no such label.
MATCH (l:Label {id: $id})
SET l.retractedAt = coalesce(l.retractedAt, $at), l.retractedBy = coalesce(l.retractedBy, $by),
    l.retractReason = coalesce(l.retractReason, $reason)
RETURN l.id AS id, l.accountId AS accountId, l.label AS label, l.note AS note, l.source AS source,
       l.createdBy AS createdBy, l.createdAt AS createdAt, l.retractedAt AS retractedAt,
       l.retractedBy AS retractedBy, l.retractReason AS retractReason
