// The watch's records of some pairs (a page of a run's links: which of them the watch found first).
// Params: $keys [string] ("from>to"). Returns: successor (properties), one row per pair recorded.
UNWIND $keys AS key
MATCH (s:Successor {key: key})
RETURN properties(s) AS successor
