// Accounts and transfers. Applied at start-up by src/neo4j/schema.ts; every statement is idempotent.
// Params: none. Returns: nothing.
CREATE CONSTRAINT account_id IF NOT EXISTS FOR (a:Account) REQUIRE a.id IS UNIQUE;
// tx_id is the idempotency key of ingest: a relationship uniqueness constraint (Neo4j >= 5.7).
CREATE CONSTRAINT transfer_tx_id IF NOT EXISTS FOR ()-[t:TRANSFER]-() REQUIRE t.txId IS UNIQUE;
// The analysis loads a time window of transfers.
CREATE INDEX transfer_at IF NOT EXISTS FOR ()-[t:TRANSFER]-() ON (t.at);
