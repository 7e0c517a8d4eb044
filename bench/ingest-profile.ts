// node dist/bench/ingest-profile.js — where the time of one ingest job goes (issue 12, item 3).
// On the bench Neo4j: loads --preload rows of the bench file with the streaming write path (a
// realistic store), then writes the next --jobs jobs with every statement timed (client wall time,
// the server's own time, commit) and PROFILEs one more job in a transaction that is rolled back
// (db hits per operator). Also times the JS side: CSV parse, the job's JSON round trip through
// Redis (stringify + parse + schema check) and validation. CPU seconds of Neo4j and of this process
// are read from /proc. Not a test: it prints figures.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { ManagedTransaction, ProfiledPlan, ResultSummary } from 'neo4j-driver';
import { createDriver, sessionConfig } from '../src/neo4j/driver.js';
import { applySchema } from '../src/neo4j/schema.js';
import { readRows } from '../src/ingest/read-rows.js';
import { validationRules } from '../src/ingest/rules.js';
import { classifyRows, writeIngestChunk, writeInTransaction } from '../src/ingest/write-chunk.js';
import { ingestJobValidator, type IngestJobData } from '../src/queue/ingest-queue.js';
import { benchEnv, freshNeo4j, log, neo4jPid, stopBenchNeo4j } from './common.js';

const { values: args } = parseArgs({
  options: {
    file: { type: 'string' },
    preload: { type: 'string', default: '200000' },
    jobs: { type: 'string', default: '10' },
    'batch-size': { type: 'string', default: '5000' },
    // Records the timed jobs with Java Flight Recorder in Neo4j (jcmd from the JDK Neo4j runs on).
    jfr: { type: 'string' },
  },
});
if (!args.file)
  throw new Error('--file CSV (e.g. the file bench:ingest writes: .acctnet/bench/ingest-500000-50000-s1-d0.02-c0.005-v3.csv)');
const batchSize = Number(args['batch-size']);
const preload = Number(args.preload);
const profileJobs = Number(args.jobs);

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 10 ms
}
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// 1. Parse the whole file into jobs (timed: the import CLI's share).
const parseStart = performance.now();
const jobs: IngestJobData[] = [];
let job: IngestJobData = { batchId: 'prof', seq: 0, rows: [], rejected: [] };
for await (const item of readRows(fs.createReadStream(args.file, { highWaterMark: 256 * 1024 }), 'csv', {})) {
  if (item.kind === 'row') job.rows.push({ line: item.line, fields: item.fields, raw: item.raw });
  else job.rejected.push({ line: item.line, reason: item.reason, raw: item.raw });
  if (job.rows.length + job.rejected.length >= batchSize) {
    jobs.push(job);
    job = { batchId: 'prof', seq: job.seq + 1, rows: [], rejected: [] };
  }
}
if (job.rows.length + job.rejected.length) jobs.push(job);
const parseMs = performance.now() - parseStart;
const totalRows = jobs.reduce((n, j) => n + j.rows.length + j.rejected.length, 0);

// 2. The queue's JS share per job: JSON round trip (BullMQ stores the payload as JSON) and schema check.
let jsonMs = 0;
let checkMs = 0;
let classifyMs = 0;
const env = benchEnv();
const config = await freshNeo4j(env);
const rules = validationRules(config);
for (const j of jobs.slice(0, 20)) {
  let t = performance.now();
  const copy = JSON.parse(JSON.stringify(j)) as IngestJobData;
  jsonMs += performance.now() - t;
  t = performance.now();
  if (!ingestJobValidator.Check(copy)) throw new Error('schema');
  checkMs += performance.now() - t;
  t = performance.now();
  classifyRows(copy, rules);
  classifyMs += performance.now() - t;
}
const sampleRows = jobs.slice(0, 20).reduce((n, j) => n + j.rows.length, 0);
const us = (ms: number, rows: number) => ((ms * 1000) / rows).toFixed(1);
log(
  `JS per row: CSV parse ${us(parseMs, totalRows)} µs, JSON round trip ${us(jsonMs, sampleRows)} µs, schema check ${us(checkMs, sampleRows)} µs, validate + de-duplicate ${us(classifyMs, sampleRows)} µs`,
);

// 3. Preload a realistic store with the streaming write path.
const driver = createDriver(config.neo4j);
await applySchema(driver, config.neo4j);
const pid = neo4jPid(env)!;
const preloadJobs = jobs.slice(0, Math.ceil(preload / batchSize));
const jcmd = `${process.env.ACCTNET_JAVA_HOME ?? '/usr/lib/jvm/java-1.17.0-openjdk-amd64'}/bin/jcmd`;
if (args.jfr) execFileSync(jcmd, [String(pid), 'JFR.start', 'name=ingest', 'settings=default', `filename=${args.jfr}`]);
let neoCpu0 = cpuSeconds(pid);
let selfCpu0 = selfCpu();
let t0 = performance.now();
let stepCpu = neoCpu0;
for (const [k, j] of preloadJobs.entries()) {
  await writeIngestChunk(driver, config.neo4j, j, rules);
  if ((k + 1) % 10 === 0) {
    const c = cpuSeconds(pid);
    log(`  preload jobs ${k - 8}..${k + 1}: Neo4j CPU ${(((c - stepCpu) / (10 * batchSize)) * 1e6).toFixed(0)} µs per row`);
    stepCpu = c;
  }
}
let wall = (performance.now() - t0) / 1000;
let rows = preloadJobs.reduce((n, j) => n + j.rows.length, 0);
log(
  `preload ${rows} rows: ${(rows / wall).toFixed(0)} tx/s; CPU per row: Neo4j ${(((cpuSeconds(pid) - neoCpu0) / rows) * 1e6).toFixed(0)} µs, this process ${(((selfCpu() - selfCpu0) / rows) * 1e6).toFixed(0)} µs; wall per row ${((wall / rows) * 1e6).toFixed(0)} µs`,
);

// 4. Timed jobs: every statement's client wall time and the server's own time, and the commit.
interface Stat {
  wall: number;
  server: number;
  n: number;
  rows: number;
}
const stats = new Map<string, Stat>();
const name = (q: string) => /\/\/ (.{0,40})/.exec(q)?.[1]?.slice(0, 28) ?? q.slice(0, 28);
const serverMs = (s: ResultSummary) => Number(s.resultAvailableAfter) + Number(s.resultConsumedAfter);
function timed(tx: ManagedTransaction): ManagedTransaction {
  return {
    run: async (query: string, params: Record<string, unknown>) => {
      const t = performance.now();
      const r = await tx.run(query, params);
      const w = performance.now() - t;
      const key = name(query);
      const s = stats.get(key) ?? { wall: 0, server: 0, n: 0, rows: 0 };
      s.wall += w;
      s.server += serverMs(r.summary);
      s.n++;
      s.rows += r.records.length;
      stats.set(key, s);
      return r;
    },
  } as unknown as ManagedTransaction;
}
const timedJobs = jobs.slice(preloadJobs.length, preloadJobs.length + profileJobs);
let txWall = 0;
let classifyWall = 0;
neoCpu0 = cpuSeconds(pid);
selfCpu0 = selfCpu();
t0 = performance.now();
for (const j of timedJobs) {
  let t = performance.now();
  const classified = classifyRows(j, rules);
  classifyWall += performance.now() - t;
  t = performance.now();
  const session = driver.session(sessionConfig(config.neo4j, 'WRITE'));
  await session.executeWrite((tx) => writeInTransaction(timed(tx), j, classified, []));
  await session.close();
  txWall += performance.now() - t;
}
wall = (performance.now() - t0) / 1000;
if (args.jfr) execFileSync(jcmd, [String(pid), 'JFR.stop', 'name=ingest']);
rows = timedJobs.reduce((n, j) => n + j.rows.length, 0);
const neoCpu = cpuSeconds(pid) - neoCpu0;
const ownCpu = selfCpu() - selfCpu0;
const lines = [
  `Timed ${timedJobs.length} jobs of ${batchSize} rows after ${preloadJobs.length * batchSize} preloaded: ${(rows / wall).toFixed(0)} tx/s; CPU per row Neo4j ${((neoCpu / rows) * 1e6).toFixed(0)} µs, this process ${((ownCpu / rows) * 1e6).toFixed(0)} µs`,
  '',
  '| part | ms per job | µs per row | server ms per job | records per job |',
  '| --- | ---: | ---: | ---: | ---: |',
  `| validate + de-duplicate (JS) | ${(classifyWall / timedJobs.length).toFixed(1)} | ${us(classifyWall, rows)} | | |`,
];
let stmtWall = 0;
for (const [k, s] of stats) {
  stmtWall += s.wall;
  lines.push(
    `| ${k} | ${(s.wall / timedJobs.length).toFixed(1)} | ${us(s.wall, rows)} | ${(s.server / timedJobs.length).toFixed(1)} | ${(s.rows / timedJobs.length).toFixed(0)} |`,
  );
}
lines.push(
  `| commit + session (rest of the transaction) | ${((txWall - stmtWall) / timedJobs.length).toFixed(1)} | ${us(txWall - stmtWall, rows)} | | |`,
);
process.stdout.write(`${lines.join('\n')}\n\n`);

// 5. PROFILE one more job, rolled back: db hits per operator of each statement.
function flatten(p: ProfiledPlan, depth: number, out: string[]): void {
  const args = p.arguments as Record<string, unknown>;
  const detail = String(args['Details'] ?? '').slice(0, 70);
  out.push(`${'  '.repeat(depth)}${p.operatorType} rows=${p.rows} dbHits=${p.dbHits} ${detail}`);
  for (const c of p.children) flatten(c, depth + 1, out);
}
const profJob = jobs[preloadJobs.length + profileJobs];
if (profJob) {
  const session = driver.session(sessionConfig(config.neo4j, 'WRITE'));
  const tx = session.beginTransaction();
  const out: string[] = [];
  const profiled = {
    run: async (query: string, params: Record<string, unknown>) => {
      const r = await tx.run(`PROFILE ${query}`, params);
      out.push(`-- ${name(query)} (server ${serverMs(r.summary)} ms)`);
      if (r.summary.profile) flatten(r.summary.profile, 1, out);
      return r;
    },
  } as unknown as ManagedTransaction;
  await writeInTransaction(profiled, profJob, classifyRows(profJob, rules), []);
  await tx.rollback();
  await session.close();
  process.stdout.write(`PROFILE of one job (${profJob.rows.length} rows, rolled back):\n${out.join('\n')}\n`);
}
await driver.close();
await stopBenchNeo4j(env);
process.exit(0);
