// When each account made or received its first transfer ever (for telling new accounts from old).
// Params: $ids [string]. Returns: id, firstSeenAt.
UNWIND $ids AS id
MATCH (a:Account {id: id})
RETURN id, a.firstSeenAt AS firstSeenAt
