// Probe (temporary): how many unlabelled fraud accounts does "a one-off transfer with a labelled
// fraud account, coordinated in time with other one-off transfers of that account" catch, and how
// many others? node dist/dev/eval/coordinated-probe.js --datasets patterns --seeds 1,2,3,4
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/index.js';
import { isSkipped, selectDatasets } from './datasets.js';
import { loadTransfers } from './load.js';
import { drawLabels } from './measure.js';

const { values: args } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'patterns' },
    seeds: { type: 'string', default: '1,2,3,4' },
    'label-seeds': { type: 'string', default: '1' },
    accounts: { type: 'string', default: '20000' },
  },
});
const HOUR = 3_600_000;
const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
const dir = fs.mkdtempSync(`${os.tmpdir()}/acctnet-probe-`);
const selected = await selectDatasets({
  kinds: String(args.datasets).split(','),
  seeds: String(args.seeds).split(',').map(Number),
  accounts: Number(args.accounts),
  skipAmlsim: true,
});
const variants: Array<{ w: number; m: number; maxT: number; k: number }> = [];
for (const w of [6, 12, 24]) for (const m of [3]) for (const maxT of [2]) for (const k of [0, 3, 10]) variants.push({ w, m, maxT, k });
variants.push({ w: 12, m: 2, maxT: 2, k: 10 });
for (const d of selected) {
  if (isSkipped(d)) continue;
  const prepared = await d.prepare(dir, config.analysis.baseCurrency);
  const loaded = await loadTransfers(prepared.file, prepared.mapArgs, config);
  const truth = prepared.truth;
  const f = loaded.flows;
  for (const ls of String(args['label-seeds']).split(',').map(Number)) {
    const labels = drawLabels(d.name, truth, ls);
    const fraudIdx = new Set<number>();
    for (const [id, l] of labels) if (l === 'fraud' && f.index.has(id)) fraudIdx.add(f.index.get(id)!);
    // Per labelled account: its one-off pairs (in and out) with first times.
    const byLabelled = new Map<number, Array<{ other: number; at: number; t: number }>>();
    for (let p = 0; p < f.pairCount; p++) {
      const a = f.pairFrom[p]!;
      const b = f.pairTo[p]!;
      for (const [l, o] of [
        [a, b],
        [b, a],
      ] as const) {
        if (!fraudIdx.has(l) || fraudIdx.has(o)) continue;
        const list = byLabelled.get(l) ?? [];
        list.push({ other: o, at: f.pairFirst[p]!, t: f.pairTransfers[p]! });
        byLabelled.set(l, list);
      }
    }
    const unlabelledFraud = [...truth.fraud].filter((id) => !labels.has(id) && f.index.has(id));
    const byTyp = new Map<string, number>();
    for (const id of unlabelledFraud) byTyp.set(truth.typology.get(id) ?? '?', (byTyp.get(truth.typology.get(id) ?? '?') ?? 0) + 1);
    for (const v of variants) {
      const flagged = new Set<number>();
      for (const list of byLabelled.values()) {
        const one = list.filter((x) => x.t <= v.maxT).sort((x, y) => x.at - y.at);
        const span = one.length > 1 ? Math.max(one[one.length - 1]!.at - one[0]!.at, 7 * 24 * HOUR) : Infinity;
        const expected = ((one.length - 1) * 2 * v.w * HOUR) / span;
        for (let i = 0; i < one.length; i++) {
          let near = 0;
          for (let j = i - 1; j >= 0 && one[i]!.at - one[j]!.at <= v.w * HOUR; j--) near++;
          for (let j = i + 1; j < one.length && one[j]!.at - one[i]!.at <= v.w * HOUR; j++) near++;
          if (near + 1 >= v.m && near >= v.k * expected) flagged.add(one[i]!.other);
        }
      }
      let tp = 0;
      let fp = 0;
      let look = 0;
      let vict = 0;
      const tpTyp = new Map<string, number>();
      for (const i of flagged) {
        const id = f.ids[i]!;
        if (truth.fraud.has(id)) {
          tp++;
          const t = truth.typology.get(id) ?? '?';
          tpTyp.set(t, (tpTyp.get(t) ?? 0) + 1);
        } else {
          fp++;
          if (truth.lookalikes.has(id)) look++;
          if (truth.victims.has(id)) vict++;
        }
      }
      console.log(
        `${d.name} ls${ls} w${v.w}h m${v.m} maxT${v.maxT} k${v.k}: flagged ${flagged.size} TP ${tp}/${unlabelledFraud.length} FP ${fp} (look-alikes ${look}, victims ${vict}) | ` +
          [...byTyp].map(([t, n]) => `${t} ${tpTyp.get(t) ?? 0}/${n}`).join(' '),
      );
    }
  }
}
fs.rmSync(dir, { recursive: true, force: true });
