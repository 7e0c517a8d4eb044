// npm run bench:ingest — end-to-end ingest (import CLI → BullMQ → worker process → Neo4j) against
// the floor of our own stack: the same rows, parsed and validated the same way, written by one
// direct loop of the same UNWIND transactions without the queue. Not a test: it prints figures.
// `--modes bulk` (or streaming,bulk, the default) adds `import --bulk` against the bare neo4j-admin
// import on the same files (bench/bulk.ts).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDriver } from '../src/neo4j/driver.js';
import { applySchema } from '../src/neo4j/schema.js';
import { readRows } from '../src/ingest/read-rows.js';
import { validationRules } from '../src/ingest/rules.js';
import { writeIngestChunk } from '../src/ingest/write-chunk.js';
import type { IngestJobData } from '../src/queue/ingest-queue.js';
import { backgroundTransfers, type SyntheticTransfer } from '../dev/synth/background.js';
import { createRng } from '../dev/synth/rng.js';
import { writeTransfersCsv } from '../dev/synth/write-csv.js';
import type { Config } from '../src/config/index.js';
import { bulkRun, type BulkRun } from './bulk.js';
import { splitFile, watchRun, type WatchRun } from './watch.js';
import { importThroughWorker, labelShareFraud } from './stream-import.js';
import {
  BENCH_DIR,
  benchEnv,
  freshNeo4j,
  log,
  machine,
  median,
  neo4jPid,
  stopBenchNeo4j,
  trackPeak,
} from './common.js';

const { values: args } = parseArgs({
  options: {
    transactions: { type: 'string', default: '1000000' },
    accounts: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    modes: { type: 'string', default: 'streaming,bulk' },
    // The successor watch's cost: end to end with ACCTNET_WATCH=on and a watch set of this share of
    // the accounts labelled fraud (their transfers are evaluated as successor evidence), against off.
    'watch-share': { type: 'string', default: '0.01' },
    // --modes watch: the share of the file's rows imported (and analysed, and a version served)
    // before the measured import, so the watch set holds counterparties as in production (bench/watch.ts).
    'watch-history': { type: 'string', default: '0.5' },
    // Repeated rows (issue 12's rule: the bench includes duplicate and conflicting rows): after each
    // generated row, with these probabilities, a copy of one of the last 20,000 rows (an exact repeat:
    // "already stored", within a job or across jobs) or a copy with another amount (a conflict: rejected).
    'dup-share': { type: 'string', default: '0.02' },
    'conflict-share': { type: 'string', default: '0.005' },
  },
});
const modes = new Set(args.modes.split(','));
if (![...modes].every((m) => m === 'streaming' || m === 'bulk' || m === 'watch')) throw new Error('--modes: any of streaming, bulk, watch');
const watchShare = Number(args['watch-share']);
const transactions = Number(args.transactions);
const accounts = Number(args.accounts);
const runs = Number(args.runs);
const dupShare = Number(args['dup-share']);
const conflictShare = Number(args['conflict-share']);

/** What the database must hold after any run on the file: counts and the sum of amounts. */
interface Expected {
  rows: number;
  transfers: number;
  amountMinor: number;
  duplicates: number;
  conflicts: number;
  /** Sum of the conflicting copies' amounts (each is its original's + 1.00). */
  conflictAmountMinor: number;
}

/** The generated transfers with exact repeats and conflicting repeats mixed in, seeded. */
function* withRepeats(transfers: Iterable<SyntheticTransfer>, expected: Expected): Generator<SyntheticTransfer> {
  const rng = createRng(`${args.seed}-repeats`);
  const recent: SyntheticTransfer[] = [];
  const conflicted = new Set<string>();
  for (const t of transfers) {
    yield t;
    expected.rows++;
    expected.transfers++;
    expected.amountMinor += Math.round(Number(t.amount) * 100);
    recent.push(t);
    if (recent.length > 20_000) recent.shift();
    const r = rng();
    const earlier = recent[Math.floor(rng() * recent.length)]!;
    // No exact repeat after a conflicting one: in a job holding both, the repeat would be compared
    // with the conflicting row (the job's first occurrence) and rejected too, which is the streaming
    // path's rule but would make the expected counts depend on where jobs are cut; for the same reason
    // one conflicting copy per tx_id at most (two equal ones in a job: the second counts as a repeat).
    if (r < dupShare && !conflicted.has(earlier.txId)) {
      expected.rows++;
      expected.duplicates++;
      yield earlier;
    } else if (r >= dupShare && r < dupShare + conflictShare && !conflicted.has(earlier.txId)) {
      expected.rows++;
      expected.conflicts++;
      conflicted.add(earlier.txId);
      const copy = { ...earlier, amount: (Number(earlier.amount) + 1).toFixed(2) };
      expected.conflictAmountMinor += Math.round(Number(copy.amount) * 100);
      yield copy;
    }
  }
}

async function dataset(): Promise<{ file: string; expected: Expected }> {
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const base = path.join(BENCH_DIR, `ingest-${transactions}-${accounts}-s${args.seed}-d${dupShare}-c${conflictShare}-v3`);
  const file = `${base}.csv`;
  const expectedFile = `${base}.expected.json`;
  if (!fs.existsSync(file) || !fs.existsSync(expectedFile)) {
    log(`generating ${transactions} transactions over ${accounts} accounts (seed ${args.seed}) with repeats and conflicts`);
    const expected: Expected = { rows: 0, transfers: 0, amountMinor: 0, duplicates: 0, conflicts: 0, conflictAmountMinor: 0 };
    await writeTransfersCsv(
      `${file}.partial`,
      withRepeats(
        backgroundTransfers({ seed: Number(args.seed), accounts, transactions, start: Date.UTC(2025, 6, 1), days: 180 }),
        expected,
      ),
    );
    fs.renameSync(`${file}.partial`, file);
    fs.writeFileSync(expectedFile, `${JSON.stringify(expected)}\n`);
  }
  return { file, expected: JSON.parse(fs.readFileSync(expectedFile, 'utf8')) as Expected };
}

/**
 * Counts and sums in the database against the generator's: transfers, amounts, duplicates, rejects.
 * Of a tx_id and its conflicting copy, the one committed first is stored and the other rejected: in
 * file order when one process writes jobs one after another (the floor: `swapsAllowed` false), in
 * commit order when a worker writes two jobs at once, so there either version may be stored. What
 * holds in both: the stored amounts plus the rejected rows' amounts equal the originals' plus the
 * copies', and the stored sum exceeds the originals' by 1.00 per copy that won. Returns how many won.
 */
async function checkStore(config: Config, expected: Expected, what: string, swapsAllowed: boolean): Promise<number> {
  const driver = createDriver(config.neo4j);
  try {
    const t = (await driver.executeQuery('MATCH ()-[t:TRANSFER]->() RETURN count(t) AS n, sum(t.amount) AS amount')).records[0]!;
    const c = (
      await driver.executeQuery(
        'MATCH (c:IngestChunk) RETURN sum(c.received) AS received, sum(c.written) AS written, sum(c.duplicates) AS duplicates, sum(c.rejected) AS rejected',
      )
    ).records[0]!;
    const raws = (await driver.executeQuery('MATCH (r:RejectedRow) RETURN r.raw AS raw')).records.map((r) => r.get('raw') as string);
    const rejectedAmountMinor = raws.reduce((sum, raw) => sum + Math.round(Number(raw.split(',')[3]) * 100), 0);
    const stored = Number(t.get('amount'));
    // With two jobs at once, an exact repeat of an original whose conflicting copy committed first
    // is rejected as well (it differs from the stored copy): a rejected row equal to another rejected
    // row. It counts as the repeat it was generated as (and its amount as not rejected) — only there.
    let lateRepeats = 0;
    let lateRepeatsMinor = 0;
    if (swapsAllowed) {
      const seen = new Set<string>();
      for (const raw of raws) {
        if (!seen.has(raw)) seen.add(raw);
        else {
          lateRepeats++;
          lateRepeatsMinor += Math.round(Number(raw.split(',')[3]) * 100);
        }
      }
    }
    const got = {
      transfers: Number(t.get('n')),
      received: Number(c.get('received')),
      written: Number(c.get('written')),
      duplicates: Number(c.get('duplicates')) + lateRepeats,
      rejected: Number(c.get('rejected')) - lateRepeats,
      rejectedRows: raws.length - lateRepeats,
      storedPlusRejectedMinor: stored + rejectedAmountMinor - lateRepeatsMinor,
    };
    const want = {
      transfers: expected.transfers,
      received: expected.rows,
      written: expected.transfers,
      duplicates: expected.duplicates,
      rejected: expected.conflicts,
      rejectedRows: expected.conflicts,
      storedPlusRejectedMinor: expected.amountMinor + expected.conflictAmountMinor,
    };
    const won = (stored - expected.amountMinor) / 100;
    const wonOk = Number.isInteger(won) && won >= 0 && won <= (swapsAllowed ? expected.conflicts : 0) && lateRepeats <= won;
    if (JSON.stringify(got) !== JSON.stringify(want) || !wonOk)
      throw new Error(
        `${what}: the store holds ${JSON.stringify({ ...got, storedMinor: stored, lateRepeats })}, expected ${JSON.stringify({ ...want, storedMinor: expected.amountMinor })}${swapsAllowed ? ` + 100 per conflicting copy stored (at most ${expected.conflicts})` : ''}`,
      );
    if (lateRepeats)
      log(`  ${what}: ${lateRepeats} exact repeat(s) rejected after their original lost to its conflicting copy (commit order)`);
    return won;
  } finally {
    await driver.close();
  }
}

/** The floor: one process, one loop, the same parse/validate/write code, no queue. */
async function floorRun(
  file: string,
  expected: Expected,
  env: NodeJS.ProcessEnv,
): Promise<{ seconds: number; neo4jPeakMiB: number; processPeakMiB: number }> {
  const config = await freshNeo4j(env);
  const driver = createDriver(config.neo4j);
  await applySchema(driver, config.neo4j);
  const neo4jPeak = trackPeak(neo4jPid(env)!);
  const selfPeak = trackPeak(process.pid);
  const rules = validationRules(config);
  const started = performance.now();
  let job: IngestJobData = { batchId: 'floor', seq: 0, rows: [], rejected: [] };
  for await (const item of readRows(fs.createReadStream(file, { highWaterMark: 256 * 1024 }), 'csv', {})) {
    if (item.kind === 'row') job.rows.push({ line: item.line, fields: item.fields, raw: item.raw });
    else job.rejected.push({ line: item.line, reason: item.reason, raw: item.raw });
    if (job.rows.length + job.rejected.length >= config.ingest.batchSize) {
      await writeIngestChunk(driver, config.neo4j, job, rules);
      job = { batchId: 'floor', seq: job.seq + 1, rows: [], rejected: [] };
    }
  }
  if (job.rows.length + job.rejected.length) await writeIngestChunk(driver, config.neo4j, job, rules);
  const seconds = (performance.now() - started) / 1000;
  await driver.close();
  await checkStore(config, expected, 'floor', false);
  return { seconds, neo4jPeakMiB: neo4jPeak.stop(), processPeakMiB: selfPeak.stop() };
}

/** End to end: `acctnet worker` and `acctnet import FILE` as separate processes, as an operator runs them. */
async function endToEndRun(file: string, expected: Expected, env: NodeJS.ProcessEnv, watch: boolean) {
  const config = await freshNeo4j(env);
  const childEnv = { ...env, NEO4J_URI: config.neo4j.uri, ACCTNET_WATCH: watch ? 'on' : 'off' };
  // Every 1/share-th account labelled fraud: the watch set's predecessors (their counterparties join as they appear).
  if (watch && watchShare > 0) await labelShareFraud(config, watchShare, accounts);
  // Exit 2: some rows rejected (the conflicting repeats), as expected.
  const run = await importThroughWorker(file, config, childEnv, env, [expected.conflicts > 0 ? 2 : 0]);
  const result = {
    seconds: run.seconds,
    importPeakMiB: run.peakMiB.import,
    workerPeakMiB: run.peakMiB.worker,
    neo4jPeakMiB: run.peakMiB.neo4j,
    // CPU µs per row of the file, per process: where the two cores went.
    cpuUsPerRow: {
      neo4j: (run.cpuSeconds.neo4j / expected.rows) * 1e6,
      worker: (run.cpuSeconds.worker / expected.rows) * 1e6,
      import: (run.cpuSeconds.import / expected.rows) * 1e6,
    },
  };
  const conflictsWonByCopy = await checkStore(config, expected, 'end to end', true);
  return { ...result, conflictsWonByCopy };
}

const env = benchEnv();
const { file, expected } = await dataset();
const rows: Array<{
  floor: number;
  e2e: number;
  ratio: number;
  importMiB: number;
  workerMiB: number;
  neo4jMiB: number;
  floorMiB: number;
  watchOff: number;
  cpu: string;
}> = [];
const bulkRows: BulkRun[] = [];
const watchRows: Array<{ on: WatchRun; off: WatchRun }> = [];
const watchHistory = Number(args['watch-history']);
try {
  for (let run = 1; run <= runs; run++) {
    if (modes.has('watch')) {
      const parts = splitFile(file, watchHistory);
      const once = async (watch: boolean) => {
        log(`run ${run}/${runs}: the watch's cost after history, ACCTNET_WATCH=${watch ? 'on' : 'off'}`);
        const r = await watchRun(parts, env, { watch, share: watchShare, accounts }, (config) => checkStore(config, expected, 'watch', true));
        log(
          `  ${r.rate.toFixed(0)} tx/s (${r.seconds.toFixed(1)} s), ${r.successors} provisional successors; CPU per row: worker ${r.workerCpuUsPerRow.toFixed(0)} µs, Neo4j ${r.neo4jCpuUsPerRow.toFixed(0)} µs`,
        );
        return r;
      };
      // Alternated, so that a drift of the machine does not always favour the same one.
      const first = await once(run % 2 === 1);
      const second = await once(run % 2 === 0);
      watchRows.push(run % 2 === 1 ? { on: first, off: second } : { on: second, off: first });
    }
    if (modes.has('bulk')) {
      log(`run ${run}/${runs}: import --bulk (convert, stop, neo4j-admin import, start, schema), then the bare importer`);
      const b = await bulkRun(file, env);
      log(
        `  bulk ${(b.written / b.seconds).toFixed(0)} tx/s end to end (${b.seconds.toFixed(1)} s), bare importer ${b.bareSeconds.toFixed(1)} s`,
      );
      bulkRows.push(b);
    }
    if (!modes.has('streaming')) continue;
    log(`run ${run}/${runs}: floor (direct UNWIND loop)`);
    const floor = await floorRun(file, expected, env);
    log(`  floor ${(expected.rows / floor.seconds).toFixed(0)} tx/s (${floor.seconds.toFixed(1)} s)`);
    log(`run ${run}/${runs}: end to end (import → queue → worker → Neo4j)`);
    const e2e = await endToEndRun(file, expected, env, true);
    log(
      `  end to end, watch on ${(expected.rows / e2e.seconds).toFixed(0)} tx/s (${e2e.seconds.toFixed(1)} s); ${e2e.conflictsWonByCopy} of ${expected.conflicts} conflicts stored the later copy (commit order)`,
    );
    log(`run ${run}/${runs}: end to end with ACCTNET_WATCH=off`);
    const off = await endToEndRun(file, expected, env, false);
    log(`  end to end, watch off ${(expected.rows / off.seconds).toFixed(0)} tx/s (${off.seconds.toFixed(1)} s)`);
    const cpu = (c: { neo4j: number; worker: number; import: number }) =>
      `Neo4j ${c.neo4j.toFixed(0)}, worker ${c.worker.toFixed(0)}, import ${c.import.toFixed(0)} µs`;
    log(
      `  CPU per row, watch on: ${cpu(e2e.cpuUsPerRow)}; watch off: ${cpu(off.cpuUsPerRow)}; wall per row (off) ${((off.seconds / expected.rows) * 1e6).toFixed(0)} µs`,
    );
    rows.push({
      floor: expected.rows / floor.seconds,
      e2e: expected.rows / e2e.seconds,
      ratio: floor.seconds / e2e.seconds,
      importMiB: e2e.importPeakMiB,
      workerMiB: e2e.workerPeakMiB,
      neo4jMiB: e2e.neo4jPeakMiB,
      floorMiB: floor.processPeakMiB,
      watchOff: expected.rows / off.seconds,
      cpu: `${off.cpuUsPerRow.neo4j.toFixed(0)} / ${off.cpuUsPerRow.worker.toFixed(0)} / ${off.cpuUsPerRow.import.toFixed(0)} µs`,
    });
  }
} finally {
  await stopBenchNeo4j(env);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const report: string[] = [];
if (rows.length) {
  const e2eMedian = median(rows.map((r) => r.e2e));
  const ratioMedian = median(rows.map((r) => r.ratio));
  report.push(
    '| run | floor tx/s | end-to-end tx/s (watch on) | end-to-end tx/s (watch off) | on / off | end-to-end / floor | peak RSS import CLI | peak RSS worker | peak RSS Neo4j | peak RSS floor process | CPU per row, watch off: Neo4j / worker / import |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r, i) =>
        `| ${i + 1} | ${fmt(r.floor)} | ${fmt(r.e2e)} | ${fmt(r.watchOff)} | ${(r.e2e / r.watchOff).toFixed(2)} | ${r.ratio.toFixed(2)} | ${r.importMiB} MiB | ${r.workerMiB} MiB | ${r.neo4jMiB} MiB | ${r.floorMiB} MiB | ${r.cpu} |`,
    ),
    `| **median** | **${fmt(median(rows.map((r) => r.floor)))}** | **${fmt(e2eMedian)}** | **${fmt(median(rows.map((r) => r.watchOff)))}** | **${median(rows.map((r) => r.e2e / r.watchOff)).toFixed(2)}** | **${ratioMedian.toFixed(2)}** | | | | | |`,
    '',
    `Watch on: ${(watchShare * 100).toFixed(2)}% of the accounts labelled fraud before the import (--watch-share), so the watch set holds them from the first job and transfers out of them are evaluated as successor evidence (their counterparties join the set only with a served version, which an import alone does not make). Target: watch on within 10% of off → ${median(rows.map((r) => r.e2e / r.watchOff)) >= 0.9 ? 'met' : 'MISSED'}.`,
    '',
    `Targets: end to end ≥ 15,000 tx/s (issue 12) → ${e2eMedian >= 15000 ? 'met' : 'MISSED'} (median ${fmt(e2eMedian)}); end to end ≥ 0.7 × floor → ${ratioMedian >= 0.7 ? 'met' : 'MISSED'} (median ${ratioMedian.toFixed(2)}).`,
  );
}
if (bulkRows.length) {
  const s = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(1)} s`;
  const bulkMedian = median(bulkRows.map((b) => b.written / b.seconds));
  const bulkRatio = median(bulkRows.map((b) => b.bareSeconds / b.seconds));
  const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;
  report.push(
    '',
    `#### import --bulk — ${fmt(transactions)} transactions over ${fmt(accounts)} accounts, ${bulkRows.length} run(s)`,
    '',
    'End to end = the CLI from start to exit: check, conversion, stop, `neo4j-admin database import full`, start, schema (constraints and indexes online), count check. Bare = `neo4j-admin database import full` alone on the same files, into an empty data folder.',
    '',
    '| run | end-to-end tx/s | bare importer tx/s | end-to-end / bare | check | convert | stop | import | start | schema | verify | downtime | peak RSS CLI | input | import files | data folder |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...bulkRows.map(
      (b, i) =>
        `| ${i + 1} | ${fmt(b.written / b.seconds)} | ${fmt(b.written / b.bareSeconds)} | ${(b.bareSeconds / b.seconds).toFixed(2)} | ${s(b.stepsMs.check)} | ${s(b.stepsMs.convert)} | ${s(b.stepsMs.stop)} | ${s(b.stepsMs.import)} | ${s(b.stepsMs.start)} | ${s(b.stepsMs.schema)} | ${s(b.stepsMs.verify)} | ${s(b.downtimeMs)} | ${b.cliPeakMiB} MiB | ${mib(b.inputBytes)} | ${mib(b.filesBytes)} | ${mib(b.storeBytes)} |`,
    ),
    `| **median** | **${fmt(bulkMedian)}** | **${fmt(median(bulkRows.map((b) => b.written / b.bareSeconds)))}** | **${bulkRatio.toFixed(2)}** | | | | | | | | | | | | |`,
    '',
    `Targets: end to end ≥ 0.7 × the bare importer → ${bulkRatio >= 0.7 ? 'met' : 'MISSED'} (median ${bulkRatio.toFixed(2)}); ≥ 100,000 tx/s end to end (at 10M) → ${bulkMedian >= 100_000 ? 'met' : 'MISSED'} at this size (median ${fmt(bulkMedian)}).`,
  );
}
if (watchRows.length) {
  const ratio = median(watchRows.map((w) => w.on.rate / w.off.rate));
  const w0 = watchRows[0]!.on;
  report.push(
    '',
    `#### The successor watch's cost after history (--modes watch) — ${fmt(w0.historyRows)} rows of history, ${fmt(w0.rows)} measured, ${watchRows.length} run(s)`,
    '',
    `Per run and mode, from an empty Neo4j: ${(watchShare * 100).toFixed(2)}% of the accounts labelled fraud, the first ${(watchHistory * 100).toFixed(0)}% of the file's rows imported, a full recompute serving its version, the watch set built for it (watch on; timed apart), then the rest of the file imported through a new worker with ACCTNET_WATCH on or off (timed); the whole file's counts and sums checked after.`,
    '',
    '| run | served entries | watch set: predecessors / former counterparties / MiB | set built in | tx/s watch on | tx/s watch off | on / off | provisional successors (on) | CPU per row on / off: worker, Neo4j |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...watchRows.map(
      (w, i) =>
        `| ${i + 1} | ${fmt(w.on.served)} | ${fmt(w.on.set?.predecessors ?? 0)} / ${fmt(w.on.set?.counterparties ?? 0)} / ${((w.on.set?.bytes ?? 0) / 2 ** 20).toFixed(1)} | ${(w.on.buildSeconds ?? 0).toFixed(1)} s | ${fmt(w.on.rate)} | ${fmt(w.off.rate)} | ${(w.on.rate / w.off.rate).toFixed(2)} | ${fmt(w.on.successors)} | ${w.on.workerCpuUsPerRow.toFixed(0)} / ${w.off.workerCpuUsPerRow.toFixed(0)} µs, ${w.on.neo4jCpuUsPerRow.toFixed(0)} / ${w.off.neo4jCpuUsPerRow.toFixed(0)} µs |`,
    ),
    `| **median** | | | | **${fmt(median(watchRows.map((w) => w.on.rate)))}** | **${fmt(median(watchRows.map((w) => w.off.rate)))}** | **${ratio.toFixed(2)}** | | |`,
    '',
    `Target (issue 13): ingest with the watch on within 10% of off → ${ratio >= 0.9 ? 'met' : 'MISSED'} (median on / off ${ratio.toFixed(2)}).`,
  );
}
report.unshift(
  `### bench:ingest — ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: ${machine()}. Data: ${fmt(transactions)} transactions over ${fmt(accounts)} accounts (seed ${args.seed}) plus ${fmt(expected.duplicates)} exact repeats and ${fmt(expected.conflicts)} conflicting repeats: ${fmt(expected.rows)} rows, tx/s = rows of the file per second; after every run the store's transfer count, amount sum, per-job counts and rejected rows are checked against the generator's, batch ${env.ACCTNET_INGEST_BATCH_SIZE ?? 5000} rows, worker concurrency ${env.ACCTNET_WORKER_CONCURRENCY ?? 2}, ${runs} runs.`,
  '',
);
process.stdout.write(`${report.join('\n')}\n`);
process.exit(0);
