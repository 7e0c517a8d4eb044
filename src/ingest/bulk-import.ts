// `acctnet import FILE --bulk`: back-fill an empty graph with Neo4j's offline importer.
//
// Community Edition has one user database and `neo4j-admin database import full` overwrites it with
// the server stopped, so this refuses unless the database holds nothing (no node of any label: no
// accounts, batches, keys, labels, webhooks or runs), checks free disk, converts while the server
// still runs, then stops the managed server, imports, starts it and re-applies the schema
// (docs/ingest.md, "Bulk back-fill"; docs/operations.md for a server acctnet does not manage).
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { Conflict } from '../errors.js';
import { createDriver } from '../neo4j/driver.js';
import { checkConnectivity, localPaths, runAdminToolAsync, startLocalNeo4j, stopLocalNeo4j } from '../neo4j/local.js';
import { createGraphContentsRepository } from '../neo4j/repositories/graph-contents.js';
import { applySchema } from '../neo4j/schema.js';
import { newBatchId } from './batch-producer.js';
import { importArguments, type BulkFiles } from './bulk-files.js';
import { convertToImportFiles, type ConvertProgress } from './bulk-convert.js';
import { InputError, inputFile, type ColumnMap } from './read-rows.js';
import { validationRules } from './rules.js';

/**
 * Disk needed per byte of input, measured on the 1M bench file (docs/benchmarks.md, import --bulk):
 * the import files were 1.5× the input (1.35× since strings are quoted only when needed), the data
 * folder after the import and the schema (stores, the txId and at indexes, transaction logs, the
 * system database) 4.1× — rounded up for other shapes of data.
 */
export const DISK_PER_INPUT_BYTE = { importFiles: 2, database: 6 } as const;

export type BulkStep = 'check' | 'convert' | 'stop' | 'import' | 'start' | 'schema' | 'verify';

export interface BulkOptions {
  file: string;
  format?: string;
  map: ColumnMap;
  rejectsFile?: string;
  /** Where the import files are written; default .acctnet/bulk/<batch id> under the project. */
  dir?: string;
  /** Keep the import files after a successful import (always kept for a server acctnet does not manage). */
  keepFiles?: boolean;
  batchSize?: number;
  /** The currency of rows that name none (as `import --currency`); default: the configured default. */
  currency?: string;
  /** Status lines (what is about to happen, the downtime). */
  say?: (line: string) => void;
  onStep?: (step: BulkStep) => void;
  onConvertProgress?: (p: ConvertProgress) => void;
  /** Fraction of the whole import done, and the importer's current phase. */
  onImportProgress?: (fraction: number, phase: string) => void;
}

export interface BulkSummary {
  batchId: string;
  file: string;
  mode: 'managed' | 'files-only';
  rowsRead: number;
  written: number;
  duplicates: number;
  rejected: number;
  accounts: number;
  rejectsFile: string | null;
  files: BulkFiles;
  filesKept: boolean;
  /** The neo4j-admin command for these files (run by acctnet for the managed server). */
  adminCommand: string[];
  stepsMs: Partial<Record<BulkStep, number>>;
  /** Threads that read the file during the conversion (1: one pass). */
  convertThreads: number;
  /** Why the threads' read started over in one pass, when it did (docs/ingest.md, "Bulk back-fill"). */
  convertStartedOver: string | null;
  /** From the stop of the managed server until its schema was online again. */
  downtimeMs: number | null;
  elapsedMs: number;
  rowsPerSecond: number;
}

export class BulkRefused extends Conflict {}

function describeContents(contents: Array<{ label: string; nodes: number }>): string {
  return contents.map((c) => `${c.nodes.toLocaleString('en-US')} ${c.label}`).join(', ');
}

async function refuseUnlessEmpty(config: Config, opts: { checkClients: boolean }): Promise<void> {
  // One connection only, so "other clients" is every connection but this one.
  const driver = createDriver(config.neo4j, { maxConnectionPoolSize: 1 });
  try {
    const repo = createGraphContentsRepository(driver, config.neo4j);
    const contents = await repo.nodesByLabel();
    if (contents.length > 0) {
      throw new BulkRefused(
        `--bulk replaces the whole database and only loads a graph that holds no data yet; this one holds ${describeContents(contents)}. ` +
          'Import into it with `npx acctnet import FILE` (streaming, no downtime), or back-fill a new, empty database first and stream newer data on top.',
      );
    }
    if (opts.checkClients) {
      const others = (await repo.connections()).length - 1;
      if (others > 0) {
        throw new BulkRefused(
          `${others} other client(s) are connected to Neo4j at ${config.neo4j.uri} (acctnet serve, worker or another tool); --bulk stops the server for the import. Stop them first, then run the import again.`,
        );
      }
    }
  } finally {
    await driver.close();
  }
}

function freeBytes(dir: string): number {
  let probe = path.resolve(dir);
  while (!fs.existsSync(probe)) probe = path.dirname(probe);
  const s = fs.statfsSync(probe);
  return s.bavail * s.bsize;
}

function deviceOf(dir: string): number {
  let probe = path.resolve(dir);
  while (!fs.existsSync(probe)) probe = path.dirname(probe);
  return fs.statSync(probe).dev;
}

const GiB = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;

/** Refuses when the import files and (for the managed server) the new database would not fit. */
export function checkDisk(inputBytes: number, filesDir: string, dataDir: string | null): void {
  const needFiles = inputBytes * DISK_PER_INPUT_BYTE.importFiles;
  const needData = dataDir ? inputBytes * DISK_PER_INPUT_BYTE.database : 0;
  const problems: string[] = [];
  if (dataDir && deviceOf(filesDir) === deviceOf(dataDir)) {
    const free = freeBytes(filesDir);
    if (free < needFiles + needData)
      problems.push(
        `${filesDir} and ${dataDir} share a disk with ${GiB(free)} free; the import files (~${GiB(needFiles)}) and the database (~${GiB(needData)}) need ~${GiB(needFiles + needData)}`,
      );
  } else {
    const free = freeBytes(filesDir);
    if (free < needFiles) problems.push(`${filesDir} has ${GiB(free)} free; the import files need ~${GiB(needFiles)}`);
    if (dataDir) {
      const freeData = freeBytes(dataDir);
      if (freeData < needData) problems.push(`${dataDir} has ${GiB(freeData)} free; the database needs ~${GiB(needData)}`);
    }
  }
  if (problems.length) {
    throw new InputError(`not enough free disk for --bulk: ${problems.join('; ')}. Free some space or pass --bulk-dir on another disk.`);
  }
}

/**
 * What the downtime will roughly be: stop + import + start + schema took 473–479 s for 1M transfers
 * on the 2-core reference machine while it was heavily shared (docs/benchmarks.md, import --bulk),
 * so this is the upper end of what to expect; an idle machine is several times faster.
 */
export function estimateDowntimeSeconds(transfers: number): number {
  return Math.round(30 + transfers * 0.00045);
}

export function adminCommand(files: BulkFiles, database: string): string[] {
  return [
    'neo4j-admin',
    'database',
    'import',
    'full',
    '--overwrite-destination=true',
    `--report-file=${path.join(files.dir, 'import.report')}`,
    ...importArguments(files),
    database,
  ];
}

interface ImporterState {
  phase: number;
  phases: number;
  name: string;
}

/**
 * Progress over the whole import from neo4j-admin's output: "(2/4) Relationship import 2026-…" opens
 * a phase, ".......... ..........  45% ∆0ms [5s 619ms]" reports within it.
 */
export function importerProgress(line: string, state: ImporterState): number | undefined {
  const phase = /^\((\d+)\/(\d+)\) (.+?) \d{4}-\d\d-\d\d/.exec(line);
  if (phase) {
    state.phase = Number(phase[1]) - 1;
    state.phases = Number(phase[2]);
    state.name = phase[3]!;
    return state.phase / state.phases;
  }
  const m = /(\d+)% ∆/.exec(line);
  if (!m) return undefined;
  return (state.phase + Number(m[1]) / 100) / state.phases;
}

export async function bulkImport(config: Config, opts: BulkOptions): Promise<BulkSummary> {
  const started = Date.now();
  const say = opts.say ?? (() => {});
  const stepsMs: Partial<Record<BulkStep, number>> = {};
  const timed = async <T>(step: BulkStep, work: () => Promise<T>): Promise<T> => {
    opts.onStep?.(step);
    const t = Date.now();
    try {
      return await work();
    } finally {
      stepsMs[step] = Date.now() - t;
    }
  };

  const { size, format } = inputFile(opts.file, opts.format);
  const managed = config.neo4j.managed;
  const database = config.neo4j.database ?? 'neo4j';
  const batchId = newBatchId('imp');
  const dir = path.resolve(opts.dir ?? path.join(config.projectRoot, '.acctnet', 'bulk', batchId));
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)
    throw new InputError(`--bulk-dir ${dir} is not empty; name an empty or new folder`);
  const paths = localPaths(config.localNeo4j);

  await timed('check', async () => {
    if (managed) {
      if (!(await checkConnectivity(config.neo4j)).ok) await startLocalNeo4j(config, say);
      await refuseUnlessEmpty(config, { checkClients: true });
    } else if ((await checkConnectivity(config.neo4j)).ok) {
      await refuseUnlessEmpty(config, { checkClients: false });
    } else {
      say(`No Neo4j answers at ${config.neo4j.uri}: its database could not be checked for data. The import below replaces it.`);
    }
    checkDisk(size, dir, managed ? paths.dataDir : null);
  });

  const rejectsFile = path.resolve(opts.rejectsFile ?? `${path.basename(opts.file)}.${batchId}.rejects.csv`);
  const converted = await timed('convert', () =>
    convertToImportFiles({
      file: opts.file,
      format,
      map: opts.map,
      dir,
      batchId,
      batchSize: opts.batchSize ?? config.ingest.batchSize,
      rules: { ...validationRules(config), ...(opts.currency ? { defaultCurrency: opts.currency } : {}) },
      rejectsFile,
      ...(opts.onConvertProgress ? { onProgress: opts.onConvertProgress } : {}),
    }),
  );
  const command = adminCommand(converted.files, database);
  const summary: BulkSummary = {
    batchId,
    file: opts.file,
    mode: managed ? 'managed' : 'files-only',
    rowsRead: converted.rowsRead,
    written: converted.written,
    duplicates: converted.duplicates,
    rejected: converted.rejected,
    accounts: converted.accounts,
    rejectsFile: converted.rejectsFile,
    files: converted.files,
    filesKept: true,
    adminCommand: command,
    stepsMs,
    convertThreads: converted.threads,
    convertStartedOver: converted.startedOver,
    downtimeMs: null,
    elapsedMs: 0,
    rowsPerSecond: 0,
  };
  const finish = () => {
    summary.elapsedMs = Date.now() - started;
    summary.rowsPerSecond = Math.round(summary.rowsRead / Math.max(summary.elapsedMs / 1000, 0.001));
    return summary;
  };
  if (!managed) return finish();

  // The conversion ran with the server up; whatever connected or wrote meanwhile is checked again.
  await refuseUnlessEmpty(config, { checkClients: true });
  say(
    `Stopping Neo4j for the import: no database from now until the schema is back online (up to about ${estimateDowntimeSeconds(converted.written)} s for ${converted.written.toLocaleString('en-US')} transfers, from docs/benchmarks.md).`,
  );
  const down = Date.now();
  await timed('stop', () => stopLocalNeo4j(config, say));
  try {
    const state: ImporterState = { phase: 0, phases: 1, name: 'starting' };
    await timed('import', () =>
      runAdminToolAsync(config, command.slice(1), (line) => {
        const fraction = importerProgress(line, state);
        if (fraction !== undefined) opts.onImportProgress?.(fraction, `${state.name} (${state.phase + 1}/${state.phases})`);
      }),
    );
  } catch (err) {
    // The database was empty before: put an empty one back so the server starts as it was.
    for (const sub of ['databases', 'transactions']) fs.rmSync(path.join(paths.dataDir, sub, database), { recursive: true, force: true });
    await startLocalNeo4j(config, say).catch(() => {});
    throw err;
  }
  await timed('start', () => startLocalNeo4j(config, say));
  const driver = createDriver(config.neo4j);
  try {
    await timed('schema', () => applySchema(driver, config.neo4j));
    summary.downtimeMs = Date.now() - down;
    await timed('verify', async () => {
      const { accounts, transfers } = await createGraphContentsRepository(driver, config.neo4j).totals();
      if (accounts !== converted.accounts || transfers !== converted.written) {
        throw new Error(
          `acctnet/ingest/bulk: the imported database holds ${accounts} accounts and ${transfers} transfers, the files ${converted.accounts} and ${converted.written}; the import files are kept in ${dir} (neo4j-admin's report: ${path.join(dir, 'import.report')})`,
        );
      }
    });
  } finally {
    await driver.close();
  }
  if (!opts.keepFiles && !opts.dir) {
    fs.rmSync(dir, { recursive: true, force: true });
    summary.filesKept = false;
  }
  return finish();
}
