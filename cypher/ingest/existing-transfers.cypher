// Transfers already stored under any of the given tx_ids, to tell replays from conflicts.
// The index hint keeps the plan right on a fresh database, where the planner's statistics say the
// graph is empty and a cached scan plan would later cost a full scan per batch.
// Params: $txIds [string]. Returns: txId, from, to, amount, currency, at, channel.
UNWIND $txIds AS txId
MATCH (a:Account)-[t:TRANSFER {txId: txId}]->(b:Account)
USING INDEX t:TRANSFER(txId)
RETURN t.txId AS txId, a.id AS from, b.id AS to, t.amount AS amount, t.currency AS currency, t.at AS at, t.channel AS channel
