// Accounts by internal id: those the transfers of a load refer to but the load's accounts read did
// not return (created in between; see src/runs/load.ts).
// Params: $nids [int]. Returns: nid, id, firstSeenAt.
MATCH (a:Account)
WHERE id(a) IN $nids
RETURN id(a) AS nid, a.id AS id, a.firstSeenAt AS firstSeenAt
