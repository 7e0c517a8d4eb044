// Pairs an investigator rejected (POST /v1/migrations/reject): never raised again, by the watch or
// by a run (src/analysis/migration.ts, detectMigrations's `rejected`). Investigators' decisions: few.
// Params: none. Returns: from, to.
MATCH (s:Successor {status: 'rejected'})
RETURN s.from AS from, s.to AS to
