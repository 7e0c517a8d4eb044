// API keys (stored as SHA-256 of the key), the audit log, webhooks and their delivery log.
// Params: none. Returns: nothing.
CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE;
CREATE CONSTRAINT api_key_hash IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.hash IS UNIQUE;
CREATE CONSTRAINT audit_id IF NOT EXISTS FOR (a:AuditEntry) REQUIRE a.id IS UNIQUE;
CREATE INDEX audit_at IF NOT EXISTS FOR (a:AuditEntry) ON (a.at);
CREATE INDEX audit_actor IF NOT EXISTS FOR (a:AuditEntry) ON (a.actorKeyId, a.at);
CREATE CONSTRAINT webhook_id IF NOT EXISTS FOR (w:Webhook) REQUIRE w.id IS UNIQUE;
CREATE INDEX webhook_delivery IF NOT EXISTS FOR (d:WebhookDelivery) ON (d.webhookId, d.at);
