import crypto from 'node:crypto';
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { int, toNumber, toNumberOrNull } from '../convert.js';
import { cypher } from '../cypher.js';
import { optionalTx } from '../session.js';

export interface Webhook {
  id: string;
  url: string;
  description: string | null;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: number | null;
  createdAt: number;
  createdBy: string;
  /** The last version the receiver answered 2xx for (null: none; the next delivery carries every entry). */
  ackedVersion: number | null;
  ackedAt: number | null;
  paused: boolean;
  /** Redeliveries asked for so far: part of the delivery id, so a redelivery is not taken for an earlier delivery. */
  redeliveries: number;
  /** An operator's redelivery not yet acknowledged: its deliveries carry the -r<n> suffix. */
  redeliveryPending: boolean;
}

export interface WebhookDelivery {
  id: string;
  /** The X-Acctnet-Delivery header: names the change (from → to version), the same on every attempt. */
  deliveryId: string | null;
  webhookId: string;
  fromVersion: number | null;
  toVersion: number;
  attempt: number;
  at: number;
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
  mode: 'diff' | 'pull';
}

function toWebhook(p: Record<string, unknown>): Webhook {
  return {
    id: p.id as string,
    url: p.url as string,
    description: (p.description as string | null) ?? null,
    secret: p.secret as string,
    previousSecret: (p.previousSecret as string | null) ?? null,
    previousSecretExpiresAt: toNumberOrNull(p.previousSecretExpiresAt),
    createdAt: toNumber(p.createdAt),
    createdBy: p.createdBy as string,
    ackedVersion: toNumberOrNull(p.ackedVersion),
    ackedAt: toNumberOrNull(p.ackedAt),
    paused: p.paused === true,
    redeliveries: toNumberOrNull(p.redeliveries) ?? 0,
    // Webhooks redelivered before the flag existed: their suffix stays until the next acknowledgement.
    redeliveryPending: p.redeliveryPending === true || (p.redeliveryPending === undefined && (toNumberOrNull(p.redeliveries) ?? 0) > 0),
  };
}

/** Secrets currently valid for signing: the new one, and the previous one during rotation. */
export function signingSecrets(w: Webhook, now = Date.now()): string[] {
  return w.previousSecret && (w.previousSecretExpiresAt ?? 0) > now ? [w.secret, w.previousSecret] : [w.secret];
}

export function newSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64url')}`;
}

export function createWebhookRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = optionalTx(driver, cfg);
  type Tx = ManagedTransaction | undefined;
  const one = async (tx: Tx, name: string, params: Record<string, unknown>): Promise<Webhook | null> => {
    const r = (await write(tx, (t) => t.run(cypher(name), params))).records[0];
    return r ? toWebhook(r.get('webhook')) : null;
  };
  return {
    async create(w: { url: string; description: string | null; secret: string; createdBy: string }, tx?: Tx): Promise<Webhook> {
      const id = `wh_${crypto.randomBytes(6).toString('hex')}`;
      return (await one(tx, 'webhooks/create', { id, ...w, createdAt: int(Date.now()) }))!;
    },
    async delete(id: string, tx?: Tx): Promise<{ id: string; url: string } | null> {
      const r = (await write(tx, (t) => t.run(cypher('webhooks/delete'), { id }))).records[0];
      return r ? { id: r.get('id'), url: r.get('url') } : null;
    },
    /** Replaces the secret; the old one stays valid (deliveries carry both signatures) until previousExpiresAt. */
    async rotateSecret(id: string, secret: string, previousExpiresAt: number, tx?: Tx): Promise<Webhook | null> {
      return one(tx, 'webhooks/rotate-secret', { id, secret, previousExpiresAt: int(previousExpiresAt) });
    },
    async list(tx?: Tx): Promise<Webhook[]> {
      return (await read(tx, (t) => t.run(cypher('webhooks/list')))).records.map((r) => toWebhook(r.get('webhook')));
    },
    async get(id: string, tx?: Tx): Promise<Webhook | null> {
      const r = (await read(tx, (t) => t.run(cypher('webhooks/get'), { id }))).records[0];
      return r ? toWebhook(r.get('webhook')) : null;
    },
    /**
     * The receiver answered 2xx to the delivery from `from` up to `version`: moves the acknowledged
     * version only if it is still `from` (never back, never over a redeliver made meanwhile).
     */
    async acknowledge(id: string, from: number | null, version: number, tx?: Tx): Promise<void> {
      await write(tx, (t) =>
        t.run(cypher('webhooks/acknowledge'), { id, from: from === null ? null : int(from), version: int(version), at: int(Date.now()) }),
      );
    },
    /** Redeliver from `version` (null: every entry): the next delivery carries the diff from it. */
    async setAcked(id: string, version: number | null, tx?: Tx): Promise<Webhook | null> {
      return one(tx, 'webhooks/set-acked', { id, version: version === null ? null : int(version) });
    },
    async setPaused(id: string, paused: boolean, tx?: Tx): Promise<Webhook | null> {
      return one(tx, 'webhooks/set-paused', { id, paused });
    },
    async recordDelivery(d: Omit<WebhookDelivery, 'id'>, tx?: Tx): Promise<void> {
      await write(tx, (t) =>
        t.run(cypher('webhooks/record-delivery'), {
          ...d,
          id: `dlv_${d.at.toString(36)}_${crypto.randomBytes(4).toString('hex')}`,
          fromVersion: d.fromVersion === null ? null : int(d.fromVersion),
          toVersion: int(d.toVersion),
          attempt: int(d.attempt),
          at: int(d.at),
          httpStatus: d.httpStatus === null ? null : int(d.httpStatus),
          durationMs: int(d.durationMs),
        }),
      );
    },
    async deliveries(webhookId: string, limit: number, tx?: Tx): Promise<WebhookDelivery[]> {
      const r = await read(tx, (t) => t.run(cypher('webhooks/deliveries'), { webhookId, limit: int(limit) }));
      return r.records.map((x) => {
        const p = x.get('delivery') as Record<string, unknown>;
        return {
          id: p.id as string,
          deliveryId: (p.deliveryId as string | null) ?? null,
          webhookId: p.webhookId as string,
          fromVersion: toNumberOrNull(p.fromVersion),
          toVersion: toNumber(p.toVersion),
          attempt: toNumber(p.attempt),
          at: toNumber(p.at),
          ok: Boolean(p.ok),
          httpStatus: toNumberOrNull(p.httpStatus),
          error: (p.error as string | null) ?? null,
          durationMs: toNumber(p.durationMs),
          mode: p.mode as 'diff' | 'pull',
        };
      });
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
