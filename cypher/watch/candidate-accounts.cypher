// Successor candidates seen at ingest: first seen, relations in the window (with first/last/count
// per direction), activity before and in the recent weeks, outgoing transfers for the profile.
// Params: $ids [string], $from: int, $to: int, $recentFrom: int.
// Returns: id, firstSeenAt, relations [{id, dir: 'out'|'in', first, last, n}], recent, earlier,
//          sent [{at, amount, currency, channel}].
UNWIND $ids AS id
MATCH (s:Account {id: id})
CALL (s) {
  OPTIONAL MATCH (s)-[t:TRANSFER]->(c:Account)
  WHERE t.at >= $from AND t.at <= $to
  WITH c, min(t.at) AS first, max(t.at) AS last, count(t) AS n
  WHERE c IS NOT NULL
  RETURN collect({id: c.id, dir: 'out', first: first, last: last, n: n}) AS outs
}
CALL (s) {
  OPTIONAL MATCH (s)<-[t:TRANSFER]-(c:Account)
  WHERE t.at >= $from AND t.at <= $to
  WITH c, min(t.at) AS first, max(t.at) AS last, count(t) AS n
  WHERE c IS NOT NULL
  RETURN collect({id: c.id, dir: 'in', first: first, last: last, n: n}) AS ins
}
CALL (s) {
  OPTIONAL MATCH (s)-[t:TRANSFER]-(:Account)
  WHERE t.at >= $from AND t.at <= $to
  RETURN sum(CASE WHEN t.at >= $recentFrom THEN 1 ELSE 0 END) AS recent,
         sum(CASE WHEN t.at < $recentFrom THEN 1 ELSE 0 END) AS earlier
}
CALL (s) {
  OPTIONAL MATCH (s)-[t:TRANSFER]->(:Account)
  WHERE t.at >= $from AND t.at <= $to
  WITH t WHERE t IS NOT NULL
  RETURN collect({at: t.at, amount: t.amount, currency: t.currency, channel: t.channel}) AS sent
}
RETURN id, s.firstSeenAt AS firstSeenAt, outs + ins AS relations, recent, earlier, sent
