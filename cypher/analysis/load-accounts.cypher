// Every account with its internal id (the transfer query returns internal ids: integers cost the
// driver far less than strings) and when it was first seen.
// Params: none. Returns: nid, id, firstSeenAt.
MATCH (a:Account)
RETURN id(a) AS nid, a.id AS id, a.firstSeenAt AS firstSeenAt
