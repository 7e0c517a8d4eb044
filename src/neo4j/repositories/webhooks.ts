import crypto from 'node:crypto';
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { int, toNumber, toNumberOrNull } from '../convert.js';
import { cypher } from '../cypher.js';
import { txRunner } from '../session.js';

export interface Webhook {
  id: string;
  url: string;
  description: string | null;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: number | null;
  createdAt: number;
  createdBy: string;
}

export interface WebhookDelivery {
  id: string;
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
  };
}

/** Secrets currently valid for signing: the new one, and the previous one during rotation. */
export function signingSecrets(w: Webhook, now = Date.now()): string[] {
  return w.previousSecret && (w.previousSecretExpiresAt ?? 0) > now ? [w.secret, w.previousSecret] : [w.secret];
}

export function newSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64url')}`;
}

export async function createWebhook(
  tx: ManagedTransaction,
  w: { url: string; description: string | null; secret: string; createdBy: string },
): Promise<Webhook> {
  const id = `wh_${crypto.randomBytes(6).toString('hex')}`;
  const r = await tx.run(cypher('webhooks/create'), { id, ...w, createdAt: int(Date.now()) });
  return toWebhook(r.records[0]!.get('webhook'));
}

export async function deleteWebhook(tx: ManagedTransaction, id: string): Promise<{ id: string; url: string } | null> {
  const r = (await tx.run(cypher('webhooks/delete'), { id })).records[0];
  return r ? { id: r.get('id'), url: r.get('url') } : null;
}

export async function rotateWebhookSecret(
  tx: ManagedTransaction,
  id: string,
  secret: string,
  previousExpiresAt: number,
): Promise<Webhook | null> {
  const r = (await tx.run(cypher('webhooks/rotate-secret'), { id, secret, previousExpiresAt: int(previousExpiresAt) })).records[0];
  return r ? toWebhook(r.get('webhook')) : null;
}

export function createWebhookRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = txRunner(driver, cfg);
  return {
    async list(): Promise<Webhook[]> {
      return (await read((tx) => tx.run(cypher('webhooks/list')))).records.map((r) => toWebhook(r.get('webhook')));
    },
    async get(id: string): Promise<Webhook | null> {
      const r = (await read((tx) => tx.run(cypher('webhooks/get'), { id }))).records[0];
      return r ? toWebhook(r.get('webhook')) : null;
    },
    async recordDelivery(d: Omit<WebhookDelivery, 'id'>): Promise<void> {
      await write((tx) =>
        tx.run(cypher('webhooks/record-delivery'), {
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
    async deliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]> {
      const r = await read((tx) => tx.run(cypher('webhooks/deliveries'), { webhookId, limit: int(limit) }));
      return r.records.map((x) => {
        const p = x.get('delivery') as Record<string, unknown>;
        return {
          id: p.id as string,
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
