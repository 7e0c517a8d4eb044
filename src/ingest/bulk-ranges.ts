// Cuts an input file into byte ranges that the bulk conversion's threads read side by side, each
// starting where a record starts.
//
// A CSV record ends at a line feed outside quotes (a range starts after a line that is not blank): with `"` as both quote and escape, a position is
// inside a quoted field exactly when an odd number of `"` came before it, so one scan of the bytes
// finds the cuts. A file whose quotes do not pair up is cut in wrong places; the reader of the range
// that holds the bad quote then fails, and the conversion reads the whole file again in one pass
// (bulk-convert.ts), which stops and says why as the streaming path does. NDJSON records are lines
// (a JSON string holds no raw line break), so quotes are not counted. A file with a carriage return
// ending a line by itself (outside quotes) is read in one range: its records and line feeds need
// not line up.
import fs from 'node:fs';

export interface ByteRange {
  /** First byte of the range (a record starts here). */
  start: number;
  /** One past its last byte (just after a line feed, or the end of the file). */
  end: number;
}

export interface FileRanges {
  ranges: ByteRange[];
  /**
   * CSV: the bytes from the start of the file to the end of its first line with a printable
   * character other than a space (the header record, blank lines before it included), read in front of every range after the
   * first so that the reader resolves the same columns; 0 for NDJSON.
   */
  headerEnd: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Ranges of about `rangeBytes` each (one range for a smaller file). Reads the file once, in blocks. */
export function fileRanges(file: string, format: 'csv' | 'ndjson', rangeBytes: number): FileRanges {
  const size = fs.statSync(file).size;
  const whole: FileRanges = { ranges: [{ start: 0, end: size }], headerEnd: 0 };
  if (size <= rangeBytes) return whole;
  const csv = format === 'csv';
  const out: FileRanges = { ranges: [], headerEnd: 0 };
  const fd = fs.openSync(file, 'r');
  const block = Buffer.alloc(1 << 20);
  let inQuotes = false;
  let crOutside = false; // the byte before was a CR outside quotes
  let loneCr = false;
  let headerDone = !csv;
  let lineHasContent = false;
  let start = 0;
  let target = rangeBytes;
  try {
    for (let pos = 0; pos < size;) {
      const n = fs.readSync(fd, block, 0, Math.min(block.length, size - pos), pos);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) {
        const b = block[i]!;
        if (b === LF) {
          crOutside = false;
          if (inQuotes) continue;
          const after = pos + i + 1;
          const content = lineHasContent;
          lineHasContent = false;
          if (!headerDone) {
            if (content) {
              headerDone = true;
              out.headerEnd = after;
              if (target < after) target = after;
            }
            continue;
          }
          // Never right after a blank line (nothing or spaces): csv-parse gives a record after blank
          // lines a raw text that starts with them, so a range starts after a line with something in it.
          if (content && after >= target && after < size) {
            out.ranges.push({ start, end: after });
            start = after;
            target = after + rangeBytes;
          }
          continue;
        }
        if (crOutside) loneCr = true;
        crOutside = b === CR && !inQuotes;
        if (csv && b === QUOTE) inQuotes = !inQuotes;
        // Printable ASCII other than a space: csv-parse trims Unicode spaces too, so a line of other bytes may be blank to it.
        if (b > 0x20 && b < 0x7f) lineHasContent = true;
      }
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (loneCr || crOutside || !headerDone || out.ranges.length === 0) return whole;
  out.ranges.push({ start, end: size });
  return out;
}
