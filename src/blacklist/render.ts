// The two wire formats of a blacklist version (docs/outputs.md), rendered once at publish time in
// chunks, with the SHA-256 of the exact bytes a gateway will receive.
import crypto from 'node:crypto';
import type { BlacklistEntry } from '../analysis/blacklist.js';

export type BlacklistFormat = 'json' | 'csv';
export const CSV_HEADER = 'account_id,cluster_id,score,reasons';
const CHUNK_CHARS = 256 * 1024;

export interface RenderedBody {
  chunks: string[];
  sha256: string;
  bytes: number;
}

/** One JSON entry; key order fixed so the bytes (and the hash) are reproducible. */
export function jsonEntry(e: BlacklistEntry): string {
  return JSON.stringify({ accountId: e.accountId, clusterId: e.clusterId, score: e.score, reasons: e.reasons });
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Spreadsheet formula injection: a free-text cell starting with = + - @ (or tab / CR) is prefixed
 * with a single quote. Only the reasons column gets this: account ids are passed exactly as stored
 * (a gateway must read "+4479…" as "+4479…").
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * The served CSV made safe for a spreadsheet: the account_id cell is neutralised too (a leading
 * = + - @ tab or CR gets a quote: `'+4479…`). For people opening the file, never for gateways —
 * the ids it shows are not the exact ids. Works on the stored chunks line by line (a line may span
 * chunks), so the stored, hashed body stays the one gateways get.
 */
export async function* spreadsheetCsv(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let pending = '';
  let header = true;
  // Inside a quoted field that spans lines (a free-text reason with a newline): not a record start.
  let quoted = false;
  const fix = (line: string) => {
    const starts = !header && !quoted;
    header = false;
    quoted = (line.split('"').length - 1) % 2 === 1 ? !quoted : quoted;
    if (!starts) return line;
    if (line.startsWith('"')) return /^"[=+\-@\t\r]/.test(line) ? `"'${line.slice(1)}` : line;
    return neutraliseFormula(line);
  };
  for await (const chunk of chunks) {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    if (lines.length) yield lines.map(fix).join('\n') + '\n';
  }
  if (pending) yield fix(pending);
}

export function csvLine(e: BlacklistEntry): string {
  return [csvField(e.accountId), csvField(e.clusterId ?? ''), String(e.score), csvField(neutraliseFormula(e.reasons.join(';')))].join(',');
}

function chunked(parts: Iterable<string>): RenderedBody {
  const hash = crypto.createHash('sha256');
  const chunks: string[] = [];
  let bytes = 0;
  let current = '';
  const flush = () => {
    if (!current) return;
    hash.update(current, 'utf8');
    bytes += Buffer.byteLength(current, 'utf8');
    chunks.push(current);
    current = '';
  };
  for (const part of parts) {
    current += part;
    if (current.length >= CHUNK_CHARS) flush();
  }
  flush();
  return { chunks, sha256: hash.digest('hex'), bytes };
}

export function renderJson(version: number, generatedAt: number, entries: readonly BlacklistEntry[]): RenderedBody {
  return chunked(
    (function* () {
      yield `{"version":${version},"generatedAt":${JSON.stringify(new Date(generatedAt).toISOString())},"entries":[`;
      for (let k = 0; k < entries.length; k++) yield (k ? ',' : '') + jsonEntry(entries[k]!);
      yield ']}';
    })(),
  );
}

export function renderCsv(entries: readonly BlacklistEntry[]): RenderedBody {
  return chunked(
    (function* () {
      yield `${CSV_HEADER}\n`;
      for (const e of entries) yield `${csvLine(e)}\n`;
    })(),
  );
}
