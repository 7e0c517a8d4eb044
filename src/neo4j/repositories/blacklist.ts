// Blacklist versions: immutable once written, served through BlacklistState. Every method takes an
// optional transaction: given one it runs in it, otherwise in its own.
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import { diffBlacklists, type BlacklistDiff, type BlacklistEntry, type Override } from '../../analysis/blacklist.js';
import type { Neo4jConfig } from '../../config/index.js';
import { renderCsv, renderJson, type BlacklistFormat } from '../../blacklist/render.js';
import { Conflict } from '../../errors.js';
import { int, toNumber, toNumberOrNull } from '../convert.js';
import { cypher } from '../cypher.js';
import { optionalTx } from '../session.js';

export type VersionStatus = 'writing' | 'ready' | 'served' | 'held' | 'superseded' | 'unpublished';
export type VersionSource = 'recompute' | 'override' | 'watch' | 'approve' | 'pin' | 'rollback';

export interface BlacklistVersion {
  version: number;
  runId: string | null;
  source: VersionSource;
  status: VersionStatus;
  createdAt: number;
  generatedAt: number;
  servedAt: number | null;
  count: number;
  added: number | null;
  removed: number | null;
  diffFrom: number | null;
  /** approve, pin, rollback: the version whose list this one serves again (with the overrides in force). */
  restores: number | null;
  sha256Json: string | null;
  sha256Csv: string | null;
  bytesJson: number | null;
  bytesCsv: number | null;
  guard: unknown;
}

export interface BlacklistState {
  servedVersion: number | null;
  pinnedVersion: number | null;
  servedAt: number | null;
}

export interface StoredDiff {
  fromVersion: number | null;
  toVersion: number;
  addedCount: number;
  removedCount: number;
  /** null when the diff was too large to store: read it with diff(…, { full: true }). */
  added: BlacklistEntry[] | null;
  removed: string[] | null;
}

function toVersion(p: Record<string, unknown>): BlacklistVersion {
  return {
    version: toNumber(p.version),
    runId: (p.runId as string | null) ?? null,
    source: p.source as VersionSource,
    status: p.status as VersionStatus,
    createdAt: toNumber(p.createdAt),
    generatedAt: toNumber(p.generatedAt),
    servedAt: toNumberOrNull(p.servedAt),
    count: toNumber(p.count),
    added: toNumberOrNull(p.added),
    removed: toNumberOrNull(p.removed),
    diffFrom: toNumberOrNull(p.diffFrom),
    restores: toNumberOrNull(p.restores),
    sha256Json: (p.sha256Json as string | null) ?? null,
    sha256Csv: (p.sha256Csv as string | null) ?? null,
    bytesJson: toNumberOrNull(p.bytesJson),
    bytesCsv: toNumberOrNull(p.bytesCsv),
    guard: typeof p.guard === 'string' ? JSON.parse(p.guard) : null,
  };
}

const toEntry = (r: { get(key: string): unknown }): BlacklistEntry => ({
  accountId: r.get('accountId') as string,
  clusterId: (r.get('clusterId') as string | null) ?? null,
  score: Number(r.get('score')),
  reasons: (r.get('reasons') as string[] | null) ?? [],
});

/** exclude: take the account off the list; delete: remove its include override (which can unlist it too). */
export type PendingAction = 'exclude' | 'delete';
export type PendingStatus = 'pending' | 'confirmed' | 'rejected' | 'withdrawn';

/** An override request under dual control (ACCTNET_OVERRIDE_DUAL_CONTROL). */
export interface PendingOverride {
  id: string;
  accountId: string;
  action: PendingAction;
  reason: string;
  requestedBy: string;
  requestedByKey: string;
  requestedAt: number;
  status: PendingStatus;
  decidedBy: string | null;
  decidedByKey: string | null;
  decidedAt: number | null;
  /** The decider's note (a rejection's reason). */
  note: string | null;
}

function toPending(p: Record<string, unknown>): PendingOverride {
  return {
    id: p.id as string,
    accountId: p.accountId as string,
    action: p.action as PendingAction,
    reason: p.reason as string,
    requestedBy: p.requestedBy as string,
    requestedByKey: p.requestedByKey as string,
    requestedAt: toNumber(p.requestedAt),
    status: p.status as PendingStatus,
    decidedBy: (p.decidedBy as string | null) ?? null,
    decidedByKey: (p.decidedByKey as string | null) ?? null,
    decidedAt: toNumberOrNull(p.decidedAt),
    note: (p.note as string | null) ?? null,
  };
}

const BATCH = 5000;
/** Diffs with more changes than this are stored as counts only (they are pull links for webhooks). */
export const STORED_DIFF_LIMIT = 20_000;

export function createBlacklistRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = optionalTx(driver, cfg);
  type Tx = ManagedTransaction | undefined;

  const repo = {
    async state(tx?: Tx): Promise<BlacklistState> {
      const r = (await read(tx, (t) => t.run(cypher('blacklist/state')))).records[0]!;
      return {
        servedVersion: toNumberOrNull(r.get('servedVersion')),
        pinnedVersion: toNumberOrNull(r.get('pinnedVersion')),
        servedAt: toNumberOrNull(r.get('servedAt')),
      };
    },

    /** Takes the next publication fence token (right after acquiring the publication lock). */
    async claimFence(tx?: Tx): Promise<number> {
      const r = await write(tx, (t) => t.run(cypher('blacklist/claim-fence')));
      return toNumber(r.records[0]!.get('token'));
    },

    /** In a write transaction: throws Conflict unless `token` is the newest fence token (the caller still holds the lock). */
    async assertFence(tx: ManagedTransaction, token: number): Promise<void> {
      const current = toNumber((await tx.run(cypher('blacklist/check-fence'))).records[0]!.get('token'));
      if (current !== token)
        throw new Conflict(
          `acctnet/blacklist: this publication's lease lapsed (fence ${token}, now ${current}): another publication took over; nothing was served`,
        );
    },

    async entries(version: number, tx?: Tx): Promise<BlacklistEntry[]> {
      const result = await read(tx, (t) => t.run(cypher('blacklist/version-entries'), { version: int(version) }));
      return result.records.map(toEntry);
    },

    async overrides(tx?: Tx): Promise<Array<Override & { createdBy: string; createdAt: number; confirmedBy: string | null }>> {
      const result = await read(tx, (t) => t.run(cypher('blacklist/overrides')));
      return result.records.map((r) => ({
        accountId: r.get('accountId'),
        action: r.get('action'),
        reason: r.get('reason'),
        createdBy: r.get('createdBy'),
        createdAt: toNumber(r.get('createdAt')),
        confirmedBy: (r.get('confirmedBy') as string | null) ?? null,
      }));
    },

    /** The override change counter: publication compares it before and after to catch overrides set meanwhile. */
    async overridesCounter(tx?: Tx): Promise<number> {
      const r = await read(tx, (t) => t.run(cypher('blacklist/overrides-counter')));
      return toNumber(r.records[0]!.get('value'));
    },

    /** Sets (or replaces) an account's override and counts the change. */
    async setOverride(
      o: Override & { createdBy: string; confirmedBy?: string | null },
      tx?: Tx,
    ): Promise<{ previousAction: string | null; createdAt: number }> {
      return write(tx, async (t) => {
        const r = await t.run(cypher('blacklist/set-override'), {
          accountId: o.accountId,
          action: o.action,
          reason: o.reason,
          createdBy: o.createdBy,
          createdAt: int(Date.now()),
          confirmedBy: o.confirmedBy ?? null,
        });
        await t.run(cypher('blacklist/bump-overrides'));
        const row = r.records[0]!;
        return { previousAction: row.get('previousAction') ?? null, createdAt: toNumber(row.get('createdAt')) };
      });
    },

    /** Removes an account's override (null if it had none) and counts the change. */
    async deleteOverride(accountId: string, tx?: Tx): Promise<Override | null> {
      return write(tx, async (t) => {
        const r = (await t.run(cypher('blacklist/delete-override'), { accountId })).records[0];
        if (!r) return null;
        await t.run(cypher('blacklist/bump-overrides'));
        return { accountId: r.get('accountId'), action: r.get('action'), reason: r.get('reason') };
      });
    },

    /** An account's override, or null. */
    async override(
      accountId: string,
      tx?: Tx,
    ): Promise<(Override & { createdBy: string; createdAt: number; confirmedBy: string | null }) | null> {
      const r = (await read(tx, (t) => t.run(cypher('blacklist/override'), { accountId }))).records[0];
      if (!r) return null;
      return {
        accountId: r.get('accountId'),
        action: r.get('action'),
        reason: r.get('reason'),
        createdBy: r.get('createdBy'),
        createdAt: toNumber(r.get('createdAt')),
        confirmedBy: (r.get('confirmedBy') as string | null) ?? null,
      };
    },

    /**
     * Stores a request for a second person's confirmation. Throws Conflict when the account already
     * has an open request (the database's constraint decides between two racing requests).
     */
    async requestOverride(
      p: { id: string; accountId: string; action: PendingAction; reason: string; requestedBy: string; requestedByKey: string },
      tx?: Tx,
    ): Promise<PendingOverride> {
      try {
        return await write(tx, async (t) => {
          const r = await t.run(cypher('blacklist/request-override'), { ...p, requestedAt: int(Date.now()) });
          return toPending(r.records[0]!.get('p'));
        });
      } catch (err) {
        if ((err as { code?: string }).code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
          const open = await repo.pendingOverride({ accountId: p.accountId });
          throw new Conflict(
            `Account ${p.accountId} already has a request waiting for confirmation${open ? ` (${open.id}, by ${open.requestedBy})` : ''}: confirm or reject it first`,
          );
        }
        throw err;
      }
    },

    /** A request by id, or the open request of an account. */
    async pendingOverride(by: { id: string } | { accountId: string }, tx?: Tx): Promise<PendingOverride | null> {
      const r = await read(tx, (t) =>
        t.run(cypher('blacklist/pending-override'), { id: 'id' in by ? by.id : null, accountId: 'accountId' in by ? by.accountId : null }),
      );
      return r.records[0] ? toPending(r.records[0].get('p')) : null;
    },

    /** Requests, newest first: the open ones, or all (status null). */
    async pendingOverrides(status: PendingStatus | null, limit: number, tx?: Tx): Promise<PendingOverride[]> {
      const r = await read(tx, (t) => t.run(cypher('blacklist/pending-overrides'), { status, limit: int(limit) }));
      return r.records.map((x) => toPending(x.get('p')));
    },

    /** Closes an open request; null when it was not pending (already decided). */
    async decidePendingOverride(
      d: { id: string; status: Exclude<PendingStatus, 'pending'>; decidedBy: string; decidedByKey: string; note: string | null },
      tx?: Tx,
    ): Promise<PendingOverride | null> {
      const r = await write(tx, (t) => t.run(cypher('blacklist/decide-pending-override'), { ...d, decidedAt: int(Date.now()) }));
      return r.records[0] ? toPending(r.records[0].get('p')) : null;
    },

    async nextVersionNumber(tx?: Tx): Promise<number> {
      const r = await write(tx, (t) => t.run(cypher('runs/next-sequence'), { name: 'blacklistVersion', by: int(1) }));
      return toNumber(r.records[0]!.get('value'));
    },

    /**
     * Writes a complete version (entries, rendered JSON and CSV, hashes), status 'ready': it is not
     * served until serve(). Without a transaction it writes in batches (any list size); `fence`
     * makes the first and last batch check the publication's fence token.
     */
    async writeVersion(
      v: {
        version: number;
        runId: string | null;
        source: VersionSource;
        generatedAt: number;
        entries: readonly BlacklistEntry[];
        basedOn: number | null;
        restores?: number | null;
        added: number;
        removed: number;
        fence?: number;
      },
      tx?: Tx,
    ): Promise<void> {
      await write(tx, async (t) => {
        if (v.fence !== undefined) await repo.assertFence(t, v.fence);
        await t.run(cypher('blacklist/create-version'), {
          version: int(v.version),
          runId: v.runId,
          source: v.source,
          createdAt: int(Date.now()),
          generatedAt: int(v.generatedAt),
          count: int(v.entries.length),
          basedOn: v.basedOn === null ? null : int(v.basedOn),
          restores: v.restores == null ? null : int(v.restores),
        });
      });
      for (let k = 0; k < v.entries.length; k += BATCH) {
        const rows = v.entries.slice(k, k + BATCH);
        await write(tx, (t) => t.run(cypher('blacklist/write-entries'), { version: int(v.version), rows }));
      }
      const json = renderJson(v.version, v.generatedAt, v.entries);
      const csv = renderCsv(v.entries);
      const chunkRows = [
        ...json.chunks.map((data, seq) => ({ format: 'json', seq: int(seq), data })),
        ...csv.chunks.map((data, seq) => ({ format: 'csv', seq: int(seq), data })),
      ];
      for (let k = 0; k < chunkRows.length; k += 16) {
        await write(tx, (t) => t.run(cypher('blacklist/write-chunks'), { version: int(v.version), rows: chunkRows.slice(k, k + 16) }));
      }
      await write(tx, async (t) => {
        if (v.fence !== undefined) await repo.assertFence(t, v.fence);
        await t.run(cypher('blacklist/finish-version'), {
          version: int(v.version),
          sha256Json: json.sha256,
          sha256Csv: csv.sha256,
          bytesJson: int(json.bytes),
          bytesCsv: int(csv.bytes),
          added: int(v.added),
          removed: int(v.removed),
          diffFrom: v.basedOn === null ? null : int(v.basedOn),
        });
      });
    },

    async get(version: number, tx?: Tx): Promise<BlacklistVersion | null> {
      const r = (await read(tx, (t) => t.run(cypher('blacklist/get-version'), { version: int(version) }))).records[0];
      return r ? toVersion(r.get('version')) : null;
    },

    async list(before: number, limit: number, tx?: Tx): Promise<BlacklistVersion[]> {
      const result = await read(tx, (t) => t.run(cypher('blacklist/list-versions'), { before: int(before), limit: int(limit) }));
      return result.records.map((r) => toVersion(r.get('version')));
    },

    /** Serves a written version; with pin, pins it (later recomputes are held until unpinned). */
    async serve(version: number, opts: { pin?: boolean } = {}, tx?: Tx): Promise<{ servedVersion: number; previous: number | null }> {
      const r = await write(tx, (t) =>
        t.run(cypher('blacklist/serve-version'), { version: int(version), at: int(Date.now()), pin: opts.pin ?? false }),
      );
      const row = r.records[0]!;
      return { servedVersion: toNumber(row.get('servedVersion')), previous: toNumberOrNull(row.get('previous')) };
    },

    async hold(version: number, guard: unknown, tx?: Tx): Promise<void> {
      await write(tx, (t) => t.run(cypher('blacklist/hold-version'), { version: int(version), guard: JSON.stringify(guard) }));
    },

    async setStatus(version: number, status: VersionStatus, tx?: Tx): Promise<void> {
      await write(tx, (t) => t.run(cypher('blacklist/set-version-status'), { version: int(version), status }));
    },

    async setPin(version: number | null, tx?: Tx): Promise<BlacklistState> {
      const r = (await write(tx, (t) => t.run(cypher('blacklist/set-pin'), { version: version === null ? null : int(version) })))
        .records[0]!;
      return {
        servedVersion: toNumberOrNull(r.get('servedVersion')),
        pinnedVersion: toNumberOrNull(r.get('pinnedVersion')),
        servedAt: null,
      };
    },

    /**
     * What a holder of `from` (null or 0: nothing) must add and remove to hold `to`. Versions never
     * change, so each pair is computed once and stored; a diff above STORED_DIFF_LIMIT changes is
     * stored as counts and, when `full` is asked for, computed again. Null when a version is gone.
     */
    async diff(from: number | null, to: number, opts: { full?: boolean } = {}): Promise<StoredDiff | null> {
      const fromVersion = from === 0 ? null : from;
      const key = `${fromVersion ?? 0}-${to}`;
      const stored = (await read(undefined, (t) => t.run(cypher('blacklist/get-diff'), { key }))).records[0];
      if (stored) {
        const p = stored.get('diff') as Record<string, unknown>;
        const complete = Boolean(p.complete);
        if (complete || !opts.full)
          return {
            fromVersion,
            toVersion: to,
            addedCount: toNumber(p.addedCount),
            removedCount: toNumber(p.removedCount),
            added: complete ? (JSON.parse(p.added as string) as BlacklistEntry[]) : null,
            removed: complete ? (JSON.parse(p.removed as string) as string[]) : null,
          };
      }
      const [a, b] = await Promise.all([fromVersion === null ? null : repo.get(fromVersion), repo.get(to)]);
      if ((fromVersion !== null && !a) || !b || b.status === 'writing' || a?.status === 'writing') return null;
      const d: BlacklistDiff = diffBlacklists(fromVersion === null ? [] : await repo.entries(fromVersion), await repo.entries(to));
      const complete = d.added.length + d.removed.length <= STORED_DIFF_LIMIT;
      // Two first readers of a pair (webhook drains, gateways' ?since=) may race to store it: the
      // loser's MERGE meets the unique key; the diff is the same, so that is no error.
      if (!stored)
        await write(undefined, (t) =>
          t.run(cypher('blacklist/store-diff'), {
            key,
            fromVersion: fromVersion === null ? null : int(fromVersion),
            toVersion: int(to),
            added: complete ? JSON.stringify(d.added) : null,
            removed: complete ? JSON.stringify(d.removed) : null,
            addedCount: int(d.added.length),
            removedCount: int(d.removed.length),
            complete,
            createdAt: int(Date.now()),
          }),
        ).catch(() => undefined);
      return { fromVersion, toVersion: to, addedCount: d.added.length, removedCount: d.removed.length, added: d.added, removed: d.removed };
    },

    /** The pre-rendered body, page by page, in order (constant memory for any list size). */
    async *body(version: number, format: BlacklistFormat, pageSize = 8): AsyncGenerator<string> {
      let from = 0;
      for (;;) {
        const result = await read(undefined, (t) =>
          t.run(cypher('blacklist/chunks'), { version: int(version), format, fromSeq: int(from), limit: int(pageSize) }),
        );
        for (const r of result.records) yield r.get('data') as string;
        if (result.records.length < pageSize) return;
        from = toNumber(result.records[result.records.length - 1]!.get('seq')) + 1;
      }
    },

    async listedPerCluster(version: number, clusterIds: readonly string[], tx?: Tx): Promise<Map<string, number>> {
      if (!clusterIds.length) return new Map();
      const r = await read(tx, (t) => t.run(cypher('blacklist/listed-per-cluster'), { version: int(version), clusterIds }));
      return new Map(r.records.map((x) => [x.get('clusterId') as string, toNumber(x.get('listed'))]));
    },

    async accountEntry(version: number, accountId: string, tx?: Tx): Promise<BlacklistEntry | null> {
      const r = (await read(tx, (t) => t.run(cypher('blacklist/account-entry'), { version: int(version), accountId }))).records[0];
      return r ? toEntry(r) : null;
    },

    /** Entries of several accounts in a version, by account (absent: not listed). */
    async entriesFor(version: number, ids: readonly string[], tx?: Tx): Promise<Map<string, BlacklistEntry>> {
      if (!ids.length) return new Map();
      const r = await read(tx, (t) => t.run(cypher('blacklist/entries-for'), { version: int(version), ids }));
      return new Map(r.records.map((x) => [x.get('accountId') as string, toEntry(x)]));
    },

    /** A run's accounts at or above a score: the list before overrides. */
    async runCandidates(runId: string, threshold: number, tx?: Tx): Promise<BlacklistEntry[]> {
      const r = await read(tx, (t) => t.run(cypher('analysis/run-candidates'), { runId, threshold }));
      return r.records.map(toEntry);
    },
  };
  return repo;
}

export type BlacklistRepository = ReturnType<typeof createBlacklistRepository>;
