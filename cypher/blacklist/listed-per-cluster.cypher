// How many members of each of the given clusters are on a version of the list.
// Params: $version: int, $clusterIds [string]. Returns: clusterId, listed.
MATCH (e:BlacklistEntry {version: $version})
WHERE e.clusterId IN $clusterIds
RETURN e.clusterId AS clusterId, count(e) AS listed
