// Blacklist versions: immutable once written, served through BlacklistState.
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { BlacklistEntry, Override } from '../../analysis/blacklist.js';
import type { Neo4jConfig } from '../../config/index.js';
import { renderCsv, renderJson, type BlacklistFormat } from '../../blacklist/render.js';
import { int, toNumber, toNumberOrNull } from '../convert.js';
import { cypher } from '../cypher.js';
import { txRunner } from '../session.js';

export type VersionStatus = 'writing' | 'ready' | 'served' | 'held' | 'superseded' | 'unpublished';

export interface BlacklistVersion {
  version: number;
  runId: string | null;
  source: 'recompute' | 'override' | 'rollback';
  status: VersionStatus;
  createdAt: number;
  generatedAt: number;
  servedAt: number | null;
  count: number;
  added: number | null;
  removed: number | null;
  diffFrom: number | null;
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

function toVersion(p: Record<string, unknown>): BlacklistVersion {
  return {
    version: toNumber(p.version),
    runId: (p.runId as string | null) ?? null,
    source: p.source as BlacklistVersion['source'],
    status: p.status as VersionStatus,
    createdAt: toNumber(p.createdAt),
    generatedAt: toNumber(p.generatedAt),
    servedAt: toNumberOrNull(p.servedAt),
    count: toNumber(p.count),
    added: toNumberOrNull(p.added),
    removed: toNumberOrNull(p.removed),
    diffFrom: toNumberOrNull(p.diffFrom),
    sha256Json: (p.sha256Json as string | null) ?? null,
    sha256Csv: (p.sha256Csv as string | null) ?? null,
    bytesJson: toNumberOrNull(p.bytesJson),
    bytesCsv: toNumberOrNull(p.bytesCsv),
    guard: typeof p.guard === 'string' ? JSON.parse(p.guard) : null,
  };
}

const BATCH = 5000;

/** Sets an account's override in the caller's transaction (and counts the change). */
export async function setOverride(
  tx: ManagedTransaction,
  o: Override & { createdBy: string },
): Promise<{ previousAction: string | null; createdAt: number }> {
  const r = await tx.run(cypher('blacklist/set-override'), {
    accountId: o.accountId,
    action: o.action,
    reason: o.reason,
    createdBy: o.createdBy,
    createdAt: int(Date.now()),
  });
  await tx.run(cypher('blacklist/bump-overrides'));
  const row = r.records[0]!;
  return { previousAction: row.get('previousAction') ?? null, createdAt: toNumber(row.get('createdAt')) };
}

export async function deleteOverride(tx: ManagedTransaction, accountId: string): Promise<Override | null> {
  const r = (await tx.run(cypher('blacklist/delete-override'), { accountId })).records[0];
  if (!r) return null;
  await tx.run(cypher('blacklist/bump-overrides'));
  return { accountId: r.get('accountId'), action: r.get('action'), reason: r.get('reason') };
}

export function createBlacklistRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = txRunner(driver, cfg);
  const repo = {
    async state(): Promise<BlacklistState> {
      const r = (await read((tx) => tx.run(cypher('blacklist/state')))).records[0]!;
      return {
        servedVersion: toNumberOrNull(r.get('servedVersion')),
        pinnedVersion: toNumberOrNull(r.get('pinnedVersion')),
        servedAt: toNumberOrNull(r.get('servedAt')),
      };
    },

    async entries(version: number): Promise<BlacklistEntry[]> {
      const result = await read((tx) => tx.run(cypher('blacklist/version-entries'), { version: int(version) }));
      return result.records.map((r) => ({
        accountId: r.get('accountId'),
        clusterId: r.get('clusterId') ?? null,
        score: Number(r.get('score')),
        reasons: r.get('reasons') ?? [],
      }));
    },

    async overrides(): Promise<Array<Override & { createdBy: string; createdAt: number }>> {
      const result = await read((tx) => tx.run(cypher('blacklist/overrides')));
      return result.records.map((r) => ({
        accountId: r.get('accountId'),
        action: r.get('action'),
        reason: r.get('reason'),
        createdBy: r.get('createdBy'),
        createdAt: toNumber(r.get('createdAt')),
      }));
    },

    async setOverride(o: Override & { createdBy: string }): Promise<{ previousAction: string | null; createdAt: number }> {
      const r = await write((tx) =>
        tx.run(cypher('blacklist/set-override'), {
          accountId: o.accountId,
          action: o.action,
          reason: o.reason,
          createdBy: o.createdBy,
          createdAt: int(Date.now()),
        }),
      );
      const row = r.records[0]!;
      return { previousAction: row.get('previousAction') ?? null, createdAt: toNumber(row.get('createdAt')) };
    },

    async deleteOverride(accountId: string): Promise<Override | null> {
      const r = (await write((tx) => tx.run(cypher('blacklist/delete-override'), { accountId }))).records[0];
      return r ? { accountId: r.get('accountId'), action: r.get('action'), reason: r.get('reason') } : null;
    },

    async nextVersionNumber(): Promise<number> {
      const r = await write((tx) => tx.run(cypher('runs/next-sequence'), { name: 'blacklistVersion', by: int(1) }));
      return toNumber(r.records[0]!.get('value'));
    },

    /**
     * Writes a complete version (entries, rendered JSON and CSV, hashes) in batches; it is not
     * served until serve() or the run's final switch. Returns the version record.
     */
    async writeVersion(v: {
      version: number;
      runId: string | null;
      source: BlacklistVersion['source'];
      generatedAt: number;
      entries: readonly BlacklistEntry[];
      basedOn: number | null;
      added: number;
      removed: number;
    }): Promise<void> {
      await write((tx) =>
        tx.run(cypher('blacklist/create-version'), {
          version: int(v.version),
          runId: v.runId,
          source: v.source,
          createdAt: int(Date.now()),
          generatedAt: int(v.generatedAt),
          count: int(v.entries.length),
          basedOn: v.basedOn === null ? null : int(v.basedOn),
        }),
      );
      for (let k = 0; k < v.entries.length; k += BATCH) {
        const rows = v.entries.slice(k, k + BATCH);
        await write((tx) => tx.run(cypher('blacklist/write-entries'), { version: int(v.version), rows }));
      }
      const json = renderJson(v.version, v.generatedAt, v.entries);
      const csv = renderCsv(v.entries);
      const chunkRows = [
        ...json.chunks.map((data, seq) => ({ format: 'json', seq: int(seq), data })),
        ...csv.chunks.map((data, seq) => ({ format: 'csv', seq: int(seq), data })),
      ];
      for (let k = 0; k < chunkRows.length; k += 16) {
        await write((tx) => tx.run(cypher('blacklist/write-chunks'), { version: int(v.version), rows: chunkRows.slice(k, k + 16) }));
      }
      await write((tx) =>
        tx.run(cypher('blacklist/finish-version'), {
          version: int(v.version),
          sha256Json: json.sha256,
          sha256Csv: csv.sha256,
          bytesJson: int(json.bytes),
          bytesCsv: int(csv.bytes),
          added: int(v.added),
          removed: int(v.removed),
          diffFrom: v.basedOn === null ? null : int(v.basedOn),
        }),
      );
    },

    async get(version: number): Promise<BlacklistVersion | null> {
      const r = (await read((tx) => tx.run(cypher('blacklist/get-version'), { version: int(version) }))).records[0];
      return r ? toVersion(r.get('version')) : null;
    },

    async list(before: number, limit: number): Promise<BlacklistVersion[]> {
      const result = await read((tx) => tx.run(cypher('blacklist/list-versions'), { before: int(before), limit: int(limit) }));
      return result.records.map((r) => toVersion(r.get('version')));
    },

    async serve(version: number, opts: { pin?: boolean } = {}): Promise<{ servedVersion: number; previous: number | null }> {
      const r = await write((tx) =>
        tx.run(cypher('blacklist/serve-version'), { version: int(version), at: int(Date.now()), pin: opts.pin ?? false }),
      );
      const row = r.records[0]!;
      return { servedVersion: toNumber(row.get('servedVersion')), previous: toNumberOrNull(row.get('previous')) };
    },

    async hold(version: number, guard: unknown): Promise<void> {
      await write((tx) => tx.run(cypher('blacklist/hold-version'), { version: int(version), guard: JSON.stringify(guard) }));
    },

    async setStatus(version: number, status: VersionStatus): Promise<void> {
      await write((tx) => tx.run(cypher('blacklist/set-version-status'), { version: int(version), status }));
    },

    async setPin(version: number | null): Promise<BlacklistState> {
      const r = (await write((tx) => tx.run(cypher('blacklist/set-pin'), { version: version === null ? null : int(version) }))).records[0]!;
      return {
        servedVersion: toNumberOrNull(r.get('servedVersion')),
        pinnedVersion: toNumberOrNull(r.get('pinnedVersion')),
        servedAt: null,
      };
    },

    /** The pre-rendered body, page by page, in order (constant memory for any list size). */
    async *body(version: number, format: BlacklistFormat, pageSize = 8): AsyncGenerator<string> {
      let from = 0;
      for (;;) {
        const result = await read((tx) =>
          tx.run(cypher('blacklist/chunks'), { version: int(version), format, fromSeq: int(from), limit: int(pageSize) }),
        );
        for (const r of result.records) yield r.get('data') as string;
        if (result.records.length < pageSize) return;
        from = toNumber(result.records[result.records.length - 1]!.get('seq')) + 1;
      }
    },

    async listedPerCluster(version: number, clusterIds: readonly string[]): Promise<Map<string, number>> {
      if (!clusterIds.length) return new Map();
      const r = await read((tx) => tx.run(cypher('blacklist/listed-per-cluster'), { version: int(version), clusterIds }));
      return new Map(r.records.map((x) => [x.get('clusterId') as string, toNumber(x.get('listed'))]));
    },

    async accountEntry(version: number, accountId: string): Promise<BlacklistEntry | null> {
      const r = (await read((tx) => tx.run(cypher('blacklist/account-entry'), { version: int(version), accountId }))).records[0];
      return r
        ? {
            accountId: r.get('accountId'),
            clusterId: r.get('clusterId') ?? null,
            score: Number(r.get('score')),
            reasons: r.get('reasons') ?? [],
          }
        : null;
    },
  };
  return repo;
}

export type BlacklistRepository = ReturnType<typeof createBlacklistRepository>;
