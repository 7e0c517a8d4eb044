// What the bulk conversion's threads and the converter exchange (bulk-convert-worker.ts, bulk-convert.ts).
import type { ColumnMap, FileFormat } from './read-rows.js';
import type { ValidationRules } from './record.js';
import type { CheckedRow } from './write-chunk.js';

/** One record of the input, in file order: a checked row, or one the reader rejected. */
export type ConvertItem =
  | { kind: 'row'; row: CheckedRow }
  | { kind: 'rejected'; line: number; reason: string; raw: string };

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
  | { index: number; items: ConvertItem[]; lines: number; crlfInside: number; prefixLines: number }
  | { index: number; error: string };
