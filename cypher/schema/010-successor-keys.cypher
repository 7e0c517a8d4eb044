// Re-keys the watch's stored pairs whose account ids hold `\` or `>` to the escaped key
// (src/neo4j/repositories/successors.ts, successorKey): before 2026-12-06 the key was `from>to`
// unescaped, so (`a>b`, `c`) and (`a`, `b>c`) shared one. Idempotent (a pair already re-keyed keeps its
// key); pairs whose ids hold neither character are not touched. Runs at every start-up with the schema.
// Params: none. Returns: nothing.
MATCH (s:Successor)
WHERE s.from CONTAINS '>' OR s.from CONTAINS '\\' OR s.to CONTAINS '>' OR s.to CONTAINS '\\'
WITH s, replace(replace(s.from, '\\', '\\\\'), '>', '\\>') + '>' + replace(replace(s.to, '\\', '\\\\'), '>', '\\>') AS key
WHERE s.key <> key
SET s.key = key;
