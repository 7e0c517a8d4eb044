// Whether an account is on a run's review list (src/analysis/fusion.ts: model-only evidence).
// Params: $runId, $id. Returns: review (boolean) — no row when the run has no result for the account.
MATCH (a:AccountResult {runId: $runId, accountId: $id})
RETURN coalesce(a.review, false) AS review
