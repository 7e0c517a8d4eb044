// What the graph holds, label by label (counts come from the count store): a bulk back-fill replaces
// the whole database and refuses unless this is empty.
// Params: none. Returns: label, nodes.
CALL db.labels() YIELD label
CALL (label) { MATCH (n:$(label)) RETURN count(n) AS nodes }
WITH label, nodes WHERE nodes > 0
RETURN label, nodes
ORDER BY nodes DESC, label
