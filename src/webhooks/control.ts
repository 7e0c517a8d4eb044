// Operator controls of a webhook, shared by the API and the CLI: pause, resume, and "redeliver from
// version N". Each is audited in the same transaction; resume and redeliver ask for a drain.
import { notifyWebhooks, type PublishDeps } from '../blacklist/publish.js';
import { Conflict, NotFound } from '../errors.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { appendAudit, type Actor, type AuditEntry, type RequestRef } from '../neo4j/repositories/audit.js';
import { createWebhookRepository, type Webhook } from '../neo4j/repositories/webhooks.js';
import { txRunner } from '../neo4j/session.js';

export type WebhookControl = { action: 'pause' } | { action: 'resume' } | { action: 'redeliver'; fromVersion: number };

export async function controlWebhook(
  deps: PublishDeps,
  actor: Actor,
  webhookId: string,
  control: WebhookControl,
  requestId: RequestRef = null,
): Promise<{ webhook: Webhook; audit: AuditEntry }> {
  const webhooks = createWebhookRepository(deps.driver, deps.config.neo4j);
  if (control.action === 'redeliver' && control.fromVersion > 0) {
    const served = (await createBlacklistRepository(deps.driver, deps.config.neo4j).state()).servedVersion;
    if (served === null || control.fromVersion > served)
      throw new Conflict(`fromVersion ${control.fromVersion} is newer than the served version ${served ?? '(none)'}`);
  }
  const r = await txRunner(deps.driver, deps.config.neo4j).write(async (tx) => {
    const webhook =
      control.action === 'redeliver'
        ? await webhooks.setAcked(webhookId, control.fromVersion === 0 ? null : control.fromVersion, tx)
        : await webhooks.setPaused(webhookId, control.action === 'pause', tx);
    if (!webhook) return null;
    const details = control.action === 'redeliver' ? { fromVersion: control.fromVersion } : {};
    return { webhook, audit: await appendAudit(tx, actor, `webhook.${control.action}`, `webhook:${webhook.id}`, details, requestId) };
  });
  if (!r) throw new NotFound(`no webhook ${webhookId}`);
  if (!r.webhook.paused) await notifyWebhooks(deps, { operator: [r.webhook.id] });
  return r;
}
