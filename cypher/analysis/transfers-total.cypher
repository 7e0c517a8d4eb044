// Every stored transfer, from the count store (O(1)): how the load reads a window (src/runs/load.ts).
// Params: none. Returns: total.
MATCH ()-[t:TRANSFER]->()
RETURN count(t) AS total
