// What the bulk conversion's threads and the converter exchange (bulk-convert-worker.ts, bulk-convert.ts).
import type { ColumnMap, FileFormat } from './read-rows.js';
import type { ValidationRules } from './record.js';
import type { CheckedRow } from './write-chunk.js';

/** One record of the input, in file order: a checked row, or one the reader rejected. */
export type ConvertItem = { kind: 'row'; row: CheckedRow } | { kind: 'rejected'; line: number; reason: string; raw: string; txId?: string };

export interface ConvertThreadData {
  file: string;
  format: FileFormat;
  map: ColumnMap;
  rules: ValidationRules;
}

export interface RangeTask {
  index: number;
  start: number;
  end: number;
  /** Bytes of the file's start (its header) read in front of the range; 0 for none. */
  prefixEnd: number;
}

/**
 * A range read: its items with line numbers counted from the range's start (the header in front
 * taken off: 1 = the range's first line; the converter adds the lines before the range), and what
 * the reader counted over the range (`lines`: line breaks as the reader counts them; `crlfInside`:
 * CRLFs inside quoted fields, which the reader counts twice).
 */
export type RangeResult =
  { index: number; items: PackedItems; lines: number; crlfInside: number; prefixLines: number } | { index: number; error: string };

/**
 * A range's items in columns: a few typed arrays and one array of strings cross between threads
 * several times faster than an object per row (three objects and eleven properties), and leave the
 * receiving thread's garbage collector far less to do.
 */
export interface PackedItems {
  /** Per item: ROW (a valid row), INVALID (a row validation rejected), UNREAD (a record the reader rejected). */
  kinds: Uint8Array;
  /** Per item: its line. */
  lines: Float64Array;
  /** Per valid row: amount, at. */
  nums: Float64Array;
  /**
   * Per valid row: txId, from, to, currency, channel, raw; per invalid row: raw, reason, txId; per
   * unread record: raw, reason (null where the item's field is null).
   */
  strs: Array<string | null>;
}

const ROW = 0;
const INVALID = 1;
const UNREAD = 2;

/** Packs items one by one as a range is read (no array of items, no second pass over them). */
export class ItemPacker {
  private kinds = new Uint8Array(1024);
  private lines = new Float64Array(1024);
  private nums = new Float64Array(2048);
  private count = 0;
  private valid = 0;
  private readonly strs: Array<string | null> = [];

  add(item: ConvertItem): void {
    if (item.kind === 'rejected') {
      this.push(UNREAD, item.line);
      this.strs.push(item.raw, item.reason, item.txId ?? null);
    } else if (item.row.ok) {
      const t = item.row.transfer;
      this.push(ROW, item.row.line);
      if (2 * this.valid + 2 > this.nums.length) this.nums = grown(this.nums);
      this.nums[2 * this.valid] = t.amount;
      this.nums[2 * this.valid + 1] = t.at;
      this.valid++;
      this.strs.push(t.txId, t.from, t.to, t.currency, t.channel, item.row.raw);
    } else {
      this.push(INVALID, item.row.line);
      this.strs.push(item.row.raw, item.row.reason, item.row.txId);
    }
  }

  /** The packed items (typed arrays cut to their length: their buffers can be transferred). */
  finish(): PackedItems {
    return {
      kinds: this.kinds.slice(0, this.count),
      lines: this.lines.slice(0, this.count),
      nums: this.nums.slice(0, 2 * this.valid),
      strs: this.strs,
    };
  }

  private push(kind: number, line: number): void {
    if (this.count === this.kinds.length) {
      this.kinds = grown(this.kinds);
      this.lines = grown(this.lines);
    }
    this.kinds[this.count] = kind;
    this.lines[this.count] = line;
    this.count++;
  }
}

function grown<T extends Uint8Array | Float64Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

/** The items an {@link ItemPacker} packed, as they were. */
export function unpackItems(packed: PackedItems): ConvertItem[] {
  const { kinds, lines, nums, strs } = packed;
  const items: ConvertItem[] = new Array(kinds.length);
  let n = 0;
  let s = 0;
  for (let i = 0; i < kinds.length; i++) {
    const line = lines[i]!;
    if (kinds[i] === ROW) {
      const transfer = {
        txId: strs[s]!,
        from: strs[s + 1]!,
        to: strs[s + 2]!,
        amount: nums[n]!,
        currency: strs[s + 3]!,
        at: nums[n + 1]!,
        channel: strs[s + 4] ?? null,
      };
      items[i] = { kind: 'row', row: { ok: true, line, raw: strs[s + 5]!, transfer } };
      n += 2;
      s += 6;
    } else if (kinds[i] === INVALID) {
      items[i] = { kind: 'row', row: { ok: false, line, raw: strs[s]!, reason: strs[s + 1]!, txId: strs[s + 2] ?? null } };
      s += 3;
    } else {
      const txId = strs[s + 2];
      items[i] = { kind: 'rejected', line, reason: strs[s + 1]!, raw: strs[s]!, ...(txId != null ? { txId } : {}) };
      s += 3;
    }
  }
  return items;
}
