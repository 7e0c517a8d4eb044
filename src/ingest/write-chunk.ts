// Writes one ingest job (a chunk of a batch) into Neo4j in a single transaction, exactly once.
//
// Why it is shaped like this (see docs/graph-model.md, "Ingest"):
// - A uniqueness violation aborts the whole UNWIND transaction, not one row. So the job first reads
//   which of its tx_ids exist, compares their content, and only creates the new ones.
// - The IngestChunk marker is created in the same transaction as the transfers: a job retried after
//   its commit (worker SIGKILLed before acknowledging) finds the marker and changes nothing.
// - Accounts are looked up without locks and addressed by element id afterwards; only new accounts
//   are MERGEd (in id order) and firstSeenAt is only written when a back-fill moves it earlier.
//   Per-account counters are not maintained at ingest (the analysis computes activity from the
//   transfers), so concurrent jobs touching the same hub contend only on relationship creation.
import type { Driver, Integer, ManagedTransaction } from 'neo4j-driver';
import type { Neo4jConfig } from '../config/index.js';
import { int, toNumber } from '../neo4j/convert.js';
import { cypher } from '../neo4j/cypher.js';
import { txRunner } from '../neo4j/session.js';
import type { IngestJobData } from '../queue/ingest-queue.js';
import { clipRaw } from './read-rows.js';
import { describeConflict, validateRow, type TransferRecord, type ValidationRules } from './record.js';

export interface ChunkOutcome {
  received: number;
  written: number;
  duplicates: number;
  rejected: number;
  /** True when the job had already been written by an earlier attempt. */
  replayed: boolean;
}

interface RejectRecord {
  line: number;
  reason: string;
  raw: string;
  txId: string | null;
}

/** The record as read; a job queued before rows carried it falls back to its mapped fields as JSON. */
function rawText(row: { raw?: string; fields?: unknown }): string {
  return clipRaw(row.raw ?? JSON.stringify(row.fields));
}

export interface Classified {
  fresh: Array<TransferRecord & { line: number; raw: string }>;
  rejects: RejectRecord[];
  duplicates: number;
}

/** One row validated: the transfer it holds, or why it is rejected. */
export type CheckedRow =
  | { ok: true; line: number; raw: string; transfer: TransferRecord }
  | { ok: false; line: number; raw: string; reason: string; txId: string | null };

/** Validation of one row (the per-row half of {@link classifyRows}; the bulk conversion's threads run it). */
export function checkRow(row: IngestJobData['rows'][number], rules: ValidationRules): CheckedRow {
  const v = validateRow(row.fields, rules);
  if (v.ok) return { ok: true, line: row.line, raw: rawText(row), transfer: v.transfer };
  const txId = row.fields.tx_id;
  return {
    ok: false,
    line: row.line,
    raw: rawText(row),
    reason: v.reason,
    txId: txId === null || txId === undefined ? null : String(txId),
  };
}

/** In-job de-duplication of checked rows, in row order (the other half of {@link classifyRows}). */
export function settleRows(checked: readonly CheckedRow[], preRejected: IngestJobData['rejected']): Classified {
  const rejects: RejectRecord[] = preRejected.map((r) => ({ line: r.line, reason: r.reason, raw: clipRaw(r.raw), txId: r.txId ?? null }));
  const byTxId = new Map<string, TransferRecord & { line: number; raw: string }>();
  let duplicates = 0;
  for (const row of checked) {
    if (!row.ok) {
      rejects.push({ line: row.line, reason: row.reason, raw: row.raw, txId: row.txId });
      continue;
    }
    const earlier = byTxId.get(row.transfer.txId);
    if (earlier) {
      const conflict = describeConflict(earlier, row.transfer);
      if (conflict) {
        rejects.push({ line: row.line, reason: `${conflict} (line ${earlier.line} of this batch)`, raw: row.raw, txId: row.transfer.txId });
      } else {
        duplicates++;
      }
      continue;
    }
    const t = row.transfer;
    // An object literal, not a spread: one shape for every row (the bulk conversion settles millions).
    byTxId.set(t.txId, {
      txId: t.txId,
      from: t.from,
      to: t.to,
      amount: t.amount,
      currency: t.currency,
      at: t.at,
      channel: t.channel,
      line: row.line,
      raw: row.raw,
    });
  }
  return { fresh: [...byTxId.values()], rejects, duplicates };
}

/** Validation and in-job de-duplication: pure, before any database work. */
export function classifyRows(job: IngestJobData, rules: ValidationRules): Classified {
  return settleRows(
    job.rows.map((row) => checkRow(row, rules)),
    job.rejected,
  );
}

function rowToTransfer(r: { get(key: string): unknown }): TransferRecord {
  return {
    txId: r.get('txId') as string,
    from: r.get('from') as string,
    to: r.get('to') as string,
    amount: toNumber(r.get('amount')),
    currency: r.get('currency') as string,
    at: toNumber(r.get('at')),
    channel: (r.get('channel') as string | null) ?? null,
  };
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function createTransfers(tx: ManagedTransaction, batchId: string, key: string, toCreate: TransferRecord[]): Promise<void> {
  // Earliest transfer per account in this batch.
  const firstAt = new Map<string, number>();
  for (const t of toCreate) {
    for (const id of [t.from, t.to]) {
      const seen = firstAt.get(id);
      if (seen === undefined || t.at < seen) firstAt.set(id, t.at);
    }
  }
  const ids = [...firstAt.keys()].sort(byString);
  const found = (await tx.run(cypher('ingest/find-accounts'), { ids, firstAts: ids.map((id) => firstAt.get(id)!) })).records[0];
  const eid = new Map<string, string>();
  const widen: Array<{ eid: string; firstAt: Integer }> = [];
  if (found) {
    const idx = found.get('found') as unknown[];
    const eids = found.get('eids') as string[];
    const widens = found.get('widen') as boolean[];
    for (let k = 0; k < idx.length; k++) {
      const id = ids[toNumber(idx[k])]!;
      eid.set(id, eids[k]!);
      if (widens[k]) widen.push({ eid: eids[k]!, firstAt: int(firstAt.get(id)!) });
    }
  }
  const missing = ids.filter((id) => !eid.has(id));
  if (missing.length > 0) {
    const created = await tx.run(cypher('ingest/create-accounts'), {
      accounts: missing.map((id) => ({ id, firstAt: int(firstAt.get(id)!) })),
    });
    for (const r of created.records) eid.set(r.get('id') as string, r.get('eid') as string);
  }
  if (widen.length > 0) await tx.run(cypher('ingest/widen-first-seen'), { accounts: widen });

  toCreate.sort((a, b) => byString(a.from, b.from) || byString(a.to, b.to));
  const n = toCreate.length;
  const txIds = new Array<string>(n);
  const fromEids = new Array<string>(n);
  const toEids = new Array<string>(n);
  const amounts = new Array<number>(n);
  const ats = new Array<number>(n);
  const currencies = new Array<string>(n);
  const channels = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const t = toCreate[i]!;
    txIds[i] = t.txId;
    fromEids[i] = eid.get(t.from)!;
    toEids[i] = eid.get(t.to)!;
    amounts[i] = t.amount;
    ats[i] = t.at;
    currencies[i] = t.currency;
    channels[i] = t.channel;
  }
  const created = await tx.run(cypher('ingest/create-transfers'), {
    batchId,
    txIds,
    fromEids,
    toEids,
    amounts,
    ats,
    currencies,
    channels,
  });
  const count = toNumber(created.records[0]?.get('created') ?? 0);
  if (count !== n) {
    throw new Error(`acctnet/ingest: created ${count} of ${n} transfers in ${key}; the transaction is rolled back`);
  }
}

/** The job's statements inside a caller's transaction (bench/ingest-profile.ts times each one). */
export async function writeInTransaction(
  tx: ManagedTransaction,
  job: IngestJobData,
  classified: Classified,
  created: TransferRecord[],
): Promise<ChunkOutcome> {
  created.length = 0;
  const key = `${job.batchId}#${job.seq}`;
  const received = job.rows.length + job.rejected.length;
  const done = await tx.run(cypher('ingest/chunk-result'), { key });
  const prior = done.records[0];
  if (prior) {
    return {
      received: toNumber(prior.get('received')),
      written: toNumber(prior.get('written')),
      duplicates: toNumber(prior.get('duplicates')),
      rejected: toNumber(prior.get('rejected')),
      replayed: true,
    };
  }

  const rejects = [...classified.rejects];
  let duplicates = classified.duplicates;
  const existing = await tx.run(cypher('ingest/existing-transfers'), { txIds: classified.fresh.map((t) => t.txId) });
  const stored = new Map(existing.records.map((r) => [r.get('txId') as string, rowToTransfer(r)]));
  const toCreate: Array<TransferRecord & { line: number; raw: string }> = [];
  for (const t of classified.fresh) {
    const s = stored.get(t.txId);
    if (!s) {
      toCreate.push(t);
      continue;
    }
    const conflict = describeConflict(s, t);
    if (conflict) rejects.push({ line: t.line, reason: conflict, raw: t.raw, txId: t.txId });
    else duplicates++;
  }

  if (toCreate.length > 0) await createTransfers(tx, job.batchId, key, toCreate);
  created.push(...toCreate);

  rejects.sort((a, b) => a.line - b.line);
  const outcome = { received, written: toCreate.length, duplicates, rejected: rejects.length, replayed: false };
  await tx.run(cypher('ingest/record-chunk'), {
    key,
    batchId: job.batchId,
    seq: int(job.seq),
    received: int(outcome.received),
    written: int(outcome.written),
    duplicates: int(outcome.duplicates),
    rejected: int(outcome.rejected),
    // The time range of what it wrote: an incremental run re-reads its batch within it (src/runs/incremental.ts).
    minAt: toCreate.length ? int(toCreate.reduce((m, t) => Math.min(m, t.at), Infinity)) : null,
    maxAt: toCreate.length ? int(toCreate.reduce((m, t) => Math.max(m, t.at), -Infinity)) : null,
    rejects: rejects.map((r) => ({ ...r, line: int(r.line) })),
  });
  return outcome;
}

export async function writeIngestChunk(
  driver: Driver,
  neo4jCfg: Neo4jConfig,
  job: IngestJobData,
  rules: ValidationRules,
  /** Receives the transfers this call created, after the commit (none when the job was written before). */
  onCreated?: (transfers: readonly TransferRecord[]) => void,
): Promise<ChunkOutcome> {
  const classified = classifyRows(job, rules);
  const created: TransferRecord[] = [];
  const outcome = await txRunner(driver, neo4jCfg).write((tx) => writeInTransaction(tx, job, classified, created));
  if (!outcome.replayed) onCreated?.(created);
  return outcome;
}
