// Transfers already stored under any of the given tx_ids, to tell replays from conflicts.
// The index hint keeps the plan right on a fresh database, where the planner's statistics say the
// graph is empty and a cached scan plan would later cost a full scan per batch. SEEK, not a plain
// INDEX hint: with that, at ~20,000 transfers and index statistics sampled empty, the planner met the
// hint with a full index scan per looked-up txId (test/ingest/plans.integration.test.ts).
// Params: $txIds [string]. Returns: txId, from, to, amount, currency, at, channel.
UNWIND $txIds AS txId
MATCH (a:Account)-[t:TRANSFER {txId: txId}]->(b:Account)
USING INDEX SEEK t:TRANSFER(txId)
RETURN t.txId AS txId, a.id AS from, b.id AS to, t.amount AS amount, t.currency AS currency, t.at AS at, t.channel AS channel
