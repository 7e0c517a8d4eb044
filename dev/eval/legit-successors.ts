// Why legit successors are listed: for each selected dataset and label seed (in-process, the job's
// parameters), every listed account that is the successor of a planted legit migration, with its
// reasons and the migration links touching it. Dev tool (docs/evaluation.md).
//
//   node dist/dev/eval/legit-successors.js [--datasets world-v1,patterns] [--seeds 1,...,8] [--label-seeds 1,...,5]
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { runAnalysis } from '../../src/analysis/pipeline.js';
import { loadConfig } from '../../src/config/index.js';
import { analysisParams } from '../../src/runs/analysis-job.js';
import { isSkipped, selectDatasets } from './datasets.js';
import { loadTransfers } from './load.js';
import { drawLabels } from './measure.js';

const { values: args } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'world-v1,patterns' },
    seeds: { type: 'string', default: '1,2,3,4,5,6,7,8' },
    'label-seeds': { type: 'string', default: '1,2,3,4,5' },
    accounts: { type: 'string', default: '20000' },
  },
});
const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
const params = analysisParams(config);
const dir = fs.mkdtempSync(`${os.tmpdir()}/acctnet-legitsucc-`);
const selected = await selectDatasets({
  kinds: String(args.datasets).split(','),
  seeds: String(args.seeds).split(',').map(Number),
  accounts: Number(args.accounts),
  skipAmlsim: true,
});
for (const d of selected) {
  if (isSkipped(d)) continue;
  const prepared = await d.prepare(dir, config.analysis.baseCurrency);
  const loaded = await loadTransfers(prepared.file, prepared.mapArgs, config);
  const truth = prepared.truth;
  const legitMoves = (truth.migrations ?? []).filter((m) => m.kind === 'legit');
  let total = 0;
  for (const ls of String(args['label-seeds']).split(',').map(Number)) {
    const labels = drawLabels(d.name, truth, ls);
    const out = await runAnalysis({
      flows: loaded.flows,
      firstSeen: loaded.firstSeen,
      labels,
      previousClusters: new Map(),
      nextClusterSeq: 1,
      params,
    });
    const listed = new Map(out.candidates.map((c) => [c.accountId, c]));
    for (const m of legitMoves) {
      const e = listed.get(m.to);
      if (!e) continue;
      total++;
      const links = out.migrations.filter((l) => l.to === m.to || l.from === m.to || l.from === m.from);
      console.log(
        `${d.name} label seed ${ls}: legit move ${m.from} → ${m.to} (predecessor fraud ${truth.fraud.has(m.from)}, listed ${listed.has(m.from)}); ` +
          `${m.to} listed score ${JSON.stringify(e.score)} reasons ${JSON.stringify(e.reasons)}; ` +
          `predecessor ${listed.has(m.from) ? `score ${JSON.stringify(listed.get(m.from)!.score)} reasons ${JSON.stringify(listed.get(m.from)!.reasons)}` : 'not listed'}; links ${JSON.stringify(links.map((l) => ({ from: l.from, to: l.to, score: l.score, fromFraud: truth.fraud.has(l.from), e: { ...l.evidence, sharedSample: undefined } })))}`,
      );
    }
  }
  console.log(`${d.name}: ${total} legit successor listings over the label seeds`);
}
fs.rmSync(dir, { recursive: true, force: true });
