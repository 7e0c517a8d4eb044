// Where the pattern world's laundering accounts are lost: per typology and role, how many unlabelled
// pattern accounts are listed, sent to review, or neither, and how close they are to a labelled
// member of their own pattern (a transfer with one; a pattern with one); and which legit accounts are
// listed (look-alikes by kind). In-process, the job's parameters. Dev tool (docs/evaluation.md).
//
//   node dist/dev/eval/pattern-diag.js [--seeds 1,2] [--label-seeds 1,2,3] [--accounts 20000] [--misses 0]
//
// The generator's truth marks every member of a pattern, and a "random" pattern's walk need not
// reach every member: the table counts the members with no transfer in their pattern apart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runAnalysis } from '../../src/analysis/pipeline.js';
import { loadConfig } from '../../src/config/index.js';
import { analysisParams } from '../../src/runs/analysis-job.js';
import { createPatternWorld } from '../synth/aml-patterns.js';
import { writeTransfersCsv } from '../synth/write-csv.js';
import { loadTransfers } from './load.js';
import { drawLabels } from './measure.js';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2' },
    'label-seeds': { type: 'string', default: '1,2,3' },
    accounts: { type: 'string', default: '20000' },
    misses: { type: 'string', default: '0' },
  },
});
const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
const params = analysisParams(config);
const dir = fs.mkdtempSync(`${os.tmpdir()}/acctnet-patterndiag-`);
const accounts = Number(args.accounts);
const showMisses = Number(args.misses);

type Row = {
  n: number;
  listed: number;
  review: number;
  adjLabelled: number;
  groupLabelled: number;
  missedAdj: number;
  /** Members with no transfer with another member of their pattern (a random walk that never reached them). */
  idle: number;
  idleListed: number;
};
const table = new Map<string, Row>();
const bump = (key: string, f: (r: Row) => void) => {
  const r = table.get(key) ?? { n: 0, listed: 0, review: 0, adjLabelled: 0, groupLabelled: 0, missedAdj: 0, idle: 0, idleListed: 0 };
  f(r);
  table.set(key, r);
};
const legitListed = new Map<string, number>();
const reasonsOfListed = new Map<string, number>();
let runs = 0;

for (const seed of String(args.seeds).split(',').map(Number)) {
  const world = createPatternWorld({ seed, accounts, activity: 0.7, currency: config.analysis.baseCurrency });
  const file = path.join(dir, `patterns-${seed}.csv`);
  await writeTransfersCsv(file, world.transfers());
  const loaded = await loadTransfers(file, [], config);
  const { flows } = loaded;
  const truthById = new Map(world.truth.map((a) => [a.id, a]));
  const fraud = new Set(world.truth.filter((a) => a.fraud && flows.index.has(a.id)).map((a) => a.id));
  const neighbours = new Map<string, Set<string>>();
  for (let p = 0; p < flows.pairCount; p++) {
    const a = flows.ids[flows.pairFrom[p]!]!;
    const b = flows.ids[flows.pairTo[p]!]!;
    (neighbours.get(a) ?? neighbours.set(a, new Set()).get(a)!).add(b);
    (neighbours.get(b) ?? neighbours.set(b, new Set()).get(b)!).add(a);
  }
  // Pattern members that took part: a transfer with another member of their own pattern.
  const active = new Set<string>();
  for (let p = 0; p < flows.pairCount; p++) {
    const a = flows.ids[flows.pairFrom[p]!]!;
    const b = flows.ids[flows.pairTo[p]!]!;
    const g = truthById.get(a)?.group;
    if (g && fraud.has(a) && fraud.has(b) && g === truthById.get(b)?.group) active.add(a).add(b);
  }
  const truth = {
    fraud,
    typology: new Map([...fraud].map((id) => [id, truthById.get(id)!.typology ?? 'unknown'])),
    victims: new Set<string>(),
    lookalikes: new Set<string>(),
    migrations: null,
    all: new Set(flows.ids),
  };
  for (const ls of String(args['label-seeds']).split(',').map(Number)) {
    runs++;
    const labels = drawLabels(`patterns-${seed}-${accounts}`, truth, ls);
    const out = await runAnalysis({ flows, firstSeen: loaded.firstSeen, labels, previousClusters: new Map(), nextClusterSeq: 1, params });
    const listed = new Map(out.candidates.map((c) => [c.accountId, c]));
    const review = new Set(out.review.map((c) => c.accountId));
    const labelledGroups = new Set([...labels.keys()].map((id) => truthById.get(id)?.group).filter(Boolean));
    let shown = 0;
    for (const id of [...fraud].sort()) {
      if (labels.has(id)) continue;
      const t = truthById.get(id)!;
      const role = (t.role ?? '').replace(/ \d+$/, '').replace(/ member \d+$/, '');
      const adj = [...(neighbours.get(id) ?? [])].some((x) => labels.get(x) === 'fraud' && truthById.get(x)?.group === t.group);
      const key = `${t.typology} / ${role}`;
      bump(key, (r) => {
        r.n++;
        if (listed.has(id)) r.listed++;
        else if (review.has(id)) r.review++;
        if (adj) r.adjLabelled++;
        if (labelledGroups.has(t.group)) r.groupLabelled++;
        if (adj && !listed.has(id)) r.missedAdj++;
        if (!active.has(id)) {
          r.idle++;
          if (listed.has(id)) r.idleListed++;
        }
      });
      if (labelledGroups.has(t.group) && !listed.has(id) && shown < showMisses) {
        shown++;
        const i = flows.index.get(id)!;
        const learned = out.learnedScore ? out.learnedScore[i]!.toFixed(3) : '-';
        console.log(
          `miss seed ${seed}/${ls} ${id} ${key} ${t.group}${adj ? ' (adjacent)' : ''} score ${out.score[i]!.toFixed(3)} rules ${out.rulesScore[i]!.toFixed(3)} learned ${learned} ${JSON.stringify(out.reasons[i])}`,
        );
      }
    }
    for (const [id, e] of listed) {
      if (fraud.has(id)) continue;
      const kind = truthById.get(id)?.lookalike ?? (truthById.get(id)?.victim ? 'victim' : 'ordinary');
      legitListed.set(kind, (legitListed.get(kind) ?? 0) + 1);
      if (kind !== 'ordinary' && showMisses)
        console.log(`legit ${kind} seed ${seed}/${ls} ${id} score ${e.score} ${JSON.stringify(e.reasons)}`);
      for (const r of e.reasons) {
        const code = r.split(':')[0]!;
        reasonsOfListed.set(code, (reasonsOfListed.get(code) ?? 0) + 1);
      }
    }
  }
}
console.log(`runs: ${runs}`);
console.log(
  '| typology / role | unlabelled | listed | review | a transfer with a labelled member | pattern has a label | not listed though adjacent | no transfer in its pattern (listed) | recall among those that took part |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [k, r] of [...table].sort())
  console.log(
    `| ${k} | ${r.n} | ${r.listed} | ${r.review} | ${r.adjLabelled} | ${r.groupLabelled} | ${r.missedAdj} | ${r.idle} (${r.idleListed}) | ${((r.listed - r.idleListed) / Math.max(1, r.n - r.idle)).toFixed(3)} |`,
  );
console.log('legit listed by kind:', JSON.stringify(Object.fromEntries(legitListed)));
console.log('their reason codes:', JSON.stringify(Object.fromEntries(reasonsOfListed)));
fs.rmSync(dir, { recursive: true, force: true });
