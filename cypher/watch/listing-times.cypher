// When each account was listed: the data time (asOf) of the run behind the earliest stored version
// holding it, or that version's generation time when no run is known.
// Params: $ids [string]. Returns: id, at.
UNWIND $ids AS id
MATCH (e:BlacklistEntry {accountId: id})
WITH id, min(e.version) AS first
MATCH (v:BlacklistVersion {version: first})
OPTIONAL MATCH (r:Run {id: v.runId})
RETURN id, coalesce(r.asOf, v.generatedAt) AS at
