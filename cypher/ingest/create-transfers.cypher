// Creates transfers known to be new (their tx_ids were checked in the same transaction), addressing
// the accounts by element id to skip a second locking index seek per row.
// Params: $batchId, $transfers [{txId, fromEid, toEid, amount: int, currency, at: int, channel}].
// Returns: created (count).
UNWIND $transfers AS t
MATCH (a) WHERE elementId(a) = t.fromEid
MATCH (b) WHERE elementId(b) = t.toEid
CREATE (a)-[:TRANSFER {txId: t.txId, amount: t.amount, currency: t.currency, at: t.at, channel: t.channel, batchId: $batchId}]->(b)
RETURN count(*) AS created
