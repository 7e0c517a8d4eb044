// npm run eval -- --replay: the successor watch measured as the product lives (issue 13, docs/evaluation.md,
// "Successor watch (replay)").
//
// Per seeded world: the transfers before day D are imported (`acctnet import`, a fresh Neo4j instance
// "eval"), a share of the fraud accounts seen by then is labelled fraud and a run is made and served
// (`acctnet recompute --wait`: the list and the watch set at D). Then the days after D are streamed
// through the real ingest path — POST /v1/transactions on the in-process fastify app, the ingest
// worker of workers/ingest.ts with the watch as configured — at a fixed rate, in batches. After each
// streamed day the queue is drained and the watch's successors are read: a successor recorded by the
// end of the day its evidence completed was flagged "before the next nightly run". Then that night's
// run is made (`recompute --wait`, option nightly, the default): the served list, and so the watch
// set, follows the days as under the product's nightly schedule. With --replay-nightly off no run is
// made during the stream: the watch set stays the one served at D (predecessors a later nightly run
// would have listed are not watched; their successors count as not flagged).
//
// For every planted migration A → S whose successor S first transacts after D (within the stream):
// - evidence: the transfer that completes it — S's 3rd transfer with a former counterparty of A
//   (an account A dealt with before S's first transfer), or the first transfer from A to S,
//   whichever comes first;
// - delay: the watch's `detectedAt` minus the wall time that transfer was posted (0 when the link was
//   recorded before it: the takeover bar can be reached at the second counterparty taken over);
// - false alerts: recorded successors S first seen after D whose pair is not a planted fraud migration,
//   per 10,000 accounts first seen after D, with the exact one-sided 95% Poisson upper bound;
// - a legit account (not fraud in the truth) listed by the watch.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { MIGRATION_DEFAULTS } from '../../src/analysis/migration.js';
import { loadConfig, projectRoot } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';
import { createAnalysisRepository } from '../../src/neo4j/repositories/analysis.js';
import { createKeyRepository } from '../../src/neo4j/repositories/keys.js';
import { createRunRepository } from '../../src/neo4j/repositories/runs.js';
import { createSuccessorRepository, SUCCESSOR_STATUSES, type Successor } from '../../src/neo4j/repositories/successors.js';
import { Runtime } from '../../src/runtime.js';
import { buildServer } from '../../src/server.js';
import { createPatternWorld } from '../synth/aml-patterns.js';
import type { SyntheticTransfer } from '../synth/background.js';
import { createWorld, type TruthMigration } from '../synth/world.js';
import { writeTransfersCsv } from '../synth/write-csv.js';
import { startIngestWorker } from '../../workers/ingest.js';
import { createSuccessorWatch, type PairTrace } from '../../src/watch/successor-watch.js';
import { watchKeys, type WatchCounterparty } from '../../src/watch/watch-set.js';
import type { PreparedDataset } from './datasets.js';
import { drawLabels } from './measure.js';
import { cliRunner, evalEnv } from './runner.js';

const DAY = 86_400_000;
const log = (line: string) => process.stderr.write(`[eval:replay] ${line}\n`);
export const REPLAY_KINDS = ['world-v2', 'patterns'];

export interface ReplayOptions {
  kinds: string[];
  seeds: number[];
  accounts: number;
  /** Import and run on the days before this one; stream it and the rest. */
  day: number;
  /** Days streamed after D (to the world's end at most): successors rising in them are measured. */
  streamDays: number;
  /**
   * Days streamed after those, in which nothing new is counted: a successor that rose in the last
   * measured days can still complete its evidence and be flagged (or not) before its next night.
   * 0: the stream ends with the measured days (a late riser whose evidence would complete after
   * them counts as not flagged).
   */
  tailDays?: number;
  /** Transfers per second offered to POST /v1/transactions. */
  rate: number;
  /** Transfers per request. */
  batch: number;
  /**
   * A run (`acctnet recompute --wait`) at the end of every streamed day, after the day's check, as
   * the product's nightly schedule makes one: the served list, and so the watch set, follows the days.
   * Off: no run during the stream, the watch set stays the one served at D (the replays before 2026-12-04).
   */
  nightly: boolean;
}

interface MigrationResult {
  world: string;
  from: string;
  to: string;
  kind: 'fraud' | 'legit';
  riseDay: number;
  /**
   * The predecessor was in the watch set on the pair's deadline day: listed or labelled fraud (at D, or
   * after a nightly run before that day), or listed by such a list within the migration's lag and dropped since.
   */
  watched: boolean;
  /** The day from which the predecessor was in the watch set (D, or the day after the nightly run that listed it); null: never in the stream. */
  watchedFromDay: number | null;
  evidenceDay: number | null;
  evidenceKind: 'takeover' | 'money-from-A' | null;
  /** Recorded by the watch (any status) by the end of the stream. */
  recorded: boolean;
  flaggedBeforeNight: boolean;
  /**
   * A watch successor to S under any predecessor (any status) existed at the day-end check of its
   * deadline: S flagged, though perhaps under another account than the planted A (null: none).
   */
  flaggedUnder: string | null;
  /** S was already on a served list in force by its deadline day: listed by an earlier nightly run (option nightly). */
  listedByEarlierRun: boolean;
  /** The first day from which a nightly run's served list held S (null: none in the stream); diagnostics. */
  listedByRunFromDay: number | null;
  delaySeconds: number | null;
  listed: boolean;
  /** Former counterparties of A (before S's first transfer, from the truth) and how many the watch set holds for A. */
  formerInTruth: number;
  formerWatched: number;
  /** Where the watch stopped the pair at the end of the deadline day (evidence day, else rise day), and at the stream's end. */
  traceAtDeadline: PairTrace | null;
  traceAtEnd: PairTrace | null;
  /**
   * The predecessor's score and reasons in the run served at the end of the pair's deadline day (the
   * run in force when the watch would have needed it; null: the run did not score A). Diagnostics for
   * predecessors not in the watch set.
   */
  predecessorAtDeadline: { score: number; reasons: string[] } | null;
  /** The link of the run made after the stream (null: the run found no link A → S). */
  runScore: number | null;
  runEvidence: Record<string, unknown> | null;
}

interface WorldResult {
  name: string;
  transfersBefore: number;
  transfersStreamed: number;
  secondsStreamed: number;
  achievedRate: number;
  listedAtD: number;
  labelledFraud: number;
  newAccounts: number;
  recorded: number;
  falseAlerts: number;
  falseAlertsFraudS: number;
  /** False alerts a stronger link to the same successor superseded by the end of the stream (still counted above: they were raised). */
  falseAlertsSuperseded: number;
  falseAlertPairs: Array<{
    from: string;
    to: string;
    score: number;
    status: string;
    fromFraud: boolean;
    toFraud: boolean;
    evidence: unknown;
  }>;
  /** Watch successors (any status) that the run after the stream also found / all of them. */
  provisionalConfirmedByRun: number;
  /** Nightly runs during the stream (option nightly): how many, how many were not served (held by the publish guard), seconds. */
  nightlyRuns: number;
  nightlyNotServed: number;
  nightlySeconds: number;
  legitListed: string[];
  /**
   * Accounts a nightly run dropped from the served list (on the list served the night before, not on
   * the new one), over the stream (option nightly): fraud in the truth, silent since listed (no
   * transfer between the first day of that listing and the night that dropped it), listed again by
   * a later run. Diagnostics of the list's stability (since 2026-12-06).
   */
  listDrops?: { runs: number; dropped: number; fraud: number; silentSinceListed: number; fraudSilentSinceListed: number; relisted: number };
  migrations: MigrationResult[];
  seconds: Record<string, number>;
}

/** Exact one-sided 95% upper bound of a Poisson mean after observing k events. */
export function poissonUpper95(k: number): number {
  const cdf = (lambda: number) => {
    let term = Math.exp(-lambda);
    let sum = term;
    for (let i = 1; i <= k; i++) {
      term *= lambda / i;
      sum += term;
    }
    return sum;
  };
  let lo = 0;
  let hi = k + 10 + 10 * Math.sqrt(k + 1);
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return hi;
}

const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const asRows = (txs: readonly SyntheticTransfer[]) =>
  txs.map((t) => ({
    tx_id: t.txId,
    from_account: t.from,
    to_account: t.to,
    amount: t.amount,
    currency: t.currency,
    timestamp: new Date(t.at).toISOString(),
    channel: t.channel,
  }));

async function replayWorld(kind: string, seed: number, opts: ReplayOptions, out: string): Promise<WorldResult> {
  const name = `replay-${kind}-${seed}-${opts.accounts}-d${opts.day}`;
  const dir = path.join(out, name);
  fs.mkdirSync(dir, { recursive: true });
  const prefix = `replay${process.pid}s${seed}${kind === 'patterns' ? 'p' : 'w'}`;
  const env = { ...evalEnv(), ACCTNET_QUEUE_PREFIX: prefix };
  const seconds: Record<string, number> = {};
  const t0 = performance.now();
  const lap = (k: string, t: number) => (seconds[k] = Math.round((performance.now() - t) / 100) / 10);

  const baseConfig = loadConfig(env);
  const worldOpts = { seed, accounts: opts.accounts, activity: 0.7, currency: baseConfig.analysis.baseCurrency };
  const world = kind === 'patterns' ? createPatternWorld(worldOpts) : createWorld({ ...worldOpts, version: 2 });
  const { start, cut, end, streamEnd, streamDays } = replayDays(opts);
  const before: SyntheticTransfer[] = [];
  const after: SyntheticTransfer[] = [];
  for (const t of world.transfers()) {
    if (t.at < cut) before.push(t);
    else if (t.at < streamEnd) after.push(t);
  }
  after.sort((a, b) => a.at - b.at);
  const file = path.join(dir, 'transactions-before-d.csv');
  await writeTransfersCsv(file, before);
  const fraudTruth = new Set(world.truth.filter((a) => a.fraud).map((a) => a.id));
  const firstSeen = new Map<string, number>();
  for (const t of [...before, ...after])
    for (const id of [t.from, t.to]) {
      const f = firstSeen.get(id);
      if (f === undefined || t.at < f) firstSeen.set(id, t.at);
    }
  const seenBefore = new Set<string>();
  for (const t of before) {
    seenBefore.add(t.from);
    seenBefore.add(t.to);
  }
  const truth = {
    fraud: new Set([...fraudTruth].filter((id) => seenBefore.has(id))),
    typology: new Map<string, string>(),
    victims: new Set<string>(),
    lookalikes: new Set<string>(),
    migrations: world.migrations,
    all: seenBefore,
  };
  const labels = drawLabels(name, truth, 1);
  lap('world', t0);
  log(
    `== ${name}: ${before.length} transfers before day ${opts.day}, ${after.length} to stream over ${streamDays} days; ${labels.size} fraud labels`,
  );

  const runner = cliRunner(env);
  const prepared: PreparedDataset = { file, mapArgs: [], truth };
  let rt: Runtime | undefined;
  let app: FastifyInstance | undefined;
  let worker: Worker | undefined;
  try {
    const t1 = performance.now();
    Object.assign(seconds, await runner.setup(prepared, null, dir));
    const atD = await runner.run(labels, 1, dir);
    lap('importAndRunAtD', t1);
    log(`   run at D served: ${atD.listed.size} listed`);

    const config = loadConfig(env);
    const logger = createLogger('warn', 'acctnet-replay', 2);
    rt = new Runtime(config, logger);
    await rt.ensureRedis();
    const driver = await rt.ensureNeo4j({ autoStart: false });
    app = await buildServer({ config, runtime: rt, logger });
    await app.ready();
    const ingestKey = (await createKeyRepository(driver, config.neo4j).create('ingest', 'replay', 'eval')).key;
    worker = await startIngestWorker(rt);
    const successors = createSuccessorRepository(driver, config.neo4j);
    const readAll = async (): Promise<Successor[]> => {
      const all: Successor[] = [];
      let afterKey: { at: number; key: string } | null = null;
      for (;;) {
        const page = await successors.list({ statuses: SUCCESSOR_STATUSES, minScore: 0, after: afterKey, limit: 1000 });
        all.push(...page);
        if (page.length < 1000) break;
        const last = page[page.length - 1]!;
        afterKey = { at: last.detectedAt, key: last.key };
      }
      return all;
    };
    const drained = async () => {
      for (;;) {
        const c = await rt!.ingestQueue().getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        if (Object.values(c).every((n) => n === 0)) return;
        await sleep(100);
      }
    };

    // Per planted migration rising in the stream: A's former counterparties and the evidence transfer.
    const dayOf = (at: number) => Math.floor((at - start) / DAY);
    const all = [...before, ...after];
    const planted: Array<{
      m: TruthMigration;
      rise: number;
      cps: Set<string>;
      evidence: SyntheticTransfer | null;
      evidenceKind: MigrationResult['evidenceKind'];
    }> = [];
    for (const m of world.migrations as TruthMigration[]) {
      const rise = firstSeen.get(m.to);
      if (rise === undefined || rise < cut || rise >= end) continue;
      const cps = new Set<string>();
      for (const t of all) {
        if (t.at >= rise) continue;
        if (t.from === m.from) cps.add(t.to);
        else if (t.to === m.from) cps.add(t.from);
      }
      cps.delete(m.to);
      let withCp = 0;
      let evidence: SyntheticTransfer | null = null;
      let evidenceKind: MigrationResult['evidenceKind'] = null;
      for (const t of after) {
        if (t.from === m.from && t.to === m.to) {
          evidence = t;
          evidenceKind = 'money-from-A';
          break;
        }
        const other = t.from === m.to ? t.to : t.to === m.to ? t.from : null;
        if (other !== null && cps.has(other) && ++withCp === 3) {
          evidence = t;
          evidenceKind = 'takeover';
          break;
        }
      }
      planted.push({ m, rise, cps, evidence, evidenceKind });
    }
    const traceAtDeadline = new Map<string, PairTrace>();
    const traceAtEnd = new Map<string, PairTrace>();
    const predecessorAt = new Map<string, { score: number; reasons: string[] }>();
    const analysis = createAnalysisRepository(driver, config.neo4j);
    const runRepo = createRunRepository(driver, config.neo4j);
    const diag = createSuccessorWatch({ config, driver, redis: rt.redis(), publish: rt.publishDeps(), log: logger });

    // The watch set's predecessors: the fraud labels and each served list from the first day it is
    // in force (the list served at D, then each night's from the next day on; a list can also drop
    // an account again).
    const servedLists: Array<{ fromDay: number; listed: Set<string> }> = [{ fromDay: opts.day, listed: atD.listed }];
    const servedOn = (day: number) => servedLists.filter((x) => x.fromDay <= day).at(-1)!.listed;
    let nightlyRuns = 0;
    let nightlyNotServed = 0;
    let nightlySeconds = 0;

    // Stream day by day at the fixed rate; after each day, drain and note which successors exist.
    const postedAt = new Map<string, number>();
    const byDayEnd = new Map<string, number>(); // successor key → first day-end check that saw it
    const toByDayEnd = new Map<string, { day: number; from: string }>(); // S → first day-end check that saw a successor to it
    const t2 = performance.now();
    const streamStart = Date.now();
    let sent = 0;
    for (let d = 0; d < streamDays; d++) {
      const dayFrom = cut + d * DAY;
      const day = after.filter((t) => t.at >= dayFrom && t.at < dayFrom + DAY);
      for (let k = 0; k < day.length; k += opts.batch) {
        const chunk = day.slice(k, k + opts.batch);
        const due = streamStart + (sent / opts.rate) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
        const now = Date.now();
        for (const t of chunk) postedAt.set(t.txId, now);
        const res = await app.inject({
          method: 'POST',
          url: '/v1/transactions',
          payload: asRows(chunk),
          headers: { authorization: `Bearer ${ingestKey}` },
        });
        if (res.statusCode !== 202) throw new Error(`POST /v1/transactions answered ${res.statusCode}: ${res.body.slice(0, 500)}`);
        sent += chunk.length;
      }
      await drained();
      for (const s of await readAll()) {
        if (!byDayEnd.has(s.key)) byDayEnd.set(s.key, opts.day + d);
        if (!toByDayEnd.has(s.to)) toByDayEnd.set(s.to, { day: opts.day + d, from: s.from });
      }
      // Where the watch stops each planted pair not recorded yet (as of the last transfer streamed).
      const lastAt = day.length ? day[day.length - 1]!.at : dayFrom + DAY - 1;
      for (const x of planted) {
        const k = `${x.m.from}>${x.m.to}`;
        if (x.rise > lastAt || byDayEnd.has(k)) continue;
        const trace = await diag.diagnose(x.m.from, x.m.to, lastAt);
        if (trace.link) trace.link.evidence.sharedSample = [];
        traceAtEnd.set(k, trace);
        if (opts.day + d === dayOf(x.evidence?.at ?? x.rise)) traceAtDeadline.set(k, trace);
      }
      const servedRun = await runRepo.currentRunId();
      const dueToday = planted.filter((x) => opts.day + d === dayOf(x.evidence?.at ?? x.rise));
      if (servedRun && dueToday.length)
        for (const r of await analysis.accountResults(
          servedRun,
          dueToday.map((x) => x.m.from),
        ))
          for (const x of dueToday)
            if (x.m.from === r.accountId) predecessorAt.set(`${x.m.from}>${x.m.to}`, { score: r.score, reasons: r.reasons });
      log(`   day ${opts.day + d}: ${day.length} transfers; ${byDayEnd.size} successors recorded so far`);
      // The night after the day (the last day's night is the run after the stream, below).
      if (opts.nightly && d < streamDays - 1) {
        const night = await runner.recompute!(dir);
        nightlyRuns++;
        nightlySeconds += night.seconds;
        if (night.publication !== 'served') nightlyNotServed++;
        else servedLists.push({ fromDay: opts.day + d + 1, listed: night.listed });
        log(`   night after day ${opts.day + d}: ${night.publication}, ${night.listed.size} listed (${night.seconds} s)`);
      }
    }
    const streamMs = Date.now() - streamStart;
    lap('stream', t2);
    const recorded = await readAll();

    // Ground truth per planted migration; the watch set's hold on A's former counterparties.
    const pairKey = (a: string, b: string) => `${a}>${b}`;
    const rec = new Map(recorded.map((s) => [pairKey(s.from, s.to), s]));
    const fraudPairs = new Set(world.migrations.filter((m) => m.kind === 'fraud').map((m) => pairKey(m.from, m.to)));
    const wk = watchKeys(config.queue.prefix);
    const gen = await rt.redis().get(wk.built);
    // The run after the stream (the "next nightly run"): its links, for provisional precision and the batch score.
    await worker.close();
    worker = undefined;
    const t3 = performance.now();
    const next = await runner.run(labels, 1, dir);
    lap('runAfterStream', t3);
    const runLinks = new Map(next.migrations.map((l) => [pairKey(l.from, l.to), l]));
    const migrations: MigrationResult[] = [];
    for (const { m, rise, cps, evidence, evidenceKind } of planted) {
      const s = rec.get(pairKey(m.from, m.to));
      const evidenceDay = evidence ? dayOf(evidence.at) : null;
      const seenDay = byDayEnd.get(pairKey(m.from, m.to));
      const deadline = evidenceDay ?? dayOf(rise);
      let formerWatched = 0;
      if (gen !== null && cps.size) {
        const raw = await rt.redis().hmget(wk.cp(Number(gen)), ...cps);
        formerWatched = raw.filter((r) => r !== null && (JSON.parse(r) as WatchCounterparty).p.includes(m.from)).length;
      }
      const link = runLinks.get(pairKey(m.from, m.to));
      migrations.push({
        world: name,
        from: m.from,
        to: m.to,
        kind: m.kind,
        riseDay: dayOf(rise),
        // Listed on the day, labelled fraud, or listed by a served list within the migration's lag and
        // dropped since (the watch keeps those, unlisted; lists before D are not known here).
        watched:
          labels.get(m.from) === 'fraud' ||
          servedOn(deadline).has(m.from) ||
          servedLists.some((x) => x.fromDay <= deadline && x.fromDay >= deadline - MIGRATION_DEFAULTS.maxLagDays && x.listed.has(m.from)),
        watchedFromDay: labels.get(m.from) === 'fraud' ? opts.day : (servedLists.find((x) => x.listed.has(m.from))?.fromDay ?? null),
        evidenceDay,
        evidenceKind,
        recorded: Boolean(s),
        flaggedBeforeNight: seenDay !== undefined && seenDay <= deadline,
        flaggedUnder:
          seenDay !== undefined && seenDay <= deadline
            ? m.from
            : (() => {
                const any = toByDayEnd.get(m.to);
                return any && any.day <= deadline ? any.from : null;
              })(),
        listedByEarlierRun: servedLists.some((x) => x.fromDay > opts.day && x.fromDay <= deadline && x.listed.has(m.to)),
        listedByRunFromDay: servedLists.find((x) => x.fromDay > opts.day && x.listed.has(m.to))?.fromDay ?? null,
        delaySeconds: s && evidence ? (s.detectedAt - postedAt.get(evidence.txId)!) / 1000 : null,
        listed: Boolean(s?.listed || (s?.autoListedAt !== null && s?.autoListedAt !== undefined)),
        formerInTruth: cps.size,
        formerWatched,
        traceAtDeadline: traceAtDeadline.get(pairKey(m.from, m.to)) ?? null,
        traceAtEnd: traceAtEnd.get(pairKey(m.from, m.to)) ?? null,
        predecessorAtDeadline: predecessorAt.get(pairKey(m.from, m.to)) ?? null,
        runScore: link?.score ?? null,
        runEvidence: link?.evidence ?? null,
      });
    }
    const newAccounts = [...firstSeen.values()].filter((f) => f >= cut && f < end).length;
    const falseRecs = recorded.filter((s) => {
      const f = firstSeen.get(s.to);
      return f !== undefined && f >= cut && f < end && !fraudPairs.has(pairKey(s.from, s.to));
    });
    const legitListed = recorded
      .filter((s) => !fraudTruth.has(s.to) && (s.listed || s.autoListedAt !== null))
      .map((s) => `${s.from}>${s.to}`);
    // The list's stability over the nights: who a run dropped, and whether a later run listed them again.
    const listDrops = { runs: servedLists.length - 1, dropped: 0, fraud: 0, silentSinceListed: 0, fraudSilentSinceListed: 0, relisted: 0 };
    for (let k = 1; k < servedLists.length; k++) {
      const prev = servedLists[k - 1]!;
      const cur = servedLists[k]!;
      for (const id of prev.listed) {
        if (cur.listed.has(id)) continue;
        let first = k - 1;
        while (first > 0 && servedLists[first - 1]!.listed.has(id)) first--;
        const listedFrom = cut + (servedLists[first]!.fromDay - opts.day) * DAY;
        const droppedAt = cut + (cur.fromDay - opts.day) * DAY;
        const silent = !all.some((t) => (t.from === id || t.to === id) && t.at >= listedFrom && t.at < droppedAt);
        listDrops.dropped++;
        if (fraudTruth.has(id)) listDrops.fraud++;
        if (silent) listDrops.silentSinceListed++;
        if (silent && fraudTruth.has(id)) listDrops.fraudSilentSinceListed++;
        if (servedLists.slice(k + 1).some((x) => x.listed.has(id))) listDrops.relisted++;
      }
    }
    lap('total', t0);
    const result: WorldResult = {
      name,
      transfersBefore: before.length,
      transfersStreamed: sent,
      secondsStreamed: streamMs / 1000,
      achievedRate: sent / (streamMs / 1000),
      listedAtD: atD.listed.size,
      labelledFraud: labels.size,
      newAccounts,
      recorded: recorded.length,
      falseAlerts: falseRecs.length,
      falseAlertsFraudS: falseRecs.filter((s) => fraudTruth.has(s.to)).length,
      falseAlertsSuperseded: falseRecs.filter((s) => s.status === 'superseded').length,
      falseAlertPairs: falseRecs.map((s) => ({
        from: s.from,
        to: s.to,
        score: s.score,
        status: s.status,
        fromFraud: fraudTruth.has(s.from),
        toFraud: fraudTruth.has(s.to),
        evidence: s.evidence,
      })),
      provisionalConfirmedByRun: recorded.filter((s) => runLinks.has(pairKey(s.from, s.to))).length,
      nightlyRuns,
      nightlyNotServed,
      nightlySeconds,
      legitListed,
      listDrops,
      migrations,
      seconds,
    };
    log(
      `   ${migrations.filter((m) => m.kind === 'fraud').length} fraud successors rose after D, ${migrations.filter((m) => m.kind === 'fraud' && m.flaggedBeforeNight).length} flagged before the night; ${result.falseAlerts} false alerts over ${newAccounts} new accounts; ${Math.round(result.achievedRate)} tx/s`,
    );
    return result;
  } finally {
    await worker?.close();
    await app?.close();
    await rt?.close();
    await runner.close();
    await dropPrefix(baseConfig.redis.url, prefix).catch(() => {});
  }
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '—');
const met = (ok: boolean) => (ok ? 'met' : '**MISSED**');

export function replayReport(results: WorldResult[], opts: ReplayOptions, command: string, date: string): string {
  const ms = results.flatMap((r) => r.migrations);
  const fraud = ms.filter((m) => m.kind === 'fraud');
  const flagged = fraud.filter((m) => m.flaggedBeforeNight);
  // S flagged under any predecessor (the planted A or another account): the list entry is what a gateway sees.
  const flaggedAny = fraud.filter((m) => m.flaggedUnder !== null && m.flaggedUnder !== undefined);
  const caughtAny = (m: MigrationResult) => (m.flaggedUnder !== null && m.flaggedUnder !== undefined) || Boolean(m.listedByEarlierRun);
  // Caught before the night after its evidence: by the watch, or already listed by an earlier nightly run.
  const caught = (m: MigrationResult) => m.flaggedBeforeNight || Boolean(m.listedByEarlierRun);
  const caughtAll = fraud.filter(caught);
  const withEvidence = fraud.filter((m) => m.evidenceDay !== null);
  const watched = fraud.filter((m) => m.watched);
  const drops = { runs: 0, dropped: 0, fraud: 0, silentSinceListed: 0, fraudSilentSinceListed: 0, relisted: 0 };
  for (const r of results) for (const k of Object.keys(drops) as Array<keyof typeof drops>) drops[k] += r.listDrops?.[k] ?? 0;
  // A link recorded before its evidence transfer was posted (two counterparties taken over reach the
  // takeover bar before the third transfer that completes the evidence) counts as no delay.
  const rawDelays = fraud.map((m) => m.delaySeconds).filter((x): x is number => x !== null);
  const early = rawDelays.filter((x) => x < 0).length;
  const delays = rawDelays.map((x) => Math.max(0, x));
  const newAccounts = results.reduce((s, r) => s + r.newAccounts, 0);
  const falseAlerts = results.reduce((s, r) => s + r.falseAlerts, 0);
  const falseFraudS = results.reduce((s, r) => s + r.falseAlertsFraudS, 0);
  const falseSuperseded = results.reduce((s, r) => s + (r.falseAlertsSuperseded ?? 0), 0);
  const per10k = newAccounts ? (falseAlerts / newAccounts) * 10_000 : NaN;
  const upper = newAccounts ? (poissonUpper95(falseAlerts) / newAccounts) * 10_000 : NaN;
  const legitListed = results.flatMap((r) => r.legitListed);
  const legitMoves = ms.filter((m) => m.kind === 'legit');
  const streamed = results.reduce((s, r) => s + r.transfersStreamed, 0);
  const confirmedByRun = results.reduce((s, r) => s + r.provisionalConfirmedByRun, 0);
  const recordedAll = results.reduce((s, r) => s + r.recorded, 0);
  // Where each fraud pair stopped: not watched on its day, flagged, or the watch's stage at the end of its evidence day.
  const stageOf = (m: MigrationResult) =>
    !m.watched
      ? `predecessor not in the watch set ${opts.nightly ? 'on its day' : 'at D'}${
          m.watchedFromDay !== null && m.watchedFromDay <= (m.evidenceDay ?? m.riseDay) ? ' (listed before, dropped by a later run)' : ''
        }`
      : m.flaggedBeforeNight
        ? 'flagged before the night'
        : m.listedByEarlierRun
          ? 'listed by an earlier nightly run'
          : m.flaggedUnder
            ? 'flagged before the night under another predecessor'
            : (m.traceAtDeadline?.stage ?? (m.recorded ? 'recorded later' : 'not evaluated'));
  const stages = new Map<string, number>();
  for (const m of fraud) stages.set(stageOf(m), (stages.get(stageOf(m)) ?? 0) + 1);
  const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));
  const secs = results.reduce((s, r) => s + r.secondsStreamed, 0);
  const lines = [
    `Command: \`${command}\` — ${date}; worlds: ${results.map((r) => r.name).join(', ')}; import and run on days < ${opts.day}, then days ${opts.day}–${opts.day + opts.streamDays - 1} streamed${opts.tailDays ? ` and measured (successors rising in them; accounts first seen in them), and ${opts.tailDays} more days (${opts.day + opts.streamDays}–${opts.day + opts.streamDays + opts.tailDays - 1}) streamed in which nothing new is counted` : ''} through POST /v1/transactions (${opts.batch} transfers per request) offered at ${opts.rate} tx/s, achieved ${Math.round(streamed / secs)} tx/s over ${streamed} transfers (queue drained at each day end); ${opts.nightly ? `a run (\`recompute --wait\`) after each streamed day's check but the last, as a nightly schedule (${results.reduce((s, r) => s + r.nightlyRuns, 0)} runs, ${results.reduce((s, r) => s + r.nightlyNotServed, 0)} not served, ${Math.round(results.reduce((s, r) => s + r.nightlySeconds, 0))} s in all): the watch set follows each night's list` : 'no run during the stream: the watch set stays the one served at D'}.`,
    '',
    '| measure | value | target | |',
    '| --- | ---: | ---: | --- |',
    `| fraud successors rising after D | ${fraud.length} (predecessor in the watch set ${opts.nightly ? 'by its day' : 'at D'}: ${watched.length}; evidence complete in the stream: ${withEvidence.length}) | ≥ 50 | ${fraud.length >= 50 ? 'met' : '**MISSED** (fewer worlds than needed)'} |`,
    `| flagged by the watch before the next nightly run | ${flagged.length} / ${fraud.length} = ${pct(flagged.length, fraud.length)} (of watched predecessors: ${pct(watched.filter((m) => m.flaggedBeforeNight).length, watched.length)}; of those whose evidence completed in the stream: ${pct(withEvidence.filter((m) => m.flaggedBeforeNight).length, withEvidence.length)}) | ≥ 80% | ${met(fraud.length > 0 && flagged.length / fraud.length >= 0.8)} |`,
    ...(opts.nightly
      ? [
          `| caught before the next nightly run: flagged by the watch, or already listed by an earlier nightly run | ${caughtAll.length} / ${fraud.length} = ${pct(caughtAll.length, fraud.length)} (of those whose evidence completed in the stream: ${pct(withEvidence.filter(caught).length, withEvidence.length)}) | ≥ 80% | ${met(fraud.length > 0 && caughtAll.length / fraud.length >= 0.8)} |`,
        ]
      : []),
    `| S flagged by the watch before the next nightly run under any predecessor (the planted one or another account${flaggedAny.some((m) => m.flaggedUnder !== m.from) ? `; under another: ${flaggedAny.filter((m) => m.flaggedUnder !== m.from).length}` : ''}) | ${flaggedAny.length} / ${fraud.length} = ${pct(flaggedAny.length, fraud.length)} (of those whose evidence completed in the stream: ${pct(withEvidence.filter((m) => m.flaggedUnder).length, withEvidence.length)}) | | |`,
    ...(opts.nightly
      ? [
          `| caught before the next nightly run, S under any predecessor | ${fraud.filter(caughtAny).length} / ${fraud.length} = ${pct(fraud.filter(caughtAny).length, fraud.length)} (of those whose evidence completed in the stream: ${pct(withEvidence.filter(caughtAny).length, withEvidence.length)}) | | |`,
        ]
      : []),
    `| recorded by the end of the stream | ${fraud.filter((m) => m.recorded).length} / ${fraud.length} | | |`,
    `| median delay evidence → provisional record | ${delays.length ? `${median(delays).toFixed(1)} s (n = ${delays.length}, max ${Math.max(...delays).toFixed(1)} s${early ? `; ${early} recorded before the evidence transfer was posted, counted 0 s` : ''})` : '— (none recorded)'} | ≤ 60 s | ${delays.length ? met(median(delays) <= 60) : '**MISSED** (nothing to measure)'} |`,
    `| false alerts per 10,000 accounts first seen after D | ${falseAlerts} / ${newAccounts} = ${per10k.toFixed(2)} (95% upper ${upper.toFixed(2)}; S fraud in the truth, pair not planted: ${falseFraudS}; S legit: ${falseAlerts - falseFraudS}; superseded by a stronger link later: ${falseSuperseded}) | ≤ 1 | ${met(per10k <= 1)}${per10k <= 1 && upper > 1 ? ' (upper bound above 1)' : ''} |`,
    `| watch successors the run after the stream also found (provisional precision) | ${confirmedByRun} / ${recordedAll} = ${pct(confirmedByRun, recordedAll)} | | |`,
    `| legit successors auto-listed | ${legitListed.length} (legit moves rising after D: ${legitMoves.length}, recorded ${legitMoves.filter((m) => m.recorded).length}) | 0 | ${met(legitListed.length === 0)} |`,
    ...(drops.runs
      ? [
          `| accounts a nightly run dropped from the served list (list stability, no target) | ${drops.dropped} over ${drops.runs} runs (fraud in the truth: ${drops.fraud}; silent since listed: ${drops.silentSinceListed}, of them fraud ${drops.fraudSilentSinceListed}; listed again by a later run: ${drops.relisted}) | | |`,
        ]
      : []),
    '',
    '| world | transfers < D | streamed | tx/s | listed at D | fraud labels | fraud successors | flagged before night | caught before night | recorded | false alerts / new accounts |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => {
      const f = r.migrations.filter((m) => m.kind === 'fraud');
      return `| ${r.name} | ${r.transfersBefore} | ${r.transfersStreamed} | ${Math.round(r.achievedRate)} | ${r.listedAtD} | ${r.labelledFraud} | ${f.length} | ${f.filter((m) => m.flaggedBeforeNight).length} | ${f.filter(caught).length} | ${f.filter((m) => m.recorded).length} | ${r.falseAlerts} / ${r.newAccounts} |`;
    }),
    '',
    "Where the fraud successors stopped (the watch's stage for the pair at the end of the day its evidence completed, else of its rise day):",
    '',
    '| stage | fraud successors |',
    '| --- | ---: |',
    ...[...stages].sort((a, b) => b[1] - a[1]).map(([k, n]) => `| ${k} | ${n} |`),
    '',
    'Per fraud successor (watch: at the end of the deadline day; run: the run after the stream):',
    '',
    "| A → S | rise day | watched | evidence | flagged | stage | watch score | shared / former (A's former watched / in truth) | overlap | direct | profile | gap days | run score | run shared / former, overlap, profile |",
    '| --- | ---: | --- | --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...fraud.map((m) => {
      const t = m.traceAtDeadline;
      const e = t?.link?.evidence;
      const re = m.runEvidence as {
        sharedCounterparties?: number;
        formerCounterparties?: number;
        counterpartyOverlap?: number;
        profileSimilarity?: number;
      } | null;
      return `| ${m.from} → ${m.to} | ${m.riseDay} | ${m.watched ? 'yes' : 'no'} | ${m.evidenceDay ?? '—'} ${m.evidenceKind ?? ''} | ${m.flaggedBeforeNight ? 'yes' : m.listedByEarlierRun ? 'run' : m.recorded ? 'later' : 'no'} | ${stageOf(m)} | ${f3(t?.link?.score)} | ${t?.takenOver ?? '—'}/${t?.former ?? '—'} (${m.formerWatched}/${m.formerInTruth}) | ${f3(e?.counterpartyOverlap)} | ${e?.directTransfers ?? '—'} | ${f3(e?.profileSimilarity)} | ${e?.gapDays ?? '—'} | ${f3(m.runScore)} | ${re ? `${re.sharedCounterparties}/${re.formerCounterparties}, ${f3(re.counterpartyOverlap)}, ${f3(re.profileSimilarity)}` : '—'} |`;
    }),
    '',
    'False alerts:',
    '',
    '| A → S | score | A fraud | S fraud | shared / former | direct | profile |',
    '| --- | ---: | --- | --- | --- | ---: | ---: |',
    ...results.flatMap((r) =>
      r.falseAlertPairs.map((x) => {
        const e = x.evidence as {
          sharedCounterparties?: number;
          formerCounterparties?: number;
          directTransfers?: number;
          profileSimilarity?: number;
        };
        return `| ${x.from} → ${x.to} | ${x.score} | ${x.fromFraud ? 'yes' : 'no'} | ${x.toFraud ? 'yes' : 'no'} | ${e.sharedCounterparties}/${e.formerCounterparties} | ${e.directTransfers} | ${f3(e.profileSimilarity)} |`;
      }),
    ),
  ];
  return lines.join('\n');
}

/**
 * The replay's days as data times (the worlds start on 2026-01-01): transfers before `cut` (day D)
 * are imported, those before `streamEnd` streamed over `streamDays` days; successors rising and
 * accounts first seen before `end` are measured — the tail days after it stream, counting nothing new.
 */
export function replayDays(opts: Pick<ReplayOptions, 'day' | 'streamDays' | 'tailDays'>) {
  const start = Date.UTC(2026, 0, 1);
  const cut = start + opts.day * DAY;
  const streamDays = opts.streamDays + (opts.tailDays ?? 0);
  return { start, cut, end: cut + opts.streamDays * DAY, streamEnd: cut + streamDays * DAY, streamDays };
}

export async function runReplay(opts: ReplayOptions, command: string): Promise<void> {
  for (const k of opts.kinds)
    if (!REPLAY_KINDS.includes(k)) throw new Error(`--replay knows the datasets ${REPLAY_KINDS.join(', ')}, not ${k}`);
  if (!(opts.day > 0 && opts.streamDays > 0 && opts.rate > 0 && opts.batch > 0))
    throw new Error('--replay-day, --replay-days, --replay-rate and --replay-batch must be positive');
  if (!(Number.isInteger(opts.tailDays ?? 0) && (opts.tailDays ?? 0) >= 0))
    throw new Error(`--replay-tail-days must be a whole number of days, 0 or more, not ${String(opts.tailDays)}`);
  const out = path.join(projectRoot(), '.acctnet', 'eval');
  const results: WorldResult[] = [];
  const started = new Date().toISOString();
  for (const kind of opts.kinds)
    for (const seed of opts.seeds) {
      const r = await replayWorld(kind, seed, opts, out);
      results.push(r);
      // Each world is kept as soon as it is done: a long replay stopped later keeps what it measured.
      const kept = path.join(out, `replay-${started.replace(/[:.]/g, '-')}-${r.name}.json`);
      fs.writeFileSync(kept, JSON.stringify({ date: started, command, options: opts, results: [r] }, null, 2));
      log(`${r.name} kept: ${kept}`);
    }
  const date = new Date().toISOString();
  const file = path.join(out, `replay-${date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ date, command, options: opts, results }, null, 2));
  process.stdout.write(`${replayReport(results, opts, command, date.slice(0, 10))}\n`);
  log(`full results: ${file}`);
}
