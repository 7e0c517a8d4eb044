// Every account with its internal id (the transfer query returns internal ids: integers cost the
// driver far less than strings) and when it was first seen, as parallel lists in one record per
// block of 10,000 internal ids: the driver's cost is per record (98k accounts: 0.6–1.2 s as one
// record each, 0.3–0.4 s so). collect() drops nulls, which would misalign the lists: an account
// without an id is left out here (the load never used one), an unknown first-seen time is false.
// Params: none. Returns: nids [int], ids [string], firstSeenAts [int|false] — of one length per record.
MATCH (a:Account)
WHERE a.id IS NOT NULL
WITH id(a) AS nid, a.id AS id, coalesce(a.firstSeenAt, false) AS firstSeenAt
WITH nid / 10000 AS block, collect(nid) AS nids, collect(id) AS ids, collect(firstSeenAt) AS firstSeenAts
RETURN nids, ids, firstSeenAts
