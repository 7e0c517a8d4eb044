// Accounts and transfers in the graph (count store): what a bulk back-fill checks after its import.
// Params: none. Returns: accounts, transfers.
OPTIONAL MATCH (a:Account)
WITH count(a) AS accounts
OPTIONAL MATCH ()-[t:TRANSFER]->()
RETURN accounts, count(t) AS transfers
