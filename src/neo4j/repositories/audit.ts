// The audit log: every label, override, key and webhook change, every recompute request and
// publish-guard action — who, when, what.
import crypto from 'node:crypto';
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { int, toNumber } from '../convert.js';
import { cypher } from '../cypher.js';
import { txRunner } from '../session.js';

export interface Actor {
  keyId: string;
  name: string;
  role: string;
}

export interface AuditEntry {
  id: string;
  at: number;
  actorKeyId: string;
  actorName: string;
  actorRole: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  /** acctnet's own id of the request (the x-request-id it answered with). */
  requestId: string | null;
  /** The x-request-id the client sent, if any: kept for correlation, never used as our id. */
  clientRequestId: string | null;
}

/** Which request made a change: acctnet's id, or both ids when the client sent its own. */
export type RequestRef = string | { id: string; clientId: string | null } | null;

function toEntry(p: Record<string, unknown>): AuditEntry {
  return {
    id: p.id as string,
    at: toNumber(p.at),
    actorKeyId: p.actorKeyId as string,
    actorName: p.actorName as string,
    actorRole: p.actorRole as string,
    action: p.action as string,
    target: p.target as string,
    details: typeof p.details === 'string' ? JSON.parse(p.details) : {},
    requestId: (p.requestId as string | null) ?? null,
    clientRequestId: (p.clientRequestId as string | null) ?? null,
  };
}

/** Appends inside the caller's transaction, so a change and its audit entry commit together. */
export async function appendAudit(
  tx: ManagedTransaction,
  actor: Actor,
  action: string,
  target: string,
  details: Record<string, unknown>,
  request: RequestRef,
): Promise<AuditEntry> {
  const requestId = typeof request === 'string' ? request : (request?.id ?? null);
  const clientRequestId = typeof request === 'object' && request !== null ? request.clientId : null;
  // Time-ordered ids: newest-first paging never skips an entry written in the same millisecond.
  const at = Date.now();
  const id = `aud_${at.toString(36).padStart(9, '0')}_${crypto.randomBytes(5).toString('hex')}`;
  const r = await tx.run(cypher('audit/append'), {
    id,
    at: int(at),
    actorKeyId: actor.keyId,
    actorName: actor.name,
    actorRole: actor.role,
    action,
    target,
    details: JSON.stringify(details),
    requestId,
    clientRequestId,
  });
  return toEntry(r.records[0]!.get('entry'));
}

export function createAuditRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = txRunner(driver, cfg);
  return {
    append(
      actor: Actor,
      action: string,
      target: string,
      details: Record<string, unknown>,
      request: RequestRef = null,
    ): Promise<AuditEntry> {
      return write((tx) => appendAudit(tx, actor, action, target, details, request));
    },
    async list(opts: { actorKeyId: string | null; before: { at: number; id: string } | null; limit: number }): Promise<AuditEntry[]> {
      const r = await read((tx) =>
        tx.run(cypher('audit/list'), {
          actorKeyId: opts.actorKeyId,
          beforeAt: int(opts.before?.at ?? Number.MAX_SAFE_INTEGER),
          beforeId: opts.before?.id ?? '~',
          limit: int(opts.limit),
        }),
      );
      return r.records.map((x) => toEntry(x.get('entry')));
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
