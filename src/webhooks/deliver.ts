// Push by acknowledged version. Each webhook keeps the last version its receiver acknowledged (2xx);
// a drain delivers, under that webhook's lock, the diff from it to the served version (or a pull
// link when it is large, or the full-list link when its base version is gone), and loops while the
// served version is ahead. A failed attempt throws: the queue retries with backoff, and the retry
// carries the newest diff — so retries coalesce, and a receiver never gets an older diff after a
// newer one. Signed; every attempt logged.
import type { Redis } from 'ioredis';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { createWebhookRepository, signingSecrets, type Webhook } from '../neo4j/repositories/webhooks.js';
import { LockTimeout, withRedisLock } from '../redis/lock.js';
import { guardedLookup, targetPolicy, WebhookTargetDenied, type TargetPolicy } from './target-policy.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signatureHeader, TIMESTAMP_HEADER, VERSION_HEADER } from './signature.js';

export class DeliveryError extends Error {}

export interface DrainDeps {
  config: Config;
  driver: Driver;
  redis: Redis;
}

export type DrainResult =
  | { outcome: 'caught-up'; deliveries: Array<{ fromVersion: number | null; toVersion: number; mode: DeliveryMode }> }
  | { outcome: 'skipped'; reason: string };

export type DeliveryMode = 'diff' | 'pull';

/**
 * The X-Acctnet-Delivery header: names the change, so it is the same on every attempt of it; a
 * redelivery (the operator's) of the same change gets its own (`-r<n>`).
 */
export const deliveryId = (webhookId: string, from: number | null, to: number, redeliveries = 0) =>
  `${webhookId}-v${from ?? 0}-v${to}${redeliveries > 0 ? `-r${redeliveries}` : ''}`;

/** A delivery's id: with the -r<n> suffix only while an operator's redelivery waits for its acknowledgement. */
export const deliveryIdFor = (webhook: Pick<Webhook, 'id' | 'redeliveries' | 'redeliveryPending'>, from: number | null, to: number) =>
  deliveryId(webhook.id, from, to, webhook.redeliveryPending ? webhook.redeliveries : 0);

/**
 * Delivers until the webhook's receiver has acknowledged the served version (or the webhook is
 * paused or gone). When another drain of this webhook holds its lock, returns at once: that drain
 * re-reads the served version after releasing the lock, so nothing is left behind. `waitMs`: wait
 * that long for the lock instead (an operator's drain, which must not hang on a retry that may fail).
 */
export async function drainWebhook(deps: DrainDeps, webhookId: string, attempt: number, waitMs = 0): Promise<DrainResult> {
  const { config, driver } = deps;
  const webhooks = createWebhookRepository(driver, config.neo4j);
  const blacklist = createBlacklistRepository(driver, config.neo4j);
  const behind = async (): Promise<{ webhook: Webhook; served: number } | string> => {
    const webhook = await webhooks.get(webhookId);
    if (!webhook) return 'webhook deleted';
    if (webhook.paused) return 'webhook paused';
    const served = (await blacklist.state()).servedVersion;
    if (served === null || (webhook.ackedVersion ?? 0) >= served) return 'caught up';
    return { webhook, served };
  };
  const deliveries: Array<{ fromVersion: number | null; toVersion: number; mode: DeliveryMode }> = [];
  for (;;) {
    const held = await withRedisLock(
      deps.redis,
      `${config.queue.prefix}:lock:webhook:${webhookId}`,
      async (lease) => {
        for (;;) {
          const next = await behind();
          if (typeof next === 'string') return next;
          if (lease.lost) return 'lease lost';
          deliveries.push(await deliverOnce(deps, next.webhook, next.served, attempt));
        }
      },
      { ttlMs: config.webhooks.timeoutMs + 30_000, waitMs },
    ).catch((err: unknown) => {
      if (err instanceof LockTimeout) return 'busy' as const;
      throw err;
    });
    if (held === 'busy') return { outcome: 'skipped', reason: 'another drain of this webhook is running' };
    if (held !== 'caught up') return deliveries.length ? { outcome: 'caught-up', deliveries } : { outcome: 'skipped', reason: held };
    // A publication between our last look and the release found the lock taken: look again.
    if (typeof (await behind()) === 'string') return { outcome: 'caught-up', deliveries };
  }
}

/**
 * POSTs a delivery and answers the receiver's status. No redirects are followed (a 3xx is not an
 * acknowledgement). The target address is checked where the socket is opened: a literal address
 * here, a host name in the lookup the connection uses.
 */
export async function postToReceiver(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  policy: TargetPolicy,
): Promise<number> {
  const target = new URL(url);
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal)) {
    const why = policy.denied(literal);
    if (why) throw new WebhookTargetDenied(why);
  }
  const send = target.protocol === 'https:' ? https.request : http.request;
  return new Promise<number>((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(policy),
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', (err) => {
      const cause = (err as Error & { cause?: unknown }).cause;
      reject(cause instanceof WebhookTargetDenied ? cause : err);
    });
    req.end(body);
  });
}

/** One signed POST of the change from the receiver's acknowledged version to `served`. */
async function deliverOnce(
  deps: DrainDeps,
  webhook: Webhook,
  served: number,
  attempt: number,
): Promise<{ fromVersion: number | null; toVersion: number; mode: DeliveryMode }> {
  const { config, driver } = deps;
  const webhooks = createWebhookRepository(driver, config.neo4j);
  const blacklist = createBlacklistRepository(driver, config.neo4j);
  const from = webhook.ackedVersion;
  const base = config.http.publicUrl.replace(/\/$/, '');
  let diff = await blacklist.diff(from, served);
  if (diff && diff.added === null && diff.addedCount + diff.removedCount <= config.webhooks.maxDiff)
    diff = await blacklist.diff(from, served, { full: true });
  let payload: Record<string, unknown>;
  let mode: DeliveryMode = 'pull';
  if (!diff) {
    // The acknowledged version was deleted (retention): the receiver replaces its list.
    payload = { fromVersion: from, toVersion: served, pull: `${base}/v1/blacklist`, full: true };
  } else if (diff.addedCount + diff.removedCount > config.webhooks.maxDiff) {
    payload = {
      fromVersion: from,
      toVersion: served,
      pull: `${base}/v1/blacklist?since=${from ?? 0}`,
      addedCount: diff.addedCount,
      removedCount: diff.removedCount,
    };
  } else {
    mode = 'diff';
    payload = { fromVersion: from, toVersion: served, added: diff.added, removed: diff.removed };
  }
  const rawBody = JSON.stringify(payload);
  const timestamp = Math.floor(Date.now() / 1000);
  const id = deliveryIdFor(webhook, from, served);
  const started = Date.now();
  let status: number | null = null;
  let error: string | null = null;
  try {
    status = await postToReceiver(
      webhook.url,
      {
        'content-type': 'application/json',
        'user-agent': 'acctnet-webhooks',
        [SIGNATURE_HEADER]: signatureHeader(signingSecrets(webhook), timestamp, rawBody),
        [TIMESTAMP_HEADER]: String(timestamp),
        [VERSION_HEADER]: String(served),
        [DELIVERY_HEADER]: id,
      },
      rawBody,
      config.webhooks.timeoutMs,
      targetPolicy(config.webhooks.allowTargets),
    );
    if (status < 200 || status > 299) error = `receiver answered ${status}`;
  } catch (err) {
    error =
      err instanceof WebhookTargetDenied
        ? `refused: ${err.message}`
        : (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError'
          ? `no answer within ${config.webhooks.timeoutMs} ms`
          : `request failed: ${(err as Error).message}`;
  }
  if (error === null) await webhooks.acknowledge(webhook.id, from, served);
  await webhooks.recordDelivery({
    deliveryId: id,
    webhookId: webhook.id,
    fromVersion: from,
    toVersion: served,
    attempt,
    at: started,
    ok: error === null,
    httpStatus: status,
    error,
    durationMs: Date.now() - started,
    mode,
  });
  if (error) throw new DeliveryError(error);
  return { fromVersion: from, toVersion: served, mode };
}
