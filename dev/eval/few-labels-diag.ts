// With few labels, which ranks the unlabelled fraud better — the learned model or the rules — and
// what the out-of-fold comparison on the labels themselves (the model card's rocAuc against
// rulesRocAuc, which a run with fewer than ACCTNET_LEARNED_MIN_FRAUD_LABELS fraud labels uses to
// choose) says. The model is trained from 5 fraud labels on (the comparison does not gate it here),
// so both scores exist. In-process, the job's parameters otherwise. Dev tool (docs/evaluation.md,
// "Few labels").
//
//   node dist/dev/eval/few-labels-diag.js [--datasets amlsim20k-cycle200] [--seeds 1,2] [--shares 0.015,0.03,0.1] [--label-seeds 1,2,3]
//
// Prints per run: dataset, label share, label seed, fraud labels, the card's status | out-of-fold
// ROC-AUC of the model and of the rules on the training rows | ROC-AUC over the unlabelled accounts
// against the truth, learned and rules | P@k (k = unlabelled fraud), learned and rules.
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { runAnalysis } from '../../src/analysis/pipeline.js';
import { rocAuc } from '../../src/analysis/learn/index.js';
import { loadConfig } from '../../src/config/index.js';
import { analysisParams } from '../../src/runs/analysis-job.js';
import { isSkipped, selectDatasets } from './datasets.js';
import { loadTransfers } from './load.js';
import { precisionAtK } from './metrics.js';
import { drawLabels } from './measure.js';

const { values: args } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'amlsim20k-cycle200' },
    seeds: { type: 'string', default: '1,2' },
    shares: { type: 'string', default: '0.015,0.03,0.1' },
    'label-seeds': { type: 'string', default: '1,2,3' },
  },
});
const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', ACCTNET_LEARNED_MIN_FRAUD_LABELS: '5' });
const params = analysisParams(config);
const dir = fs.mkdtempSync(`${os.tmpdir()}/acctnet-few-`);
const datasets = await selectDatasets({
  kinds: String(args.datasets).split(','),
  seeds: String(args.seeds).split(',').map(Number),
  accounts: 20000,
  skipAmlsim: false,
});
const pAtK = (score: ArrayLike<number>, y: ArrayLike<number>) => {
  let k = 0;
  for (let i = 0; i < y.length; i++) k += y[i]!;
  return precisionAtK(score, y, k);
};
console.log('dataset share seed labels status | oof learned rules | truth AUC learned rules | P@k learned rules');
for (const d of datasets) {
  if (isSkipped(d)) continue;
  const prepared = await d.prepare(dir, config.analysis.baseCurrency);
  const loaded = await loadTransfers(prepared.file, prepared.mapArgs, config);
  const { flows } = loaded;
  for (const share of String(args.shares).split(',').map(Number))
    for (const ls of String(args['label-seeds']).split(',').map(Number)) {
      const labels = drawLabels(d.name, prepared.truth, ls, share);
      const out = await runAnalysis({ flows, firstSeen: loaded.firstSeen, labels, previousClusters: new Map(), nextClusterSeq: 1, params });
      const ev = flows.ids.map((id, i) => [id, i] as const).filter(([id]) => !labels.has(id));
      const y = Float64Array.from(ev, ([id]) => (prepared.truth.fraud.has(id) ? 1 : 0));
      const r = Float64Array.from(ev, ([, i]) => out.rulesScore[i]!);
      const l = out.learnedScore ? Float64Array.from(ev, ([, i]) => out.learnedScore![i]!) : null;
      const c = out.model;
      const f = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(3));
      console.log(
        `${d.name} ${share} ${ls} ${c.labels.fraud} ${c.status} | ${f(c.rocAuc)} ${f(c.rulesRocAuc)} | ${l ? f(rocAuc(l, y)) : '-'} ${f(rocAuc(r, y))} | ${l ? f(pAtK(l, y)) : '-'} ${f(pAtK(r, y))}`,
      );
    }
}
