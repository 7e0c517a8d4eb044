// Accounts whose id starts with a prefix, in id order, paged.
// Params: $prefix, $after, $limit: int. Returns: id, firstSeenAt.
MATCH (a:Account)
WHERE a.id STARTS WITH $prefix AND a.id > $after
RETURN a.id AS id, a.firstSeenAt AS firstSeenAt
ORDER BY a.id
LIMIT $limit
