// Delivers one published version to one webhook: the diff against the version served before, or
// a pull link when the diff is large; signed; every attempt logged.
import { diffBlacklists } from '../analysis/blacklist.js';
import type { Config } from '../config/index.js';
import type { Driver } from 'neo4j-driver';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { createWebhookRepository, signingSecrets } from '../neo4j/repositories/webhooks.js';
import type { WebhookJobData } from '../queue/webhook-queue.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signatureHeader, TIMESTAMP_HEADER, VERSION_HEADER } from './signature.js';

export class DeliveryError extends Error {}

export async function deliverWebhook(
  deps: { config: Config; driver: Driver },
  job: WebhookJobData,
  attempt: number,
  deliveryId: string,
): Promise<{ status: number; mode: 'diff' | 'pull' } | { skipped: string }> {
  const { config, driver } = deps;
  const webhooks = createWebhookRepository(driver, config.neo4j);
  const webhook = await webhooks.get(job.webhookId);
  if (!webhook) return { skipped: 'webhook deleted' };
  const blacklist = createBlacklistRepository(driver, config.neo4j);
  const to = await blacklist.entries(job.toVersion);
  const from = job.fromVersion === null ? [] : await blacklist.entries(job.fromVersion);
  const diff = diffBlacklists(from, to);
  const large = diff.added.length + diff.removed.length > config.webhooks.maxDiff;
  const mode: 'diff' | 'pull' = large ? 'pull' : 'diff';
  const payload = large
    ? {
        fromVersion: job.fromVersion,
        toVersion: job.toVersion,
        pull: `${config.http.publicUrl.replace(/\/$/, '')}/v1/blacklist?since=${job.fromVersion ?? 0}`,
        addedCount: diff.added.length,
        removedCount: diff.removed.length,
      }
    : { fromVersion: job.fromVersion, toVersion: job.toVersion, added: diff.added, removed: diff.removed };
  const rawBody = JSON.stringify(payload);
  const timestamp = Math.floor(Date.now() / 1000);
  const started = Date.now();
  let status: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'acctnet-webhooks',
        [SIGNATURE_HEADER]: signatureHeader(signingSecrets(webhook), timestamp, rawBody),
        [TIMESTAMP_HEADER]: String(timestamp),
        [VERSION_HEADER]: String(job.toVersion),
        [DELIVERY_HEADER]: deliveryId,
      },
      body: rawBody,
      signal: AbortSignal.timeout(config.webhooks.timeoutMs),
      redirect: 'error',
    });
    status = res.status;
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) error = `receiver answered ${res.status}`;
  } catch (err) {
    error =
      (err as Error).name === 'TimeoutError'
        ? `no answer within ${config.webhooks.timeoutMs} ms`
        : `request failed: ${(err as Error).message}`;
  }
  await webhooks.recordDelivery({
    webhookId: webhook.id,
    fromVersion: job.fromVersion,
    toVersion: job.toVersion,
    attempt,
    at: started,
    ok: error === null,
    httpStatus: status,
    error,
    durationMs: Date.now() - started,
    mode,
  });
  if (error) throw new DeliveryError(error);
  return { status: status!, mode };
}
