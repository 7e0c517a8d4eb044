// Degree (distinct receivers + distinct senders) in the window, for accounts the served run did not see.
// Params: $ids [string], $from: int, $to: int. Returns: id, degree.
// The window is tested on an alias of t.at: expanded from the account, never answered by the
// TRANSFER(at) index (docs/decisions.md, "Look-ups from an account: expand, never the at index").
UNWIND $ids AS id
MATCH (c:Account {id: id})
CALL (c) {
  MATCH (c)-[t:TRANSFER]->(x:Account)
  WITH x, t.at AS at
  WHERE at >= $from AND at <= $to
  RETURN count(DISTINCT x) AS outs
}
CALL (c) {
  MATCH (c)<-[t:TRANSFER]-(x:Account)
  WITH x, t.at AS at
  WHERE at >= $from AND at <= $to
  RETURN count(DISTINCT x) AS ins
}
RETURN id, outs + ins AS degree
