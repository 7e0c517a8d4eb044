// API keys: 256 random bits, shown once, stored as SHA-256.
import crypto from 'node:crypto';
import type { Driver } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { int, toNumber, toNumberOrNull } from '../convert.js';
import { cypher } from '../cypher.js';
import { txRunner } from '../session.js';
import { appendAudit, type RequestRef } from './audit.js';

/** `metrics`: reads GET /metrics and nothing else (a Prometheus scraper's key). */
export const ROLES = ['admin', 'investigator', 'ingest', 'gateway', 'metrics'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  revokedBy: string | null;
  /** When the key stops working (null: never). */
  expiresAt: number | null;
}

/**
 * "90d", "12h", "2w": a key's lifetime for `keys create --expires-in` and POST /v1/keys. Between an
 * hour and ten years; anything else is an error that says what is accepted.
 */
export function parseExpiresIn(raw: string): number {
  const m = /^(\d{1,6})([hdw])$/.exec(raw.trim());
  const unit = m ? { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[m[2] as 'h' | 'd' | 'w'] : 0;
  const ms = m ? Number(m[1]) * unit : 0;
  if (!m || ms < 3_600_000 || ms > 3650 * 86_400_000) {
    throw new RangeError(`expires-in ${JSON.stringify(raw)}: expected a number and h, d or w between 1h and 3650d, e.g. 90d`);
  }
  return ms;
}

export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

/** acctnet_<43 base64url characters>: 256 bits from the system CSPRNG. */
export function generateKey(): string {
  return `acctnet_${crypto.randomBytes(32).toString('base64url')}`;
}

function toKey(p: Record<string, unknown>): ApiKeyRecord {
  return {
    id: p.id as string,
    name: p.name as string,
    role: p.role as Role,
    prefix: p.prefix as string,
    createdAt: toNumber(p.createdAt),
    createdBy: p.createdBy as string,
    revokedAt: toNumberOrNull(p.revokedAt),
    revokedBy: (p.revokedBy as string | null) ?? null,
    expiresAt: toNumberOrNull(p.expiresAt),
  };
}

export function createKeyRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = txRunner(driver, cfg);
  return {
    /** Returns the record and the key itself — the only time it exists in clear. */
    async create(role: Role, name: string, createdBy: string, expiresAt: number | null = null): Promise<{ record: ApiKeyRecord; key: string }> {
      const key = generateKey();
      const id = `key_${crypto.randomBytes(6).toString('hex')}`;
      const r = await write((tx) =>
        tx.run(cypher('keys/create-key'), {
          id,
          name,
          role,
          hash: hashKey(key),
          prefix: key.slice(0, 12),
          createdAt: int(Date.now()),
          createdBy,
          expiresAt: expiresAt === null ? null : int(expiresAt),
        }),
      );
      return { record: toKey(r.records[0]!.get('key')), key };
    },

    async findByKey(
      key: string,
    ): Promise<{ id: string; name: string; role: Role; revokedAt: number | null; expiresAt: number | null } | null> {
      const r = (await read((tx) => tx.run(cypher('keys/find-key'), { hash: hashKey(key) }))).records[0];
      return r
        ? {
            id: r.get('id'),
            name: r.get('name'),
            role: r.get('role'),
            revokedAt: toNumberOrNull(r.get('revokedAt')),
            expiresAt: toNumberOrNull(r.get('expiresAt')),
          }
        : null;
    },

    /** Audits a key's expiry once: the first refused use after it expired (the audit entry commits with the mark). */
    async auditExpiry(id: string, requestId: RequestRef): Promise<boolean> {
      return write(async (tx) => {
        const r = (await tx.run(cypher('keys/mark-expiry-audited'), { id, at: int(Date.now()) })).records[0];
        if (!r) return false;
        const k = r.get('key') as { id: string; name: string; role: string; expiresAt: unknown };
        await appendAudit(
          tx,
          { keyId: 'system', name: 'acctnet', role: 'system' },
          'key.expired',
          `key:${k.id}`,
          { role: k.role, name: k.name, expiresAt: new Date(toNumber(k.expiresAt)).toISOString() },
          requestId,
        );
        return true;
      });
    },

    async list(): Promise<ApiKeyRecord[]> {
      return (await read((tx) => tx.run(cypher('keys/list-keys')))).records.map((r) => toKey(r.get('key')));
    },

    async revoke(id: string, by: string): Promise<ApiKeyRecord | null> {
      const r = (await write((tx) => tx.run(cypher('keys/revoke-key'), { id, at: int(Date.now()), by }))).records[0];
      return r ? toKey(r.get('key')) : null;
    },
  };
}

export type KeyRepository = ReturnType<typeof createKeyRepository>;
