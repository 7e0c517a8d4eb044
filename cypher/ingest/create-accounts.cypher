// Creates the accounts a batch sees for the first time. MERGE, because a concurrent batch may have
// created the same account since find-accounts ran.
// Params: $accounts [{id, firstAt: int}] sorted by id (a fixed lock order avoids deadlocks).
// Returns: id, eid.
UNWIND $accounts AS acc
MERGE (a:Account {id: acc.id})
  ON CREATE SET a.firstSeenAt = acc.firstAt, a.createdAt = timestamp()
  ON MATCH SET a.firstSeenAt = CASE WHEN acc.firstAt < a.firstSeenAt THEN acc.firstAt ELSE a.firstSeenAt END
RETURN acc.id AS id, elementId(a) AS eid
