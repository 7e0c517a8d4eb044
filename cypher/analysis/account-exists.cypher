// Whether an account was ever seen, and when first.
// Params: $id. Returns: id, firstSeenAt.
MATCH (a:Account {id: $id})
RETURN a.id AS id, a.firstSeenAt AS firstSeenAt
