// Streams rows out of a CSV or NDJSON file, renaming source columns to canonical fields.
// Constant memory: one record at a time; the caller applies back-pressure by not pulling.
import { parse as parseCsv, type CsvError } from 'csv-parse';
import fs from 'node:fs';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { CANONICAL_FIELDS, ID_FIELDS, numericIdProblem, REQUIRED_FIELDS, type CanonicalField, type RawFields } from './record.js';

export type ColumnMap = Partial<Record<CanonicalField, string>>;
export type FileFormat = 'csv' | 'ndjson';

/** `raw` is the record as read (a CSV record without its line ending, an NDJSON line, a POST element as JSON). */
export type ReadItem =
  | { kind: 'row'; line: number; fields: RawFields; raw: string }
  | { kind: 'rejected'; line: number; reason: string; raw: string; txId?: string };

/** Longest raw record kept with a rejected row; longer ones are cut and say how long they were. */
export const MAX_RAW_LENGTH = 10_000;

/**
 * Longest field value an ingest job carries (the queue's payload schema, src/queue/ingest-queue.ts).
 * A longer one is rejected as its row is read: queued, it would fail the whole job — every good row
 * of it — as a malformed payload.
 */
export const MAX_FIELD_LENGTH = 100_000;

/**
 * What is wrong with a row's fields before any rule of the worker applies, or undefined: a value too
 * long to queue, or text that was not UTF-8 (the decoder put U+FFFD where bytes were invalid: two
 * different Latin-1 ids would become the same id and one row would vanish as its duplicate).
 */
export function fieldsProblem(fields: RawFields): string | undefined {
  for (const name in fields) {
    const v = fields[name as CanonicalField];
    if (typeof v !== 'string') continue;
    if (v.length > MAX_FIELD_LENGTH) return `${name} is ${v.length} characters long (at most ${MAX_FIELD_LENGTH} can be read)`;
    if (v.includes('\uFFFD'))
      return `${name} holds bytes that are not UTF-8 (shown as U+FFFD; is the file Latin-1 or Windows-1252? convert it to UTF-8)`;
  }
  return undefined;
}

/**
 * An amount sent as a JSON number with more significant digits than a double keeps (15): the parser
 * has already rounded it, so the amount stored would not be the one sent (9000000.000000001 arrives as
 * 9000000.000000002). Refused with the advice to send it as a string, as ids are.
 */
export function numericAmountProblem(field: string, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const digits = String(Math.abs(value))
    .replace(/e[+-]?\d+$/i, '')
    .replace('.', '')
    .replace(/^0+/, '');
  if (digits.length <= 15) return undefined;
  return `${field} is the JSON number ${String(value)}, which has more significant digits than a JSON number keeps (15): it may not be the amount that was sent; send amounts as strings, e.g. "${field}": "9000000.000000001"`;
}

/**
 * CSV record ends: LF, CRLF or a lone CR, also mixed in one file (a file whose header ends in CRLF and
 * whose rows end in LF — files joined from two sources — would otherwise be read as one record).
 * Shared with `labels import`.
 */
export const CSV_RECORD_DELIMITERS = ['\r\n', '\n', '\r'];

/** The columns of `read` that `header` names more than once (whichever came last would decide the value). */
export function repeatedColumns(header: readonly string[], read: readonly string[]): string[] {
  return [...new Set(read.filter((name) => header.indexOf(name) !== header.lastIndexOf(name)))];
}

/** The text without one line end at its end (LF, CRLF or CR): `.replace(/\r?\n$/, '').replace(/\r$/, '')` without a regex scan. */
export function stripLineEnd(raw: string): string {
  let end = raw.length;
  if (raw.charCodeAt(end - 1) === 10) {
    end--;
    if (raw.charCodeAt(end - 1) === 13) end--;
  }
  if (raw.charCodeAt(end - 1) === 13) end--;
  return end === raw.length ? raw : raw.slice(0, end);
}

/** The original record text for the rejects file, without its line ending, bounded. */
export function clipRaw(raw: string): string {
  const s = stripLineEnd(raw);
  return s.length > MAX_RAW_LENGTH ? `${s.slice(0, MAX_RAW_LENGTH)}… (cut: ${s.length} characters)` : s;
}

export class InputError extends Error {
  constructor(message: string) {
    super(`acctnet/ingest: ${message}`);
    this.name = 'InputError';
  }
}

/** A refused `--format`, or a file name that says no format: the caller's usage error (CLI exit 64). */
export class FormatError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

/** Parses `--map canonical=source` options, rejecting unknown canonical names. */
export function parseColumnMap(pairs: readonly string[]): ColumnMap {
  const map: ColumnMap = {};
  for (const pair of pairs) {
    const m = /^([a-z_]+)=(.+)$/.exec(pair);
    if (!m) throw new InputError(`--map ${JSON.stringify(pair)}: expected canonical=source_column, e.g. tx_id=tran_id`);
    const canonical = m[1] as CanonicalField;
    if (!CANONICAL_FIELDS.includes(canonical)) {
      throw new InputError(`--map ${pair}: "${m[1]}" is not a canonical field (${CANONICAL_FIELDS.join(', ')})`);
    }
    // `--map a=x,b=y`: several pairs in one option, which would otherwise read as the column "x,b=y".
    const [first, ...more] = m[2]!.split(',');
    if (more.length > 0 && more.every((p) => CANONICAL_FIELDS.includes(/^\s*([a-z_]+)=/.exec(p)?.[1] as CanonicalField))) {
      const parts = [`${canonical}=${first}`, ...more.map((p) => p.trim())];
      throw new InputError(`--map ${pair}: one pair per --map (${parts.map((p) => `--map ${p}`).join(' ')})`);
    }
    const earlier = map[canonical];
    if (earlier !== undefined && earlier !== m[2]) {
      throw new InputError(`--map ${canonical} is given twice (${earlier}, ${m[2]}): which column holds ${canonical} is unclear`);
    }
    map[canonical] = m[2]!;
  }
  return map;
}

/** The input file checked before anything is read: it exists, is a file, and its format is known. */
export function inputFile(file: string, explicitFormat?: string): { size: number; format: FileFormat } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new InputError(`cannot read ${file}: no such file`);
  }
  if (!stat.isFile()) throw new InputError(`${file} is not a file`);
  if (compression(file)) {
    throw new InputError(
      `${file} is ${compression(file)}-compressed: acctnet reads plain CSV or NDJSON; decompress it first (e.g. \`${compression(file) === 'gzip' ? 'gunzip -k' : 'unzip'} ${file}\`)`,
    );
  }
  return { size: stat.size, format: detectFormat(file, explicitFormat) };
}

/** gzip or zip by the file's first bytes (its name may say nothing, or `.csv`). */
function compression(file: string): 'gzip' | 'zip' | null {
  const head = Buffer.alloc(4);
  let n = 0;
  const fd = fs.openSync(file, 'r');
  try {
    n = fs.readSync(fd, head, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (n >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
  return null;
}

export function detectFormat(file: string, explicit?: string): FileFormat {
  if (explicit) {
    if (explicit !== 'csv' && explicit !== 'ndjson') throw new FormatError(`--format ${explicit}: expected csv or ndjson`);
    return explicit;
  }
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(ndjson|jsonl)$/i.test(file)) return 'ndjson';
  throw new FormatError(`cannot tell the format of ${file} from its name; pass --format csv or --format ndjson`);
}

/** For each canonical field, the source column it is read from. */
function resolveColumns(available: readonly string[], map: ColumnMap): Map<CanonicalField, string> {
  const resolved = new Map<CanonicalField, string>();
  const missing: string[] = [];
  for (const field of CANONICAL_FIELDS) {
    const source = map[field] ?? field;
    if (available.includes(source)) resolved.set(field, source);
    else if (map[field] !== undefined) missing.push(`${source} (mapped to ${field})`);
    else if (REQUIRED_FIELDS.includes(field)) missing.push(field);
  }
  if (missing.length) {
    // One column whose name holds the others with another separator: a file that is not
    // comma-separated (--map cannot help: acctnet reads commas).
    const other = available.length === 1 ? [';', '\t', '|'].find((d) => available[0]!.split(d).length >= 3) : undefined;
    const hint =
      other !== undefined
        ? ` The header looks ${other === '\t' ? 'tab' : `"${other}"`}-separated: acctnet reads comma-separated CSV (or NDJSON); convert the file, e.g. with ${other === '\t' ? 'csvformat -t' : `csvformat -d '${other}'`} (csvkit).`
        : ' Map them with --map canonical=source_column.';
    throw new InputError(`the input has no column ${missing.join(', ')}. Columns found: ${available.join(', ') || '(none)'}.${hint}`);
  }
  return resolved;
}

/**
 * What a reader counted, for a caller that reads a file in pieces (the bulk conversion's ranges):
 * `lines` is the reader's line count at the end of the input (csv-parse's `info.lines`, where a CRLF
 * inside a quoted field counts two and the count starts at 1; NDJSON: the lines read), `crlfInside`
 * the CRLFs inside quoted fields of the records read.
 */
export interface ReadStats {
  lines: number;
  crlfInside: number;
}

/** A piece of a file read on its own: whether it starts mid-file (an NDJSON BOM is only taken off the file's first line), and what to count. */
export interface ReadPiece {
  midFile: boolean;
  stats: ReadStats;
}

/**
 * The line each CSV record starts at, from csv-parse's count (`info.lines` with `raw: true`): that
 * count is where a record ends, and it counts a CRLF inside a quoted field as two lines, so the line
 * a record starts at takes out both. Call `lineOf` for every record in the order the parser meets
 * them — rows and skipped records alike, or the rows after a skipped multi-line record drift.
 * `crlfInside`: the CRLFs inside quoted fields of the records seen so far. Shared by the
 * transactions' reader and `labels import`.
 */
export function csvRecordLines(): { lineOf(endLine: number, raw: string): number; readonly crlfInside: number } {
  let crlfInside = 0;
  return {
    lineOf(endLine: number, raw: string): number {
      let breaks = 0;
      if (raw.indexOf('\n') >= 0 || raw.indexOf('\r') >= 0) {
        const found = raw.match(/\r\n|\r|\n/g) ?? [];
        crlfInside += found.filter((b) => b === '\r\n').length;
        breaks = found.length;
      }
      return endLine - crlfInside - breaks;
    },
    get crlfInside() {
      return crlfInside;
    },
  };
}

async function* readCsv(input: Readable, map: ColumnMap, stats: ReadStats | undefined): AsyncGenerator<ReadItem> {
  const skipped: ReadItem[] = [];
  // The line each parsed record starts at, in parse order (the loop below takes them in the same order).
  const starts: number[] = [];
  const lines = csvRecordLines();
  const lineOf = (endLine: number, raw: string) => lines.lineOf(endLine, raw);
  let columns: Map<CanonicalField, string> | undefined;
  // The same pairs as two arrays: read for every record without an iterator's allocations.
  let canonicals: CanonicalField[] = [];
  let sources: string[] = [];
  const parser = parseCsv({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    info: true,
    raw: true,
    record_delimiter: CSV_RECORD_DELIMITERS,
    skip_records_with_error: true,
    columns: (header: string[]) => {
      columns = resolveColumns(header, map);
      canonicals = [...columns.keys()];
      sources = [...columns.values()];
      const twice = repeatedColumns(header, sources);
      if (twice.length)
        throw new InputError(
          `the header names ${twice.map((c) => `"${c}"`).join(', ')} more than once: which column holds the value is unclear. Columns found: ${header.join(', ')}`,
        );
      return header;
    },
    on_record: (record: Record<string, string>, info: { lines: number; raw?: string }) => {
      starts.push(lineOf(info.lines, stripLineEnd(info.raw ?? '')));
      return record;
    },
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      // A record with the wrong number of fields is one record: rejected, and reading goes on. A
      // quoting error is not: where the quoted field ends is unknown, and reading on swallows the
      // rows after it into one rejected record (an unclosed quote) or drops a valid row without a
      // trace (a misplaced one). The import stops instead, saying where.
      if (err && !/^CSV_RECORD_INCONSISTENT_/.test(err.code)) {
        // csv-parse's "at line N" counts each CRLF inside a quoted field twice: in the records before
        // and in this one up to the error (`raw`, which the error carries).
        const doubled = lines.crlfInside + ((raw ?? '').match(/\r\n/g)?.length ?? 0);
        const message = err.message.replace(/\s+$/, '').replace(/ at line (\d+)/, (_m, n: string) => ` at line ${Number(n) - doubled}`);
        throw new InputError(
          `CSV quoting error (${message}; an unclosed quote is reported where the file ends): the file cannot be read reliably past it, so the import stops. Fix the quotes and import the file again: rows already stored count as duplicates`,
        );
      }
      const endLine = (err as unknown as { lines?: number } | undefined)?.lines ?? 0;
      skipped.push({
        kind: 'rejected',
        line: lineOf(endLine, stripLineEnd(raw ?? '')),
        // csv-parse's "on line N" is where the record ends, counted its way: `line` says where it starts.
        reason: `unreadable CSV record: ${(err?.message ?? 'unknown error').replace(/ on line \d+/, '').trim()}`,
        raw: clipRaw(raw ?? ''),
      });
      return undefined;
    },
  });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  for await (const item of parser as AsyncIterable<{ record: Record<string, string>; raw: string }>) {
    const line = starts.shift()!;
    // The parser runs ahead of this loop: emit the skipped records that came before this one.
    while (skipped.length && skipped[0]!.line < line) yield skipped.shift()!;
    const fields: RawFields = {};
    for (let c = 0; c < canonicals.length; c++) fields[canonicals[c]!] = item.record[sources[c]!] ?? null;
    const raw = clipRaw(item.raw);
    const problem = fieldsProblem(fields);
    yield problem ? { kind: 'rejected', line, reason: problem, raw, ...txIdOf(fields) } : { kind: 'row', line, fields, raw };
  }
  while (skipped.length) yield skipped.shift()!;
  if (!columns) throw new InputError('the CSV input is empty (no header row)');
  if (stats) {
    stats.lines = parser.info.lines;
    stats.crlfInside = lines.crlfInside;
  }
}

/** Longest tx_id a rejected row keeps (a longer one is itself why the row was rejected). */
export const MAX_REJECTED_TX_ID = 1024;

/** A rejected row's tx_id when it was read (the rejection is about another field), for the rejects list. */
export function txIdOf(fields: RawFields): { txId?: string } {
  const v = fields.tx_id;
  if (typeof v !== 'string' && typeof v !== 'number') return {};
  const id = String(v);
  return id.length <= MAX_REJECTED_TX_ID ? { txId: id } : {};
}

/** Canonical fields of one JSON object (an NDJSON line or an element of a POST body). */
export function fieldsFromObject(obj: Record<string, unknown>, map: ColumnMap = {}): { fields: RawFields; bad: string | undefined } {
  const fields: RawFields = {};
  let bad: string | undefined;
  for (const canonical of CANONICAL_FIELDS) {
    const v = obj[map[canonical] ?? canonical];
    if (v === undefined || v === null) continue;
    const idProblem = (ID_FIELDS as readonly string[]).includes(canonical)
      ? numericIdProblem(map[canonical] ?? canonical, v)
      : canonical === 'amount'
        ? numericAmountProblem(map[canonical] ?? canonical, v)
        : undefined;
    if (idProblem) bad ??= idProblem;
    else if (typeof v === 'string' || typeof v === 'number') fields[canonical] = v;
    else bad ??= `field ${map[canonical] ?? canonical} must be a string or a number`;
  }
  bad ??= fieldsProblem(fields);
  return { fields, bad };
}

async function* readNdjson(input: Readable, map: ColumnMap, piece: ReadPiece | undefined): AsyncGenerator<ReadItem> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    const trimmed = (lineNo === 1 && !piece?.midFile ? text.replace(/^\uFEFF/, '') : text).trim();
    if (!trimmed) continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      yield { kind: 'rejected', line: lineNo, reason: `invalid JSON: ${(err as Error).message}`, raw: clipRaw(text) };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { kind: 'rejected', line: lineNo, reason: 'each line must be a JSON object', raw: clipRaw(text) };
      continue;
    }
    const { fields, bad } = fieldsFromObject(value as Record<string, unknown>, map);
    if (bad) yield { kind: 'rejected', line: lineNo, reason: bad, raw: clipRaw(text), ...txIdOf(fields) };
    else yield { kind: 'row', line: lineNo, fields, raw: clipRaw(text) };
  }
  if (piece) {
    piece.stats.lines = lineNo;
    piece.stats.crlfInside = 0;
  }
}

export function readRows(input: Readable, format: FileFormat, map: ColumnMap, piece?: ReadPiece): AsyncGenerator<ReadItem> {
  // A CSV piece is read behind the file's header (bulk-ranges.ts), so its BOM is where it was.
  return format === 'csv' ? readCsv(input, map, piece?.stats) : readNdjson(input, map, piece);
}
