// Looks up a batch's accounts without locking them (plain index seeks), so the following statements
// can address them by element id and only lock what they change. One record of parallel lists, not
// one record per account: the driver decodes a few lists instead of thousands of records.
// Params: $ids [string] sorted, $firstAts [float: epoch ms, parallel to $ids].
// Returns: found [int: index into $ids], eids [string: elementId, valid inside this transaction only],
//          widen [boolean: the batch moves firstSeenAt back], parallel; ids not in found are missing.
UNWIND range(0, size($ids) - 1) AS i
MATCH (a:Account {id: $ids[i]})
USING INDEX SEEK a:Account(id)
RETURN collect(i) AS found, collect(elementId(a)) AS eids, collect(coalesce($firstAts[i] < a.firstSeenAt, false)) AS widen
