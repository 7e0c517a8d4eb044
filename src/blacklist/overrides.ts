// Investigator overrides — force an account onto or off the list — and dual control over taking
// accounts off it (ACCTNET_OVERRIDE_DUAL_CONTROL). Shared by the API and the CLI.
//
// With dual control on, an exclude (or the removal of an include override, which can unlist an
// account too) is stored as a request; nothing reaches a gateway until a second person — another
// investigator or an admin, never the requester — confirms it. The confirmation then goes through
// the one publication path like any override. Every step (request, confirm, reject, withdraw)
// commits with its audit entry.
import crypto from 'node:crypto';
import type { ManagedTransaction } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import { Conflict, Forbidden, NotFound } from '../errors.js';
import { appendAudit, type Actor, type AuditEntry, type RequestRef } from '../neo4j/repositories/audit.js';
import { createBlacklistRepository, type PendingAction, type PendingOverride } from '../neo4j/repositories/blacklist.js';
import { txRunner } from '../neo4j/session.js';
import { publishOverride, type OverridePublication, type PublishDeps } from './publish.js';

/** How long an override's request waits for a running publication before it answers "pending". */
export const OVERRIDE_WAIT_MS = 5_000;

export type OverrideChange = { accountId: string; action: 'include' | 'exclude'; reason: string };

export type SetOutcome =
  | { kind: 'published'; createdAt: number; previousAction: string | null; published: OverridePublication; audit: AuditEntry }
  | { kind: 'pending confirmation'; pending: PendingOverride; audit: AuditEntry };

export type RemoveOutcome =
  | {
      kind: 'published';
      removed: { accountId: string; action: string; reason: string };
      published: OverridePublication;
      audit: AuditEntry;
    }
  | { kind: 'pending confirmation'; pending: PendingOverride; audit: AuditEntry };

export interface ConfirmOutcome {
  pending: PendingOverride;
  /** What the confirmation changed: the exclude set, or the include removed (null: it was gone already). */
  applied: { action: 'exclude'; previousAction: string | null } | { action: 'delete'; removed: boolean };
  published: OverridePublication;
  audit: AuditEntry;
}

type Log = (err: Error) => void;

/** Whether taking an account off the list needs a second person. */
export function dualControlOn(config: Config): boolean {
  return config.overrides.dualControl === 'exclude';
}

/** The requester is the same person: the same key, or a key with the same name (the audit log's "who"). */
function samePerson(actor: Actor, p: PendingOverride): boolean {
  return actor.keyId === p.requestedByKey || actor.name === p.requestedBy;
}

async function request(
  deps: PublishDeps,
  actor: Actor,
  r: { accountId: string; action: PendingAction; reason: string },
  ref: RequestRef,
): Promise<{ kind: 'pending confirmation'; pending: PendingOverride; audit: AuditEntry }> {
  const repo = createBlacklistRepository(deps.driver, deps.config.neo4j);
  return txRunner(deps.driver, deps.config.neo4j).write(async (tx) => {
    const pending = await repo.requestOverride(
      { id: `ovr_${crypto.randomUUID()}`, ...r, requestedBy: actor.name, requestedByKey: actor.keyId },
      tx,
    );
    const audit = await appendAudit(
      tx,
      actor,
      'override.request',
      `account:${r.accountId}`,
      { pendingId: pending.id, action: r.action, reason: r.reason },
      ref,
    );
    return { kind: 'pending confirmation' as const, pending, audit };
  });
}

/** Sets an override: published at once, or (an exclude under dual control) stored for confirmation. */
export async function setOverride(
  deps: PublishDeps,
  actor: Actor,
  change: OverrideChange,
  ref: RequestRef,
  log?: Log,
): Promise<SetOutcome> {
  if (change.action === 'exclude' && dualControlOn(deps.config)) return request(deps, actor, { ...change, action: 'exclude' }, ref);
  const repo = createBlacklistRepository(deps.driver, deps.config.neo4j);
  const r = await txRunner(deps.driver, deps.config.neo4j).write(async (tx) => {
    const saved = await repo.setOverride({ ...change, createdBy: actor.name }, tx);
    const audit = await appendAudit(
      tx,
      actor,
      'override.set',
      `account:${change.accountId}`,
      { action: change.action, reason: change.reason, previousAction: saved.previousAction },
      ref,
    );
    return { saved, audit };
  });
  const published = await publishOverride(deps, OVERRIDE_WAIT_MS, log);
  return { kind: 'published', createdAt: r.saved.createdAt, previousAction: r.saved.previousAction, published, audit: r.audit };
}

/**
 * Removes an account's override: published at once, or — the removal of an include under dual
 * control, which can take the account off the list — stored for confirmation. Null: no override.
 */
export async function removeOverride(
  deps: PublishDeps,
  actor: Actor,
  accountId: string,
  ref: RequestRef,
  log?: Log,
): Promise<RemoveOutcome | null> {
  const repo = createBlacklistRepository(deps.driver, deps.config.neo4j);
  if (dualControlOn(deps.config)) {
    const current = await repo.override(accountId);
    if (!current) return null;
    if (current.action === 'include') {
      return request(deps, actor, { accountId, action: 'delete', reason: `remove the include override (${current.reason})` }, ref);
    }
  }
  const r = await txRunner(deps.driver, deps.config.neo4j).write(async (tx) => {
    const removed = await repo.deleteOverride(accountId, tx);
    if (!removed) return null;
    const audit = await appendAudit(
      tx,
      actor,
      'override.delete',
      `account:${accountId}`,
      { action: removed.action, reason: removed.reason },
      ref,
    );
    return { removed, audit };
  });
  if (!r) return null;
  const published = await publishOverride(deps, OVERRIDE_WAIT_MS, log);
  return { kind: 'published', removed: r.removed, published, audit: r.audit };
}

async function openRequest(deps: Pick<PublishDeps, 'driver' | 'config'>, id: string, tx: ManagedTransaction) {
  const p = await createBlacklistRepository(deps.driver, deps.config.neo4j).pendingOverride({ id }, tx);
  if (!p) throw new NotFound(`No override request ${id}`);
  if (p.status !== 'pending') {
    throw new Conflict(
      `Override request ${id} is already ${p.status}${p.decidedBy ? ` by ${p.decidedBy}` : ''}${p.decidedAt ? ` at ${new Date(p.decidedAt).toISOString()}` : ''}`,
    );
  }
  return p;
}

/** A second person confirms a request: it takes effect and is published (the requester cannot confirm their own). */
export async function confirmPending(
  deps: PublishDeps,
  actor: Actor,
  id: string,
  note: string | null,
  ref: RequestRef,
  log?: Log,
): Promise<ConfirmOutcome> {
  const repo = createBlacklistRepository(deps.driver, deps.config.neo4j);
  const r = await txRunner(deps.driver, deps.config.neo4j).write(async (tx) => {
    const open = await openRequest(deps, id, tx);
    if (samePerson(actor, open)) {
      throw new Forbidden(
        `You requested ${id} yourself: a second investigator or an admin must confirm it (you may withdraw it with reject)`,
      );
    }
    const pending = await repo.decidePendingOverride(
      { id, status: 'confirmed', decidedBy: actor.name, decidedByKey: actor.keyId, note },
      tx,
    );
    if (!pending) throw new Conflict(`Override request ${id} was decided meanwhile`);
    let applied: ConfirmOutcome['applied'];
    if (pending.action === 'exclude') {
      const saved = await repo.setOverride(
        {
          accountId: pending.accountId,
          action: 'exclude',
          reason: pending.reason,
          createdBy: pending.requestedBy,
          confirmedBy: actor.name,
        },
        tx,
      );
      applied = { action: 'exclude', previousAction: saved.previousAction };
    } else {
      // Only the include the request was about: an exclude set since stays.
      const current = await repo.override(pending.accountId, tx);
      applied = { action: 'delete', removed: current?.action === 'include' && (await repo.deleteOverride(pending.accountId, tx)) !== null };
    }
    const audit = await appendAudit(
      tx,
      actor,
      'override.confirm',
      `account:${pending.accountId}`,
      { pendingId: id, reason: pending.reason, requestedBy: pending.requestedBy, note, ...applied },
      ref,
    );
    return { pending, applied, audit };
  });
  const published = await publishOverride(deps, OVERRIDE_WAIT_MS, log);
  return { ...r, published };
}

/** Closes a request without effect: rejected by someone else, or withdrawn by its requester. */
export async function rejectPending(
  deps: Pick<PublishDeps, 'driver' | 'config'>,
  actor: Actor,
  id: string,
  reason: string,
  ref: RequestRef,
): Promise<{ pending: PendingOverride; audit: AuditEntry }> {
  const repo = createBlacklistRepository(deps.driver, deps.config.neo4j);
  return txRunner(deps.driver, deps.config.neo4j).write(async (tx) => {
    const open = await openRequest(deps, id, tx);
    const status = samePerson(actor, open) ? 'withdrawn' : 'rejected';
    const pending = await repo.decidePendingOverride({ id, status, decidedBy: actor.name, decidedByKey: actor.keyId, note: reason }, tx);
    if (!pending) throw new Conflict(`Override request ${id} was decided meanwhile`);
    const audit = await appendAudit(
      tx,
      actor,
      status === 'withdrawn' ? 'override.withdraw' : 'override.reject',
      `account:${pending.accountId}`,
      { pendingId: id, action: pending.action, reason: pending.reason, requestedBy: pending.requestedBy, note: reason },
      ref,
    );
    return { pending, audit };
  });
}

/** The API's (and the CLI's) view of a request. */
export function pendingView(p: PendingOverride) {
  return {
    id: p.id,
    accountId: p.accountId,
    action: p.action,
    reason: p.reason,
    requestedBy: p.requestedBy,
    requestedAt: new Date(p.requestedAt).toISOString(),
    status: p.status,
    decidedBy: p.decidedBy,
    decidedAt: p.decidedAt === null ? null : new Date(p.decidedAt).toISOString(),
    note: p.note,
  };
}
