// Recompute runs and their results. Results are per run; (:AnalysisState {id:'current'}) names the
// run the API serves, switched atomically when a run completes. Params: none. Returns: nothing.
CREATE CONSTRAINT run_id IF NOT EXISTS FOR (r:Run) REQUIRE r.id IS UNIQUE;
CREATE INDEX run_seq IF NOT EXISTS FOR (r:Run) ON (r.seq);
CREATE CONSTRAINT sequence_name IF NOT EXISTS FOR (s:Sequence) REQUIRE s.name IS UNIQUE;
CREATE CONSTRAINT analysis_state_id IF NOT EXISTS FOR (s:AnalysisState) REQUIRE s.id IS UNIQUE;
CREATE INDEX account_result_run_account IF NOT EXISTS FOR (r:AccountResult) ON (r.runId, r.accountId);
CREATE INDEX cluster_result_run_cluster IF NOT EXISTS FOR (c:ClusterResult) ON (c.runId, c.clusterId);
CREATE INDEX cluster_result_cluster IF NOT EXISTS FOR (c:ClusterResult) ON (c.clusterId);
CREATE INDEX migrated_to_run IF NOT EXISTS FOR ()-[m:MIGRATED_TO]-() ON (m.runId);
// Indexes written per account per run cost more than they save: members come from ClusterResult.members.
DROP INDEX account_result_run_cluster IF EXISTS;
DROP INDEX cluster_result_run_score IF EXISTS;
