// The files of Neo4j's offline importer (`neo4j-admin database import full`) that a bulk back-fill
// writes: CSV with a typed header line, strings quoted when they need it (a doubled quote inside;
// an empty string is always quoted), null as an empty unquoted field (the importer then stores no
// property, as the streaming path's null does).
import fs from 'node:fs';
import path from 'node:path';
import type { TransferRecord } from './record.js';

export interface BulkFiles {
  dir: string;
  accounts: string;
  transfers: string;
  batch: string;
  chunks: string;
  rejected: string;
}

export function bulkFiles(dir: string): BulkFiles {
  return {
    dir,
    accounts: path.join(dir, 'accounts.csv'),
    transfers: path.join(dir, 'transfers.csv'),
    batch: path.join(dir, 'ingest-batch.csv'),
    chunks: path.join(dir, 'ingest-chunks.csv'),
    rejected: path.join(dir, 'rejected-rows.csv'),
  };
}

/** The header lines: the same properties and types the streaming path's Cypher writes (cypher/ingest). */
export const HEADERS = {
  accounts: 'id:ID(Account),firstSeenAt:long,createdAt:long',
  transfers: 'txId,:START_ID(Account),:END_ID(Account),amount:long,currency,at:long,channel,batchId',
  batch: 'id,source,name,createdAt:long,expectedChunks:long,expectedRows:long,readAt:long,bulk:boolean',
  chunks: 'key,batchId,seq:long,received:long,written:long,duplicates:long,rejected:long,at:long',
  rejected: 'batchId,seq:long,line:long,reason,raw,txId',
} as const;

/** `--nodes` / `--relationships` arguments of `neo4j-admin database import full`, label by label. */
export function importArguments(files: BulkFiles): string[] {
  return [
    `--nodes=Account=${files.accounts}`,
    `--nodes=IngestBatch=${files.batch}`,
    `--nodes=IngestChunk=${files.chunks}`,
    `--nodes=RejectedRow=${files.rejected}`,
    `--relationships=TRANSFER=${files.transfers}`,
    // A rejected row's raw text can span lines (an unreadable CSV record); only that file is parsed
    // the slow multi-line way.
    '--multiline-fields-format=v2',
    `--multiline-fields=${files.rejected}`,
  ];
}

/** A transfer's line in the importer's relationship file (columns of HEADERS.transfers). */
export function transferLine(t: TransferRecord, batchId: string): string {
  return `${quoted(t.txId)},${quoted(t.from)},${quoted(t.to)},${t.amount},${quoted(t.currency)},${t.at},${quoted(t.channel)},${quoted(batchId)}`;
}

/** The transfer a line of the relationship file holds (the inverse of {@link transferLine}). */
export function transferFromLine(line: string): TransferRecord {
  const [txId, from, to, amount, currency, at, channel] = parseLine(line);
  return { txId: txId!, from: from!, to: to!, amount: Number(amount), currency: currency!, at: Number(at), channel: channel ?? null };
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** A string field: quoted only when it must be (a comma, quote or line break, edge spaces, empty). */
export function quoted(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (value !== '' && !NEEDS_QUOTES.test(value)) return value;
  return `"${value.replaceAll('"', '""')}"`;
}

/** Splits one line written by {@link CsvOut} back into fields (quoted or bare values; empty and unquoted = null). */
export function parseLine(line: string): Array<string | null> {
  const fields: Array<string | null> = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`acctnet/ingest/bulk: unterminated quote in ${line}`);
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      i++; // the comma
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(end === i ? null : line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

/**
 * An append-only CSV file with a write buffer and the byte offset of every line, so a line written
 * earlier can be read back (the bulk converter compares a repeated tx_id with what it kept).
 */
export class CsvOut {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushedBytes = 0;

  constructor(
    readonly file: string,
    header: string,
  ) {
    this.fd = fs.openSync(file, 'w+');
    this.write(header);
  }

  /** Appends a line; returns its byte offset in the file. */
  write(line: string): number {
    const offset = this.flushedBytes + this.pendingBytes;
    const text = `${line}\n`;
    this.pending.push(text);
    this.pendingBytes += Buffer.byteLength(text);
    if (this.pendingBytes >= 1 << 20) this.flush();
    return offset;
  }

  get bytes(): number {
    return this.flushedBytes + this.pendingBytes;
  }

  flush(): void {
    if (this.pendingBytes === 0) return;
    const buf = Buffer.from(this.pending.join(''));
    let done = 0;
    while (done < buf.length) done += fs.writeSync(this.fd, buf, done, buf.length - done, this.flushedBytes + done);
    this.flushedBytes += buf.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  readLineAt(offset: number): string {
    if (offset >= this.flushedBytes) this.flush();
    let size = 4096;
    for (;;) {
      const buf = Buffer.alloc(size);
      const n = fs.readSync(this.fd, buf, 0, size, offset);
      const nl = buf.subarray(0, n).indexOf(10);
      if (nl >= 0) return buf.subarray(0, nl).toString('utf8');
      if (n < size) return buf.subarray(0, n).toString('utf8');
      size *= 4;
    }
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/**
 * A Map that grows past V8's limit of 2^24 entries per Map by starting another one when the current
 * one is full. Up to 8M keys it is one Map and one lookup.
 */
export class LargeMap<V> {
  private static readonly PER_MAP = 1 << 23;
  private readonly maps: Array<Map<string, V>> = [new Map()];

  get(key: string): V | undefined {
    for (const m of this.maps) {
      const v = m.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Adds a key that get() just did not find. */
  add(key: string, value: V): void {
    let last = this.maps[this.maps.length - 1]!;
    if (last.size >= LargeMap.PER_MAP) this.maps.push((last = new Map()));
    last.set(key, value);
  }

  set(key: string, value: V): void {
    for (const m of this.maps) {
      if (m.has(key)) {
        m.set(key, value);
        return;
      }
    }
    this.add(key, value);
  }

  get size(): number {
    return this.maps.reduce((n, m) => n + m.size, 0);
  }

  *entries(): Generator<[string, V]> {
    for (const m of this.maps) yield* m;
  }
}

/**
 * The tx_ids a bulk conversion has written, as 64-bit hashes and line offsets in typed arrays (open
 * addressing, linear probing): no string is kept, so the garbage collector never walks ten million
 * keys, and a lookup is a hash and a probe instead of a Map's. A slot whose hash equals the key's is
 * only a candidate — `find` confirms it with `isKey` (the caller reads the line back), so a hash
 * collision can cost a read, never a wrong answer.
 */
export class TxIdIndex {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** Line offset + 1 (0: an empty slot). */
  private at: Float64Array;
  private mask: number;
  private count = 0;
  /** The key `find` hashed last, so that `add` right after it does not hash it again. */
  private lastKey: string | null = null;
  private lastHash: [number, number] = [0, 0];

  constructor(
    capacity = 1 << 16,
    private readonly hash: (key: string) => [number, number] = txIdHash,
  ) {
    let size = 16;
    while (size < capacity) size *= 2;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.at = new Float64Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The offset stored for `key` (confirmed by `isKey(offset)`), or undefined. */
  find(key: string, isKey: (offset: number) => boolean): number | undefined {
    const [h, l] = this.hashOf(key);
    for (let i = l & this.mask; this.at[i] !== 0; i = (i + 1) & this.mask) {
      if (this.hi[i] === h && this.lo[i] === l && isKey(this.at[i]! - 1)) return this.at[i]! - 1;
    }
    return undefined;
  }

  /** Adds a key that `find` just did not find. */
  add(key: string, offset: number): void {
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    const [h, l] = this.hashOf(key);
    this.put(h, l, offset + 1);
    this.count++;
  }

  private hashOf(key: string): [number, number] {
    if (key !== this.lastKey) {
      this.lastHash = this.hash(key);
      this.lastKey = key;
    }
    return this.lastHash;
  }

  private put(h: number, l: number, at: number): void {
    let i = l & this.mask;
    while (this.at[i] !== 0) i = (i + 1) & this.mask;
    this.hi[i] = h;
    this.lo[i] = l;
    this.at[i] = at;
  }

  private grow(): void {
    const { hi, lo, at } = this;
    const size = (this.mask + 1) * 2;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.at = new Float64Array(size);
    this.mask = size - 1;
    for (let i = 0; i < at.length; i++) if (at[i] !== 0) this.put(hi[i]!, lo[i]!, at[i]!);
  }
}

/** Two independent 32-bit hashes of a string's UTF-16 code units (FNV-1a, and a multiply-rotate mix). */
export function txIdHash(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9 ^ key.length;
  for (let k = 0; k < key.length; k++) {
    const c = key.charCodeAt(k);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x85ebca6b);
    b = (b << 13) | (b >>> 19);
  }
  b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35);
  b ^= b >>> 13;
  return [a >>> 0, b >>> 0];
}
