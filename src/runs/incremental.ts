// The load of a recompute, incremental when it can be (docs/analysis.md, "Incremental runs").
//
// Each run keeps, on the analysis host's disk (ACCTNET_SNAPSHOT_DIR), the transfers of its window
// in compact columns (src/runs/transfer-table.ts), with what they were read from: the set of ingest
// chunks (IngestChunk, committed in the same transaction as its transfers) whose transfers they are,
// the number of stored transfers, and what retention had deleted. The next run reads, in one read
// transaction, the accounts, the chunks and those counts; when the snapshot can be trusted it drops
// the rows that left the window and reads from Neo4j only the transfers of the chunks that are new
// since — selected by ingest (their batch, within the time range the chunk recorded), not by data
// time, so a back-dated import is read like any other. Then the same pipeline runs on the same rows
// in the same canonical order: the results are identical to a full load's.
//
// A full load instead, saying why (log, run warnings, counts.loadIncremental = 0), when:
// ACCTNET_INCREMENTAL=off or `recompute --full`; there is no snapshot or it is unreadable; it is of
// another store, or of a window starting later than this one; the last full load is
// ACCTNET_FULL_LOAD_EVERY_DAYS old (the scheduled full run that guards the incremental ones); a new
// chunk has no time range (written before chunks recorded one); the stored transfers are not the
// snapshot's plus what the new chunks wrote minus what retention deleted (a deletion or a write
// outside ingest: bulk import, a manual query, a prune under way); retention deleted inside the
// window.
//
// Open batches. A batch still expecting chunks may write more of them after the snapshot; its rows
// carry the batch id as a tag, so a later chunk of it replaces them within its time range instead of
// adding them twice. Rows of complete batches carry none (their set of chunks cannot grow).
//
// Concurrency. The chunks are read before the transfers and again after them, in the same
// transaction: when an ingest committed in between, the run still uses what it read (as a full load
// does under read-committed) but keeps no snapshot from it — the next run starts from the previous
// snapshot or loads in full.
import fs from 'node:fs';
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import { int } from '../neo4j/convert.js';
import { cypher } from '../neo4j/cypher.js';
import { sessionConfig } from '../neo4j/driver.js';
import { choosePlan, readAccounts, readWindowRows, RowReader, transfersTotal, type LoadPlan } from './load.js';
import { readSnapshot, snapshotPath, TransferTable, writeSnapshot, type SnapshotMeta } from './transfer-table.js';

const DAY = 86_400_000;

export interface WindowLoad {
  table: TransferTable;
  firstSeen: Map<string, number>;
  accountsLoaded: number;
  /** Transfers read from Neo4j by this run (0 on unchanged data in an incremental run). */
  transfersRead: number;
  /** Rows taken over from the snapshot. */
  snapshotRows: number;
  lateAccounts: number;
  unresolved: number;
  plan: LoadPlan | 'delta';
  mode: 'full' | 'incremental';
  /** Why a full load, or what the incremental one started from. */
  reason: string;
  /** Whether this run's snapshot was written, and if not why. */
  snapshot: { saved: boolean; reason: string | null; bytes: number };
  /** Parts of the load, ms: snapshot read, accounts read, transfers read, snapshot write. */
  timings: { snapshotRead: number; accounts: number; transfers: number; snapshotWrite: number };
}

export interface IncrementalOptions {
  /** `acctnet recompute --full`. */
  full?: boolean;
  /** Wall clock (tests). */
  now?: number;
  progress?: (accountsLoaded: number, transfersRead: number) => void;
  /** Called after the transfers are read, before the chunks are read again (tests write there). */
  afterRows?: () => Promise<void>;
}

interface Chunk {
  batchId: string;
  written: number;
  minAt: number | null;
  maxAt: number | null;
  expectedChunks: number | null;
}

export function storeKey(config: Config): string {
  return `${config.neo4j.uri}|${config.neo4j.database ?? ''}`;
}

/** Loads the rows of [window.from, ∞) — the run feeds those up to its asOf — incrementally when it can. */
export async function loadRunWindow(
  driver: Driver,
  config: Config,
  window: { from: number; to: number },
  opts: IncrementalOptions = {},
): Promise<WindowLoad> {
  const now = opts.now ?? Date.now();
  const store = storeKey(config);
  const file = snapshotPath(config.analysis.snapshotDir, store);
  let why: string | null = null;
  let prev: { meta: SnapshotMeta; table: TransferTable } | null = null;
  const timings = { snapshotRead: 0, accounts: 0, transfers: 0, snapshotWrite: 0 };
  let mark = performance.now();
  const lap = (part: keyof typeof timings) => {
    const t = performance.now();
    timings[part] += Math.round(t - mark);
    mark = t;
  };
  if (!config.analysis.incremental) why = 'ACCTNET_INCREMENTAL=off';
  else if (opts.full) why = 'forced (recompute --full)';
  else {
    const s = readSnapshot(file);
    if (s === null) why = 'no snapshot of a previous run';
    else if ('error' in s) why = `snapshot ${s.error}`;
    else prev = s;
  }
  lap('snapshotRead');

  const session = driver.session({ ...sessionConfig(config.neo4j, 'READ'), fetchSize: 10_000 });
  try {
    const tx = session.beginTransaction();
    try {
      const { names, firstSeen } = await readAccounts(tx);
      const accountsLoaded = names.size;
      opts.progress?.(accountsLoaded, 0);
      lap('accounts');
      const readChunks = async () => {
        const chunks = new Map<string, Chunk>();
        for await (const r of tx.run(cypher('analysis/ingest-chunks')))
          chunks.set(r.get('key') as string, {
            batchId: r.get('batchId') as string,
            written: (r.get('written') as number | null) ?? 0,
            minAt: r.get('minAt') as number | null,
            maxAt: r.get('maxAt') as number | null,
            expectedChunks: r.get('expectedChunks') as number | null,
          });
        return chunks;
      };
      const chunks = await readChunks();
      const perBatch = new Map<string, number>();
      for (const c of chunks.values()) perBatch.set(c.batchId, (perBatch.get(c.batchId) ?? 0) + 1);
      const open = new Set<string>();
      for (const c of chunks.values()) if (c.expectedChunks === null || perBatch.get(c.batchId)! < c.expectedChunks) open.add(c.batchId);
      const total = await transfersTotal(tx);
      const pr = (await tx.run(cypher('analysis/transfers-pruned'))).records[0]!;
      const pruned = { deleted: pr.get('deleted') as number, before: pr.get('before') as number | null };

      // May the previous snapshot be trusted?
      let fresh: string[] = [];
      if (prev) {
        const m = prev.meta;
        const known = new Set(m.chunkKeys);
        fresh = [...chunks.keys()].filter((k) => !known.has(k));
        const written = fresh.reduce((s, k) => s + chunks.get(k)!.written, 0);
        const expected = m.total + written - (pruned.deleted - m.pruned.deleted);
        if (m.store !== store) why = 'snapshot of another store';
        else if (window.from < m.from) why = 'the window starts before the snapshot';
        else if (now - m.fullLoadAt >= config.analysis.fullLoadEveryDays * DAY)
          why = `scheduled: last full load ${new Date(m.fullLoadAt).toISOString()} (ACCTNET_FULL_LOAD_EVERY_DAYS=${config.analysis.fullLoadEveryDays})`;
        else if (fresh.some((k) => chunks.get(k)!.written > 0 && (chunks.get(k)!.minAt === null || chunks.get(k)!.maxAt === null)))
          why = 'an ingest chunk without a time range (written by an older version)';
        else if (total !== expected)
          why = `${total} transfers stored, ${expected} expected from the snapshot and ingest since (written or deleted outside ingest, or a deletion under way)`;
        else if (pruned.before !== m.pruned.before && pruned.before !== null && pruned.before > window.from)
          why = 'retention deleted transfers inside the window';
        if (why !== null) prev = null;
      }

      let table: TransferTable;
      let plan: LoadPlan | 'delta';
      let snapshotRows = 0;
      const reader = (t: TransferTable) =>
        new RowReader(
          tx,
          names,
          firstSeen,
          (from, to, minor, currency, at, channel, tag) => t.add(from, to, minor, currency, at, channel, tag),
          (read) => opts.progress?.(accountsLoaded, read),
        );
      let rows: RowReader;
      if (prev) {
        table = prev.table;
        table.retain((k) => table.at[k]! >= window.from);
        // Per batch with new chunks: the hull of their time ranges, clipped to the window.
        const ranges = new Map<string, { lo: number; hi: number }>();
        for (const k of fresh) {
          const c = chunks.get(k)!;
          if (c.written === 0 || c.minAt === null || c.maxAt === null) continue;
          const r = ranges.get(c.batchId);
          ranges.set(c.batchId, { lo: Math.min(r?.lo ?? Infinity, c.minAt), hi: Math.max(r?.hi ?? -Infinity, c.maxAt) });
        }
        const params: Array<{ batchId: string; lo: unknown; hi: unknown; open: boolean }> = [];
        for (const [batchId, r] of ranges) {
          const lo = Math.max(r.lo, window.from);
          if (r.hi < lo) continue;
          // Rows of this batch already held within the range are read again with the rest.
          const tag = table.tags.find(batchId);
          if (tag !== undefined) table.retain((k) => !(table.tag[k] === tag && table.at[k]! >= lo && table.at[k]! <= r.hi));
          params.push({ batchId, lo: int(lo), hi: int(r.hi), open: open.has(batchId) });
        }
        snapshotRows = table.n;
        rows = reader(table);
        if (params.length) await rows.rows('analysis/load-transfers-delta', { ranges: params });
        plan = 'delta';
      } else {
        table = new TransferTable();
        rows = reader(table);
        plan = await choosePlan(tx, window, total);
        // Open-ended: the snapshot holds what lies beyond this run's asOf too (a later run's window).
        await readWindowRows(rows, { from: window.from, to: Number.MAX_SAFE_INTEGER }, plan, [...open], window.to);
      }
      await rows.finish();
      await opts.afterRows?.();
      const after = await readChunks();
      const stable = after.size === chunks.size && [...after.keys()].every((k) => chunks.has(k));
      await tx.commit();
      lap('transfers');

      const incremental = plan === 'delta';
      const result: WindowLoad = {
        table,
        firstSeen,
        accountsLoaded,
        transfersRead: rows.read,
        snapshotRows,
        lateAccounts: rows.lateAccounts,
        unresolved: rows.unresolved,
        plan,
        mode: incremental ? 'incremental' : 'full',
        reason: incremental ? `snapshot of ${new Date(prev!.meta.writtenAt).toISOString()}, ${fresh.length} new ingest chunks` : why!,
        snapshot: { saved: false, reason: null, bytes: 0 },
        timings,
      };
      if (!config.analysis.incremental) result.snapshot.reason = 'ACCTNET_INCREMENTAL=off';
      else if (!stable) result.snapshot.reason = 'ingest committed while the run loaded';
      else {
        const meta: SnapshotMeta = {
          store,
          from: window.from,
          chunkKeys: [...chunks.keys()],
          total,
          pruned,
          fullLoadAt: incremental ? prev!.meta.fullLoadAt : now,
          writtenAt: now,
        };
        try {
          result.snapshot.bytes = writeSnapshot(file, meta, table);
          result.snapshot.saved = true;
        } catch (err) {
          result.snapshot.reason = `not written: ${(err as Error).message}`;
        }
        lap('snapshotWrite');
      }
      return result;
    } catch (err) {
      if (tx.isOpen()) await tx.rollback().catch(() => {});
      throw err;
    }
  } finally {
    await session.close();
  }
}

/** Deletes the store's snapshot (the next run loads in full). */
export function dropSnapshot(config: Config): void {
  fs.rmSync(snapshotPath(config.analysis.snapshotDir, storeKey(config)), { force: true });
}
