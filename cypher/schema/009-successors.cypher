// Successors found by the watch at ingest (provisional migrations), one node per pair.
// Params: none. Returns: nothing.
CREATE CONSTRAINT successor_key IF NOT EXISTS FOR (s:Successor) REQUIRE s.key IS UNIQUE;
CREATE INDEX successor_status IF NOT EXISTS FOR (s:Successor) ON (s.status);
CREATE INDEX successor_to IF NOT EXISTS FOR (s:Successor) ON (s.to);
CREATE INDEX successor_from IF NOT EXISTS FOR (s:Successor) ON (s.from);
