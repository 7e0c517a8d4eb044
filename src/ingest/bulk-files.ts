// The files of Neo4j's offline importer (`neo4j-admin database import full`) that a bulk back-fill
// writes: CSV with a typed header line, every string quoted (a doubled quote inside), null as an
// empty unquoted field (the importer then stores no property, as the streaming path's null does).
import fs from 'node:fs';
import path from 'node:path';

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

export function quoted(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return `"${value.replaceAll('"', '""')}"`;
}

/** Splits one line written by {@link CsvOut} back into fields (quoted strings, bare numbers, empty = null). */
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
 * Map split into shards: a single V8 Map holds at most 2^24 entries, and a back-fill can have more
 * tx_ids than that.
 */
export class ShardedMap<V> {
  private readonly shards: Array<Map<string, V>>;

  constructor(shardCount = 64) {
    this.shards = Array.from({ length: shardCount }, () => new Map<string, V>());
  }

  private shard(key: string): Map<string, V> {
    // FNV-1a over the key's UTF-16 units.
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
      h ^= key.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return this.shards[(h >>> 0) % this.shards.length]!;
  }

  get(key: string): V | undefined {
    return this.shard(key).get(key);
  }

  set(key: string, value: V): void {
    this.shard(key).set(key, value);
  }

  get size(): number {
    return this.shards.reduce((n, s) => n + s.size, 0);
  }

  *entries(): Generator<[string, V]> {
    for (const s of this.shards) yield* s;
  }
}
