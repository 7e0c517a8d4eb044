// The window's transfers as the load read them (raw: minor units and currency, not yet converted),
// in columns, and their snapshot on the analysis host's disk: what an incremental run starts from
// (src/runs/incremental.ts, docs/analysis.md "Incremental runs").
//
// The analysis is fed from this table in one canonical order (canonicalOrder): by time, then the
// accounts' ids, the amount, the currency and the channel. The aggregator's account and pair
// indexes, its channel table and its floating-point sums follow the order it is fed in; feeding
// every run in the same order — whatever order Neo4j or the snapshot returned the rows in — is what
// makes an incremental run's results identical to a full run's, bit for bit.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

function grow<T extends Float64Array | Uint32Array | Uint16Array | Int32Array>(a: T, size: number): T {
  if (size <= a.length) return a;
  let cap = Math.max(a.length, 1024);
  while (cap < size) cap *= 2;
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a);
  return b;
}

/** One table of interned strings (account ids, currencies, channels, batch tags). */
class Interned<T extends string | null> {
  readonly values: T[] = [];
  private readonly index = new Map<T, number>();
  constructor(values: T[] = []) {
    for (const v of values) this.get(v);
  }
  get(v: T): number {
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(v);
      this.index.set(v, i);
    }
    return i;
  }
  find(v: T): number | undefined {
    return this.index.get(v);
  }
}

export class TransferTable {
  n = 0;
  ids: Interned<string>;
  currencies: Interned<string>;
  channels: Interned<string | null>;
  /** Batches whose rows carry a tag: those still open (more chunks to come) when the rows were read. */
  tags: Interned<string>;
  from = new Uint32Array(1024);
  to = new Uint32Array(1024);
  minor = new Float64Array(1024);
  at = new Float64Array(1024);
  currency = new Uint16Array(1024);
  channel = new Uint16Array(1024);
  /** Index into `tags`, or -1. */
  tag = new Int32Array(1024);

  constructor(tables?: { ids: string[]; currencies: string[]; channels: Array<string | null>; tags: string[] }) {
    this.ids = new Interned(tables?.ids);
    this.currencies = new Interned(tables?.currencies);
    this.channels = new Interned(tables?.channels);
    this.tags = new Interned(tables?.tags);
  }

  add(from: string, to: string, minor: number, currency: string, at: number, channel: string | null, tag: string | null): void {
    const k = this.n++;
    if (k >= this.from.length) this.reserve(k + 1);
    this.from[k] = this.ids.get(from);
    this.to[k] = this.ids.get(to);
    this.minor[k] = minor;
    this.at[k] = at;
    const c = this.currencies.get(currency);
    const ch = this.channels.get(channel);
    if (c > 65535 || ch > 65535) throw new Error('acctnet/runs/transfer-table: more than 65,536 currencies or channels');
    this.currency[k] = c;
    this.channel[k] = ch;
    this.tag[k] = tag === null ? -1 : this.tags.get(tag);
  }

  private reserve(size: number): void {
    this.from = grow(this.from, size);
    this.to = grow(this.to, size);
    this.minor = grow(this.minor, size);
    this.at = grow(this.at, size);
    this.currency = grow(this.currency, size);
    this.channel = grow(this.channel, size);
    this.tag = grow(this.tag, size);
  }

  /** Keeps the rows `keep` accepts (in place, order kept); returns how many were dropped. */
  retain(keep: (k: number) => boolean): number {
    let w = 0;
    for (let k = 0; k < this.n; k++) {
      if (!keep(k)) continue;
      if (w !== k) {
        this.from[w] = this.from[k]!;
        this.to[w] = this.to[k]!;
        this.minor[w] = this.minor[k]!;
        this.at[w] = this.at[k]!;
        this.currency[w] = this.currency[k]!;
        this.channel[w] = this.channel[k]!;
        this.tag[w] = this.tag[k]!;
      }
      w++;
    }
    const dropped = this.n - w;
    this.n = w;
    return dropped;
  }

  /**
   * Row indexes in the canonical order: by time, then sender id, receiver id, amount, currency,
   * channel (rows equal in all of these are interchangeable). Bucketed by minute (O(n)), then each
   * minute sorted.
   */
  canonicalOrder(): Uint32Array {
    const n = this.n;
    const order = new Uint32Array(n);
    if (n === 0) return order;
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < n; k++) {
      const a = this.at[k]!;
      if (a < lo) lo = a;
      if (a > hi) hi = a;
    }
    const rank = (values: ReadonlyArray<string | null>) => {
      const r = new Uint32Array(values.length);
      Array.from({ length: values.length }, (_, i) => i)
        .sort((a, b) => {
          const x = values[a] ?? null;
          const y = values[b] ?? null;
          if (x === y) return 0;
          if (x === null) return -1;
          if (y === null) return 1;
          return x < y ? -1 : 1;
        })
        .forEach((i, k) => (r[i] = k));
      return r;
    };
    const idRank = rank(this.ids.values);
    const curRank = rank(this.currencies.values);
    const chRank = rank(this.channels.values);
    const minutes = Math.floor((hi - lo) / 60_000) + 1;
    const starts = new Uint32Array(minutes + 1);
    for (let k = 0; k < n; k++) starts[Math.floor((this.at[k]! - lo) / 60_000) + 1]!++;
    for (let b = 1; b <= minutes; b++) starts[b]! += starts[b - 1]!;
    for (let k = 0; k < n; k++) order[starts[Math.floor((this.at[k]! - lo) / 60_000)]!++] = k;
    const cmp = (p: number, q: number) =>
      this.at[p]! - this.at[q]! ||
      idRank[this.from[p]!]! - idRank[this.from[q]!]! ||
      idRank[this.to[p]!]! - idRank[this.to[q]!]! ||
      this.minor[p]! - this.minor[q]! ||
      curRank[this.currency[p]!]! - curRank[this.currency[q]!]! ||
      chRank[this.channel[p]!]! - chRank[this.channel[q]!]!;
    for (let b = 0, start = 0; b < minutes; b++) {
      const end = starts[b]!;
      if (end - start > 1) order.subarray(start, end).sort(cmp);
      start = end;
    }
    return order;
  }

  /** A copy whose string tables hold only what the rows use (ids of accounts whose rows left the window go). */
  compacted(): TransferTable {
    const out = new TransferTable();
    out.reserve(this.n);
    for (let k = 0; k < this.n; k++) {
      const t = this.tag[k]!;
      out.add(
        this.ids.values[this.from[k]!]!,
        this.ids.values[this.to[k]!]!,
        this.minor[k]!,
        this.currencies.values[this.currency[k]!]!,
        this.at[k]!,
        this.channels.values[this.channel[k]!] ?? null,
        t < 0 ? null : this.tags.values[t]!,
      );
    }
    return out;
  }
}

/** What a snapshot was taken of: checked before the next run starts from it (src/runs/incremental.ts). */
export interface SnapshotMeta {
  /** The store it was read from (NEO4J_URI and database). */
  store: string;
  /** Rows with `at` ≥ this (the window's start), with no upper bound. */
  from: number;
  /** The ingest chunks (IngestChunk.key) whose transfers are in it. */
  chunkKeys: string[];
  /** Stored transfers in all when it was read (the count store). */
  total: number;
  /** Transfers retention had deleted in all, and the latest `before` it deleted under (RetentionState 'transfers-pruned'). */
  pruned: { deleted: number; before: number | null };
  /** Wall-clock time of the full load this snapshot descends from (ACCTNET_FULL_LOAD_EVERY_DAYS). */
  fullLoadAt: number;
  /** Wall-clock time it was written. */
  writtenAt: number;
}

const MAGIC = 'ACCTNET-SNAPSHOT-1\n';

/** The snapshot file of a store, under ACCTNET_SNAPSHOT_DIR. */
export function snapshotPath(dir: string, store: string): string {
  return path.join(dir, `window-${crypto.createHash('sha256').update(store).digest('hex').slice(0, 16)}.snap`);
}

const COLUMNS = ['from', 'to', 'minor', 'at', 'currency', 'channel', 'tag'] as const;

/** Writes the snapshot atomically (a temporary file, then a rename). */
export function writeSnapshot(file: string, meta: SnapshotMeta, table: TransferTable): number {
  // Compacted only when a fifth or more of the ids are no longer used (accounts that left the window).
  const used = new Uint8Array(table.ids.values.length);
  let distinct = 0;
  for (let k = 0; k < table.n; k++)
    for (const x of [table.from[k]!, table.to[k]!])
      if (!used[x]) {
        used[x] = 1;
        distinct++;
      }
  const t = distinct * 1.25 < table.ids.values.length ? table.compacted() : table;
  const header = Buffer.from(
    JSON.stringify({
      meta,
      n: t.n,
      ids: t.ids.values,
      currencies: t.currencies.values,
      channels: t.channels.values,
      tags: t.tags.values,
    }),
  );
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  const parts: Buffer[] = [Buffer.from(MAGIC), len, header];
  for (const c of COLUMNS) {
    const a = t[c];
    parts.push(Buffer.from(a.buffer, a.byteOffset, t.n * a.BYTES_PER_ELEMENT));
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  let bytes = 0;
  try {
    for (const p of parts) {
      fs.writeSync(fd, p);
      bytes += p.length;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return bytes;
}

/** Reads a snapshot; null when there is none, or it is unreadable (a full load follows, saying why). */
export function readSnapshot(file: string): { meta: SnapshotMeta; table: TransferTable } | { error: string } | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { error: `unreadable: ${(err as Error).message}` };
  }
  try {
    if (buf.subarray(0, MAGIC.length).toString() !== MAGIC) return { error: 'not a snapshot of this format' };
    let off = MAGIC.length;
    const len = Number(buf.readBigUInt64LE(off));
    off += 8;
    const h = JSON.parse(buf.subarray(off, off + len).toString()) as {
      meta: SnapshotMeta;
      n: number;
      ids: string[];
      currencies: string[];
      channels: Array<string | null>;
      tags: string[];
    };
    off += len;
    const table = new TransferTable(h);
    const n = h.n;
    for (const c of COLUMNS) {
      const proto = table[c];
      const bytes = n * proto.BYTES_PER_ELEMENT;
      if (off + bytes > buf.length) return { error: 'truncated' };
      // Copied into a fresh (aligned) buffer: the file's offsets need not be.
      const copy = new Uint8Array(Math.max(1024 * proto.BYTES_PER_ELEMENT, bytes));
      copy.set(buf.subarray(off, off + bytes));
      (table as unknown as Record<string, unknown>)[c] = new (proto.constructor as new (b: ArrayBuffer) => typeof proto)(copy.buffer);
      off += bytes;
    }
    if (off !== buf.length) return { error: 'trailing bytes' };
    table.n = n;
    return { meta: h.meta, table };
  } catch (err) {
    return { error: `unreadable: ${(err as Error).message}` };
  }
}
