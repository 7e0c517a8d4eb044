// Of some account ids, those acctnet has never seen in a transfer (no Account node): a label on one
// is kept (it applies when the account appears), and `labels import` says how many — often a typo.
// Params: $ids [string]. Returns: id per unknown account.
UNWIND $ids AS id
OPTIONAL MATCH (a:Account {id: id})
WITH id, a
WHERE a IS NULL
RETURN id
