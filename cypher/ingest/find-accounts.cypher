// Looks up a batch's accounts without locking them (plain index seeks), so the following statements
// can address them by element id and only lock what they change.
// Params: $ids [string]. Returns: id, eid (elementId, valid inside this transaction only), firstSeenAt.
UNWIND $ids AS id
MATCH (a:Account {id: id})
USING INDEX a:Account(id)
RETURN id, elementId(a) AS eid, a.firstSeenAt AS firstSeenAt
