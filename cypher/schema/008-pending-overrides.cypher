// Override requests waiting for a second person (ACCTNET_OVERRIDE_DUAL_CONTROL=exclude).
// openAccountId is set only while a request is pending: at most one open request per account,
// enforced by the database even when two requests race.
// Params: none. Returns: nothing.
CREATE CONSTRAINT pending_override_id IF NOT EXISTS FOR (p:PendingOverride) REQUIRE p.id IS UNIQUE;
CREATE CONSTRAINT pending_override_open IF NOT EXISTS FOR (p:PendingOverride) REQUIRE p.openAccountId IS UNIQUE;
CREATE INDEX pending_override_status IF NOT EXISTS FOR (p:PendingOverride) ON (p.status, p.requestedAt);
