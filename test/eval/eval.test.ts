// npm run eval's pure parts on tiny hand-made cases: metrics, bootstrap, the frozen baseline.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { baselineFeatures, fitLogistic, runBaseline, standardise } from '../../dev/eval/baseline.js';
import { pairedBootstrapAuc } from '../../dev/eval/bootstrap.js';
import { disguisedId } from '../../dev/eval/datasets.js';
import { loadTransfers } from '../../dev/eval/load.js';
import { drawLabels, evaluableAccounts } from '../../dev/eval/measure.js';
import { averagePrecision, listMetrics, migrationMetrics, precisionAtK, rocAuc, typologyRecall } from '../../dev/eval/metrics.js';
import { replayDays } from '../../dev/eval/replay.js';
import { evalEnv } from '../../dev/eval/runner.js';
import { loadConfig } from '../../src/config/index.js';
import { flowsOf } from '../analysis/helpers.js';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

test('ROC-AUC: the Mann–Whitney probability, ties count half; weights act as repeated rows', () => {
  close(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  close(rocAuc([1, 1, 0, 0], [1, 0, 1, 0]), 0.5);
  close(rocAuc([0.2, 0.2, 0.2], [1, 0, 0]), 0.5);
  assert.ok(Number.isNaN(rocAuc([0.1, 0.2], [1, 1])));
  // Weight 2 on row 1 = row 1 twice.
  close(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], [1, 2, 1, 1]), rocAuc([0.1, 0.4, 0.4, 0.35, 0.8], [0, 0, 0, 1, 1]));
});

test('average precision and P@k handle ties as ties', () => {
  close(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), (1 / 2) * 1 + (1 / 2) * (2 / 3));
  // All tied: precision at the only threshold = base rate.
  close(averagePrecision([1, 1, 1, 1], [1, 0, 0, 0]), 0.25);
  // k = 2: the top row (fraud) and half of the tied pair (one fraud of two) → 1.5 / 2.
  close(precisionAtK([3, 2, 2, 1], [1, 1, 0, 0], 2), 0.75);
  close(precisionAtK([3, 2, 1, 0], [1, 1, 0, 0], 2), 1);
});

test('list, typology and migration metrics count unlabelled accounts only', () => {
  const fraud = new Set(['F1', 'F2', 'F3', 'F4']);
  const labelled = new Set(['F1']);
  const listed = new Set(['F1', 'F2', 'L1']);
  const m = listMetrics(listed, fraud, labelled);
  assert.deepEqual({ ...m }, { listedUnlabelled: 2, truePositives: 1, precision: 0.5, recall: 1 / 3 });
  const t = typologyRecall(
    listed,
    fraud,
    labelled,
    new Map([
      ['F2', 'ring'],
      ['F3', 'ring'],
      ['F4', 'fan_in'],
    ]),
  );
  assert.deepEqual(t, { ring: { fraud: 2, found: 1, recall: 0.5 }, fan_in: { fraud: 1, found: 0, recall: 0 } });
  const mig = migrationMetrics(
    [
      { from: 'A', to: 'B', kind: 'fraud' },
      { from: 'C', to: 'D', kind: 'legit' },
      { from: 'E', to: 'GONE', kind: 'legit' },
    ],
    new Set(['A', 'B', 'C', 'D', 'E']),
    [
      { from: 'A', to: 'B' },
      { from: 'X', to: 'Y' },
    ],
    new Set(['D']),
  );
  assert.equal(mig.planted, 2);
  assert.equal(mig.unobservable, 1);
  assert.equal(mig.precision, 0.5);
  assert.equal(mig.recall, 0.5);
  assert.equal(mig.fraudRecall, 1);
  assert.equal(mig.legitRecall, 0);
  assert.equal(mig.legitSuccessorsListed, 1);
});

test('paired bootstrap: equal scores give a zero interval; a clearly better score a positive one', () => {
  const n = 200;
  const y = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0));
  const noise = Array.from({ length: n }, (_, i) => ((i * 7919) % 101) / 101);
  const same = pairedBootstrapAuc([{ y, a: noise, b: noise }], 200, 1);
  assert.deepEqual([same.diff, same.lo, same.hi], [0, 0, 0]);
  const good = y.map((v, i) => v + noise[i]! * 0.5);
  const better = pairedBootstrapAuc(
    [
      { y, a: good, b: noise },
      { y, a: good, b: noise },
    ],
    300,
    2,
  );
  assert.ok(better.lo > 0 && better.lo <= better.diff && better.diff <= better.hi, JSON.stringify(better));
  // Seeded: the same call gives the same interval.
  assert.deepEqual(pairedBootstrapAuc([{ y, a: good, b: noise }], 100, 3), pairedBootstrapAuc([{ y, a: good, b: noise }], 100, 3));
});

test('baseline features: counts, amounts, distinct counterparties, span and in-shares, as log1p', () => {
  const flows = flowsOf([
    { from: 'A', to: 'B', amount: 100, day: 0 },
    { from: 'A', to: 'B', amount: 100, day: 2 },
    { from: 'B', to: 'C', amount: 50, day: 4 },
    { from: 'C', to: 'B', amount: 10, day: 4 },
  ]);
  const x = baselineFeatures(flows, ['B', 'NOBODY']);
  const b = Array.from(x.subarray(0, 8));
  const expected = [3, 1, 210, 50, 2, 4, 3 / 4, 210 / 260].map(Math.log1p);
  b.forEach((v, d) => close(v, expected[d]!, 1e-6));
  assert.deepEqual(Array.from(x.subarray(8)), [0, 0, 0, 0, 0, 0, 0, 0]);
  const s = standardise(Float64Array.from([1, 5, 3, 5]), 2, 2);
  assert.deepEqual(Array.from(s), [-1, 0, 1, 0]);
});

test('baseline fit: the penalised gradient vanishes at the solution (intercept not penalised)', () => {
  const x = Float64Array.from([0, 1, 2, 3, 4, 5, 1, 2]);
  const y = [0, 0, 1, 1, 1, 0, 0, 1];
  const rows = y.map((_, i) => i);
  const w = fitLogistic(x, 1, rows, y, 1);
  let g0 = 0;
  let g1 = 0;
  rows.forEach((r) => {
    const p = 1 / (1 + Math.exp(-(w[0]! + w[1]! * x[r]!)));
    g0 += p - y[r]!;
    g1 += (p - y[r]!) * x[r]!;
  });
  close(g0, 0, 1e-7);
  close(g1 + 1 * w[1]!, 0, 1e-7);
});

test('baseline training: few legit labels → unlabelled sample up to 5 × the fraud labels, seeded', () => {
  const transfers = Array.from({ length: 60 }, (_, i) => ({ from: `P${i}`, to: `P${(i * 7 + 3) % 60}`, amount: 10 + i, day: i % 30 }));
  transfers.push({ from: 'F1', to: 'F2', amount: 900, day: 1 }, { from: 'F2', to: 'F1', amount: 900, day: 2 });
  const flows = flowsOf(transfers);
  const ids = [...flows.ids].sort();
  const labels = new Map<string, 'fraud' | 'legit'>([
    ['F1', 'fraud'],
    ['F2', 'fraud'],
    ['P1', 'legit'],
  ]);
  const r = runBaseline(flows, ids, labels, 1);
  assert.equal(r.positives, 2);
  assert.equal(r.legitNegatives, 1);
  assert.equal(r.sampledNegatives, 9);
  assert.deepEqual(Array.from(runBaseline(flows, ids, labels, 1).score), Array.from(r.score));
  const fraudScore = r.score[ids.indexOf('F1')]!;
  const median = [...r.score].sort()[Math.floor(ids.length / 2)]!;
  assert.ok(fraudScore > median, `${fraudScore} > ${median}`);
  // Enough legit labels: no sample.
  const many = new Map(labels);
  for (let i = 0; i < 10; i++) many.set(`P${i + 10}`, 'legit');
  assert.equal(runBaseline(flows, ids, many, 1).sampledNegatives, 0);
});

test('labels: 30% of fraud (and of checked legit), seeded; evaluable = unlabelled, or held-out labelled with legit truth', () => {
  const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${String(i).padStart(4, '0')}`);
  const fraud = new Set(ids('F', 200));
  const legit = new Set(ids('L', 400));
  const all = new Set([...fraud, ...legit, ...ids('U', 1000)]);
  const truth = { fraud, typology: new Map(), victims: new Set<string>(), lookalikes: new Set<string>(), migrations: null, all };
  const labels = drawLabels('d', truth, 1);
  assert.deepEqual(drawLabels('d', truth, 1), labels);
  assert.notDeepEqual(drawLabels('d', truth, 2), labels);
  assert.ok(labels.size > 40 && labels.size < 80, `${labels.size} fraud labels of 200`);
  assert.ok([...labels.values()].every((l) => l === 'fraud'));
  assert.equal(evaluableAccounts(truth, labels).length, all.size - labels.size);
  const withLegit = { ...truth, legit };
  const both = drawLabels('d', withLegit, 1);
  const legitLabels = [...both.values()].filter((l) => l === 'legit').length;
  assert.ok(legitLabels > 90 && legitLabels < 150, `${legitLabels} legit labels of 400`);
  const evaluable = evaluableAccounts(withLegit, both);
  assert.equal(evaluable.length, 600 - both.size);
  assert.ok(evaluable.every((id) => !both.has(id) && !id.startsWith('U')));
});

test('a disguised copy: opaque ids of three formats, one per account, and the labels its original gets in the same seed', () => {
  const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`);
  const fraud = new Set(ids('', 300));
  const legit = new Set(ids('', 900).slice(300));
  const all = new Set(ids('', 2000));
  const base = { typology: new Map(), victims: new Set<string>(), lookalikes: new Set<string>(), migrations: null };
  const original = { ...base, fraud, legit, all };
  const idOf = new Map([...all].map((id) => [disguisedId(id), id]));
  assert.equal(idOf.size, all.size, 'no two accounts share a disguised id');
  assert.equal(disguisedId('17'), disguisedId('17'), 'the same id every time');
  const formats = [/^\+44 7\d{9}$/, /^acct_[0-9a-f]{16}$/, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/];
  for (const f of formats)
    assert.ok(
      [...idOf.keys()].some((id) => f.test(id)),
      `some ids look like ${f}`,
    );
  assert.ok([...idOf.keys()].every((id) => formats.some((f) => f.test(id)) && !id.includes(',')));
  const back = new Map([...idOf].map(([d, o]) => [o, d]));
  const map = (set: Set<string>) => new Set([...set].map((id) => back.get(id)!));
  const disguised = { ...base, fraud: map(fraud), legit: map(legit), all: map(all), origin: { dataset: 'orig', idOf } };
  for (const seed of [1, 2]) {
    const want = [...drawLabels('orig', original, seed)].map(([id, l]) => [back.get(id)!, l]).sort();
    assert.deepEqual([...drawLabels('orig-disguised', disguised, seed)].sort(), want, `seed ${seed}: label for label`);
  }
});

test('replay: --replay-tail-days streams more days without measuring more of them', () => {
  const plain = replayDays({ day: 130, streamDays: 12 });
  const tail = replayDays({ day: 130, streamDays: 12, tailDays: 4 });
  assert.equal(plain.cut, Date.UTC(2026, 0, 1) + 130 * 86_400_000);
  assert.deepEqual([plain.streamDays, plain.streamEnd], [12, plain.end], 'no tail: the stream ends with the measured days');
  assert.equal(tail.end, plain.end, 'the measured days are the same');
  assert.deepEqual([tail.streamDays, tail.streamEnd], [16, plain.end + 4 * 86_400_000], 'four more days streamed');
});

test('evaluations on different ports run on different instances (each wipes only its own)', () => {
  const saved = process.env.ACCTNET_EVAL_NEO4J_PORT;
  try {
    delete process.env.ACCTNET_EVAL_NEO4J_PORT;
    assert.equal(evalEnv().ACCTNET_NEO4J_INSTANCE, 'eval');
    assert.equal(evalEnv().ACCTNET_NEO4J_BOLT_PORT, '7690');
    process.env.ACCTNET_EVAL_NEO4J_PORT = '7795';
    assert.equal(evalEnv().ACCTNET_NEO4J_INSTANCE, 'eval-7795');
    assert.equal(evalEnv().ACCTNET_NEO4J_BOLT_PORT, '7795');
  } finally {
    if (saved === undefined) delete process.env.ACCTNET_EVAL_NEO4J_PORT;
    else process.env.ACCTNET_EVAL_NEO4J_PORT = saved;
  }
});

test('the evaluation analyses a dataset over its whole span: a file longer than the window stretches it, a shorter one keeps it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctnet-span-'));
  try {
    const config = loadConfig({});
    const t0 = Date.UTC(2011, 0, 1, 9);
    const lines = ['tx_id,from_account,to_account,amount,currency,timestamp,channel'];
    // Two years of one transfer a week.
    for (let k = 0; k < 105; k++)
      lines.push(`t${k},A${k % 7},B${k % 5},${100 + k}.25,USD,${new Date(t0 + k * 7 * 86_400_000).toISOString()},p2p`);
    const file = path.join(dir, 'long.csv');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const plain = await loadTransfers(file, [], config);
    assert.equal(plain.windowDays, config.analysis.windowDays);
    assert.ok(plain.flows.transfers < 30, `${plain.flows.transfers} transfers in the last 180 days`);
    const whole = await loadTransfers(file, [], config, Infinity, true);
    assert.equal(whole.flows.transfers, 105);
    assert.equal(whole.windowDays, 104 * 7 + 1);
    assert.equal(whole.windowFrom, whole.asOf - whole.windowDays * 86_400_000 + 1);
    assert.ok(whole.windowFrom <= t0);
    const short = path.join(dir, 'short.csv');
    fs.writeFileSync(short, `${lines.slice(0, 11).join('\n')}\n`);
    assert.equal((await loadTransfers(short, [], config, Infinity, true)).windowDays, config.analysis.windowDays);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
