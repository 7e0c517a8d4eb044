// Rules for a label coming from a file or the API.
import { parse as parseCsv } from 'csv-parse';
import fs from 'node:fs';
import type { LabelRepository, LabelValue, NewLabel } from '../neo4j/repositories/labels.js';
import { CSV_RECORD_DELIMITERS, csvRecordLines, repeatedColumns, stripLineEnd } from '../ingest/read-rows.js';
import { numericIdProblem } from '../ingest/record.js';
import { LABEL_SOURCES, type LabelSource } from './sources.js';

export const LABEL_VALUES: readonly LabelValue[] = ['fraud', 'legit'];
export const MAX_NOTE_LENGTH = 2000;
export { LABEL_SOURCES, labelSourceKind, type LabelSource } from './sources.js';

/**
 * Why an account id cannot be stored as given (null: it can). Ids match exactly: one with a control
 * character or surrounding spaces would label — or list, for every gateway — an account no transfer
 * names.
 */
export function accountIdProblem(accountId: string, maxIdLength: number): string | null {
  if (accountId === '') return 'missing account_id';
  if (accountId.length > maxIdLength) return `account_id longer than ${maxIdLength} characters`;
  if (/[\u0000-\u001f\u007f]/.test(accountId) || accountId.trim() !== accountId)
    return 'account_id has control characters or surrounding spaces';
  // Bytes that were not UTF-8 (a Latin-1 file) arrive as U+FFFD: two such ids would label one account.
  if (accountId.includes('\uFFFD')) return 'account_id holds bytes that are not UTF-8 (is the file Latin-1? convert it to UTF-8)';
  return null;
}

export function checkLabel(
  input: { accountId: unknown; label: unknown; note?: unknown; source?: unknown },
  maxIdLength: number,
): { ok: true; value: Omit<NewLabel, 'source' | 'createdBy'> & { source?: LabelSource } } | { ok: false; reason: string } {
  const numeric = numericIdProblem('accountId', input.accountId);
  if (numeric) return { ok: false, reason: numeric };
  const accountId = typeof input.accountId === 'number' ? String(input.accountId) : input.accountId;
  if (typeof accountId !== 'string') return { ok: false, reason: 'missing account_id' };
  const idProblem = accountIdProblem(accountId, maxIdLength);
  if (idProblem) return { ok: false, reason: idProblem };
  const label = typeof input.label === 'string' ? input.label.trim().toLowerCase() : undefined;
  if (!label || !(LABEL_VALUES as readonly string[]).includes(label)) {
    return { ok: false, reason: `label ${JSON.stringify(input.label ?? null)} must be one of ${LABEL_VALUES.join(', ')}` };
  }
  const note = input.note === undefined || input.note === null || input.note === '' ? null : String(input.note);
  if (note !== null && note.length > MAX_NOTE_LENGTH) return { ok: false, reason: `note longer than ${MAX_NOTE_LENGTH} characters` };
  const source = typeof input.source === 'string' && input.source.trim() !== '' ? input.source.trim().toLowerCase() : undefined;
  if (source !== undefined && !(LABEL_SOURCES as readonly string[]).includes(source))
    return { ok: false, reason: `source ${JSON.stringify(input.source)} must be one of ${LABEL_SOURCES.join(', ')}` };
  return { ok: true, value: { accountId, label: label as LabelValue, note, ...(source ? { source: source as LabelSource } : {}) } };
}

export interface LabelImportSummary {
  rows: number;
  created: number;
  unchanged: number;
  rejected: Array<{ line: number; reason: string }>;
  /** Labels stored on accounts with no transfer stored (yet): kept, but often a typo in the id. */
  unknownAccounts: number;
  /** The first few of them (sorted). */
  unknownExamples: string[];
}

/** The file `labels import` reads: it exists and is a file (checked before anything is connected). */
export function checkLabelFile(file: string): fs.Stats {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new Error(`acctnet/labels: cannot read ${file}: no such file`);
  }
  if (!stat.isFile()) throw new Error(`acctnet/labels: ${file} is not a file`);
  return stat;
}

/**
 * `acctnet labels import FILE`: CSV with columns account_id,label,note and optionally source (a
 * LABEL_SOURCES kind per row). A record with the wrong number of fields is rejected with its line, as
 * any other bad row, and the rows after it are read; a quoting error (an unclosed or misplaced quote)
 * stops the import with a message saying what was stored: where the quoted field ends is unknown.
 */
export async function importLabels(
  labels: LabelRepository,
  file: string,
  opts: {
    source: string;
    createdBy: string;
    maxIdLength: number;
    batchSize?: number;
    /** Called after each stored batch of labels and at the end: bytes of the file read so far. */
    onProgress?: (p: { bytesRead: number; bytesTotal: number; rows: number; created: number; rejected: number }) => void;
  },
): Promise<LabelImportSummary> {
  const bytesTotal = checkLabelFile(file).size;
  const summary: LabelImportSummary = { rows: 0, created: 0, unchanged: 0, rejected: [], unknownAccounts: 0, unknownExamples: [] };
  const input = fs.createReadStream(file);
  const progress = () =>
    opts.onProgress?.({
      bytesRead: input.bytesRead,
      bytesTotal,
      rows: summary.rows,
      created: summary.created,
      rejected: summary.rejected.length,
    });
  // The line each record starts at, as `import` numbers its rows (csv-parse counts where a record
  // ends, a CRLF inside quotes twice): computed in parse order, taken in the loop in the same order.
  const lines = csvRecordLines();
  const starts: number[] = [];
  const parser = input.pipe(
    parseCsv({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
      raw: true,
      record_delimiter: CSV_RECORD_DELIMITERS,
      skip_records_with_error: true,
      on_record: (record: Record<string, string>, info: { lines: number; raw?: string }) => {
        starts.push(lines.lineOf(info.lines, stripLineEnd(info.raw ?? '')));
        return record;
      },
      on_skip: (err: Error | undefined, raw: string | undefined) => {
        // A record with the wrong number of fields is one record; a quote error is not: the reader
        // cannot tell where the quoted field ends, and reading on would swallow or misread the rows
        // after it. That stops the import (below), naming the line without csv-parse's doubled CRLFs.
        if (!/^CSV_RECORD_INCONSISTENT_/.test((err as { code?: string } | undefined)?.code ?? '')) {
          if (err) {
            const doubled = lines.crlfInside + ((raw ?? '').match(/\r\n/g)?.length ?? 0);
            err.message = err.message.replace(/ at line (\d+)/, (_m, n: string) => ` at line ${Number(n) - doubled}`);
          }
          throw err;
        }
        summary.rows++;
        const endLine = (err as unknown as { lines?: number } | undefined)?.lines ?? 0;
        summary.rejected.push({
          line: lines.lineOf(endLine, stripLineEnd(raw ?? '')),
          reason: `unreadable CSV record: ${(err?.message ?? 'unknown error').replace(/ on line \d+/, '').trim()}`,
        });
        return undefined;
      },
      columns: (header: string[]) => {
        for (const needed of ['account_id', 'label']) {
          if (!header.includes(needed)) {
            throw new Error(
              `acctnet/labels: ${file} has no ${needed} column (expected columns account_id,label,note; found ${header.join(',')})`,
            );
          }
        }
        const twice = repeatedColumns(header, ['account_id', 'label', 'note', 'source']);
        if (twice.length)
          throw new Error(
            `acctnet/labels: ${file} names ${twice.join(', ')} more than once in its header: which column holds the value is unclear`,
          );
        return header;
      },
    }),
  );
  input.on('error', (err) => parser.destroy(err));
  let pending: NewLabel[] = [];
  // Counted once per account over the whole file (an account can be labelled in several batches).
  const unknownSeen = new Set<string>();
  const flush = async () => {
    const unknown = (await labels.unknownAccounts(pending.map((l) => l.accountId))).filter((id) => !unknownSeen.has(id));
    for (const id of unknown) unknownSeen.add(id);
    summary.unknownAccounts += unknown.length;
    summary.unknownExamples = [...summary.unknownExamples, ...unknown].sort().slice(0, 5);
    const created = await labels.append(pending);
    summary.created += created.length;
    summary.unchanged += pending.length - created.length;
    pending = [];
    progress();
  };
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string> }>) {
      const line = starts.shift()!;
      summary.rows++;
      const checked = checkLabel(
        { accountId: item.record.account_id, label: item.record.label, note: item.record.note, source: item.record.source },
        opts.maxIdLength,
      );
      if (!checked.ok) {
        summary.rejected.push({ line, reason: checked.reason });
        continue;
      }
      pending.push({ ...checked.value, source: checked.value.source ?? opts.source, createdBy: opts.createdBy });
      if (pending.length >= (opts.batchSize ?? 1000)) await flush();
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!code?.startsWith('CSV_')) throw err;
    throw new Error(
      `acctnet/labels: ${file} cannot be read past a quoting error (${(err as Error).message}); ${summary.created} labels from the lines before it were stored, nothing after. Fix the quotes and import the file again: labels already stored count as unchanged`,
    );
  }
  await flush();
  // The reader runs ahead of this loop: its unreadable records were noted out of order.
  summary.rejected.sort((a, b) => a.line - b.line);
  return summary;
}
