// Degree (distinct receivers + distinct senders) in the window, for accounts the served run did not see.
// Params: $ids [string], $from: int, $to: int. Returns: id, degree.
UNWIND $ids AS id
MATCH (c:Account {id: id})
CALL (c) {
  OPTIONAL MATCH (c)-[t:TRANSFER]->(x:Account)
  WHERE t.at >= $from AND t.at <= $to
  RETURN count(DISTINCT x) AS outs
}
CALL (c) {
  OPTIONAL MATCH (c)<-[t:TRANSFER]-(x:Account)
  WHERE t.at >= $from AND t.at <= $to
  RETURN count(DISTINCT x) AS ins
}
RETURN id, outs + ins AS degree
