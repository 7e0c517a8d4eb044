// Blacklist versions (immutable once written), their entries and pre-rendered bodies, overrides.
// Params: none. Returns: nothing.
CREATE CONSTRAINT blacklist_version IF NOT EXISTS FOR (v:BlacklistVersion) REQUIRE v.version IS UNIQUE;
CREATE INDEX blacklist_entry_version_account IF NOT EXISTS FOR (e:BlacklistEntry) ON (e.version, e.accountId);
CREATE INDEX blacklist_entry_account IF NOT EXISTS FOR (e:BlacklistEntry) ON (e.accountId);
CREATE INDEX blacklist_entry_version_cluster IF NOT EXISTS FOR (e:BlacklistEntry) ON (e.version, e.clusterId);
CREATE INDEX blacklist_chunk_version IF NOT EXISTS FOR (c:BlacklistChunk) ON (c.version, c.format, c.seq);
CREATE CONSTRAINT blacklist_state_id IF NOT EXISTS FOR (s:BlacklistState) REQUIRE s.id IS UNIQUE;
CREATE CONSTRAINT override_account IF NOT EXISTS FOR (o:Override) REQUIRE o.accountId IS UNIQUE;
CREATE CONSTRAINT blacklist_diff_key IF NOT EXISTS FOR (d:BlacklistDiff) REQUIRE d.key IS UNIQUE;
