// Creates transfers known to be new (their tx_ids were checked in the same transaction), addressing
// the accounts by element id: no second, locking index seek per account (a unique-index seek in a
// writing query takes a lock per row). The rows come as parallel lists, not one map per row: the
// driver packs and Neo4j unpacks 8 lists instead of 5,000 maps with 7 keys each. Amounts and times
// arrive as floats holding exact integers (below 2^53, checked at validation), stored as integers.
// Params: $batchId, $txIds, $fromEids, $toEids, $currencies [string], $amounts, $ats [float],
//         $channels [string|null], all parallel. Returns: created (count).
UNWIND range(0, size($txIds) - 1) AS i
MATCH (a) WHERE elementId(a) = $fromEids[i]
MATCH (b) WHERE elementId(b) = $toEids[i]
CREATE (a)-[:TRANSFER {txId: $txIds[i], amount: toInteger($amounts[i]), currency: $currencies[i], at: toInteger($ats[i]),
                       channel: $channels[i], batchId: $batchId}]->(b)
RETURN count(*) AS created
