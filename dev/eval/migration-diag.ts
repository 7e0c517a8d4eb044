// Where planted migrations are lost: for every observable planted migration A → S of a generated world
// that the batch detector does not report, the first stage that loses it (docs/evaluation.md,
// "Results — 2026-12-03, migration"). In-process: the dataset's CSV through dev/eval/load.ts and the
// pipeline's steps up to migration, with the job's parameters. For tuning; the stages are:
//   hub            A or S is a hub (hubs neither fall nor rise)
//   fall:few       A made fewer than minFallTransfers transfers in the window
//   fall:active    A has enough transfers but neither went quiet for quietDays nor dropped sharply
//   rise           S neither appeared after the grace days nor surged
//   timing         the rise is too far before or after the fall
//   not-candidate  S deals with none of A's counterparties and got no money from A
//   no-evidence    S is a candidate, but nothing was taken over and no direct transfer counts
//   below          scored below the threshold (the terms are printed)
//   assignment     scored above the threshold, but another link won A or S
//
//   node dist/dev/eval/migration-diag.js [--version 2] [--seeds 1,2,3,4,5,6,7,8] [--accounts 20000] [--verbose]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  batchPairInputs,
  counterpartyWeight,
  detectFall,
  detectMigrations,
  detectRise,
  linkBar,
  MIGRATION_DEFAULTS,
  scoreMigration,
} from '../../src/analysis/migration.js';
import { pairOrder } from '../../src/analysis/graph.js';
import { loadConfig } from '../../src/config/index.js';
import { analysisParams } from '../../src/runs/analysis-job.js';
import { analyseWorld } from './migration-world.js';

const DAY = 86_400_000;
const { values: args } = parseArgs({
  options: {
    version: { type: 'string', default: '2' },
    seeds: { type: 'string', default: '1,2,3,4,5,6,7,8' },
    accounts: { type: 'string', default: '20000' },
    verbose: { type: 'boolean', default: false },
  },
});
const version = Number(args.version) as 1 | 2;
const seeds = String(args.seeds).split(',').map(Number);
const accounts = Number(args.accounts);
const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
const params = analysisParams(config);
const o = { ...MIGRATION_DEFAULTS, minScore: params.migrationMinScore };
const STAGES = ['hub', 'fall:few', 'fall:active', 'rise', 'timing', 'not-candidate', 'no-evidence', 'below', 'assignment'] as const;
const total: Record<string, number> = Object.fromEntries(STAGES.map((s) => [s, 0]));
const totals = { planted: 0, fraud: 0, legit: 0, found: 0, correct: 0, missedFraud: 0, missedLegit: 0 };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctnet-migdiag-'));

for (const seed of seeds) {
  const { world, loaded, flows, graph, isHub, community, f } = await analyseWorld(config, dir, seed, accounts, version);
  const po = pairOrder(flows);
  const n = flows.ids.length;
  const result = detectMigrations(flows, f, isHub, community, { minScore: o.minScore });
  const found = new Set(result.links.map((l) => `${l.from}>${l.to}`));
  const idx = new Map(flows.ids.map((id, i) => [id, i]));
  const observable = world.migrations.filter((m) => loaded.accounts.has(m.from) && loaded.accounts.has(m.to));
  const planted = new Set(observable.map((m) => `${m.from}>${m.to}`));
  const stages: Record<string, number> = Object.fromEntries(STAGES.map((s) => [s, 0]));
  const lines: string[] = [];
  for (const m of observable) {
    const key = `${m.from}>${m.to}`;
    totals.planted++;
    totals[m.kind]++;
    if (found.has(key)) continue;
    if (m.kind === 'fraud') totals.missedFraud++;
    else totals.missedLegit++;
    const a = idx.get(m.from);
    const b = idx.get(m.to);
    const stage = ((): { stage: (typeof STAGES)[number]; detail: string } => {
      // Accounts outside the window have no flows: a fall or rise the run cannot see.
      if (a === undefined) return { stage: 'fall:few', detail: 'no transfers in the window' };
      if (b === undefined) return { stage: 'rise', detail: 'no transfers in the window' };
      if (isHub[a] || isHub[b]) return { stage: 'hub', detail: '' };
      const fall = detectFall(a, flows, o);
      const tr = flows.inCount[a]! + flows.outCount[a]!;
      const quiet = Math.round(((flows.window.to - flows.lastAt[a]!) / DAY) * 10) / 10;
      if (!fall)
        return tr < o.minFallTransfers
          ? { stage: 'fall:few', detail: `${tr} transfers` }
          : { stage: 'fall:active', detail: `${tr} transfers, quiet ${quiet} d, planted day ${m.day}` };
      const rise = detectRise(b, flows, f, o);
      if (!rise) return { stage: 'rise', detail: `${flows.inCount[b]! + flows.outCount[b]!} transfers, age ${f.ageDays[b]} d` };
      const gap = rise.at - fall.at;
      if (gap < -o.maxLeadDays * DAY || gap > o.maxLagDays * DAY)
        return { stage: 'timing', detail: `gap ${Math.round(gap / DAY)} d (${fall.kind})` };
      const former = new Set<string>();
      graph.forEachNeighbor(m.from, (nb, at) => {
        if (!isHub[at.i]) former.add(nb);
      });
      let reached = graph.hasDirectedEdge(m.from, m.to);
      for (const x of former) if (graph.hasEdge(x, m.to) || graph.hasEdge(m.to, x)) reached = true;
      if (!reached) return { stage: 'not-candidate', detail: `former ${former.size}` };
      let fw = 0;
      for (const x of former) fw += counterpartyWeight(graph.degree(x));
      const inputs = batchPairInputs(po, flows, f, isHub, community, a, b, fall, rise, former, fw);
      const link = scoreMigration(inputs);
      if (!link) return { stage: 'no-evidence', detail: `former ${former.size}, ${fall.kind}/${rise.kind}` };
      const e = link.evidence;
      const degrees = inputs.shared.map((x) => Math.round(2 ** (1 / x.weight) - 2)).join(',');
      const terms = `score ${link.score} sharedDegrees [${degrees}] shared ${e.sharedCounterparties}/${e.formerCounterparties} overlap ${e.counterpartyOverlap} direct ${e.directTransfers} profile ${e.profileSimilarity} gap ${e.gapDays} sameCluster ${e.sameCluster} clusterShare ${e.clusterShare} ${e.fallKind}/${e.riseKind}`;
      if (link.score < linkBar(link, o)) return { stage: 'below', detail: terms };
      return { stage: 'assignment', detail: terms };
    })();
    stages[stage.stage]!++;
    total[stage.stage]!++;
    lines.push(`  ${m.kind} ${key} day ${m.day}: ${stage.stage} ${stage.detail}`);
  }
  let correct = 0;
  for (const k of found) if (planted.has(k)) correct++;
  totals.found += found.size;
  totals.correct += correct;
  console.log(
    `world v${version} seed ${seed}: planted ${planted.size}, found ${found.size}, correct ${correct}, P ${(correct / found.size).toFixed(3)}, R ${(correct / planted.size).toFixed(3)}; missed by stage ${JSON.stringify(stages)}`,
  );
  if (args.verbose) for (const l of lines) console.log(l);
  if (args.verbose)
    for (const l of result.links)
      if (!planted.has(`${l.from}>${l.to}`))
        console.log(`  false ${l.from}>${l.to}: score ${l.score} ${JSON.stringify({ ...l.evidence, sharedSample: undefined })}`);
}
console.log(
  `all: planted ${totals.planted} (fraud ${totals.fraud}, legit ${totals.legit}), found ${totals.found}, correct ${totals.correct}, P ${(totals.correct / totals.found).toFixed(3)}, R ${(totals.correct / totals.planted).toFixed(3)}; missed fraud ${totals.missedFraud}, legit ${totals.missedLegit}; by stage ${JSON.stringify(total)}`,
);
fs.rmSync(dir, { recursive: true, force: true });
