// Moves firstSeenAt back when a batch holds older transfers than any seen before (a back-fill).
// min() is idempotent, so a replayed batch cannot skew it. In chronological ingest this writes nothing.
// Params: $accounts [{eid, firstAt: int}] sorted by account id. Returns: nothing.
UNWIND $accounts AS acc
MATCH (a) WHERE elementId(a) = acc.eid
WITH a, acc WHERE acc.firstAt < a.firstSeenAt
SET a.firstSeenAt = acc.firstAt
