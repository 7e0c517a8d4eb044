// Which of some ids are accounts (seen in a transfer), and when each was first seen.
// Params: $ids [string]. Returns: id, firstSeenAt.
UNWIND $ids AS id
MATCH (a:Account {id: id})
RETURN a.id AS id, a.firstSeenAt AS firstSeenAt
