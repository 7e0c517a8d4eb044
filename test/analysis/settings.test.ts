// The analysis settings reach the analysis: each variable, set through loadConfig as an operator
// sets it, changes what a run computes. The run is built the way a recompute builds it
// (analysisParams and windowAggregator of src/runs/analysis-job.ts), so a variable that is parsed
// and then not passed on fails here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runAnalysis, type AnalysisOutput } from '../../src/analysis/pipeline.js';
import type { Flows } from '../../src/analysis/flows.js';
import { loadConfig } from '../../src/config/index.js';
import { analysisParams, windowAggregator } from '../../src/runs/analysis-job.js';
import { background, DAY, HOUR, indexOf, ring, T0, takeover, type T } from './helpers.js';

function flowsWith(env: Record<string, string>, transfers: T[], days: number): Flows {
  const agg = windowAggregator(loadConfig(env), T0, T0 + days * DAY - 1);
  for (const t of transfers)
    agg.add({ from: t.from, to: t.to, amount: t.amount, at: T0 + t.day * DAY + (t.hour ?? 12) * HOUR, channel: t.channel ?? 'p2p' });
  return agg.finish();
}

function runWith(env: Record<string, string>, transfers: T[], days: number): Promise<AnalysisOutput> {
  return runAnalysis({
    flows: flowsWith(env, transfers, days),
    firstSeen: new Map(),
    labels: new Map(),
    previousClusters: new Map(),
    nextClusterSeq: 1,
    params: analysisParams(loadConfig(env)),
  });
}

const at = (out: AnalysisOutput, id: string) => indexOf(out, id);

test('ACCTNET_HUB_MIN_DEGREE decides which accounts are hubs', async () => {
  const world = [...takeover(), ...background('P', 30, 120)];
  const byDefault = await runWith({}, world, 120);
  assert.equal(byDefault.isHub[at(byDefault, 'SHOP')], 1, 'the shop (121 counterparties) is a hub at the default 100');
  assert.equal(byDefault.counts.hubThreshold, 100, 'the threshold the run applied is in its counts (the successor watch reads it)');
  const raised = await runWith({ ACCTNET_HUB_MIN_DEGREE: '500' }, world, 120);
  assert.equal(raised.counts.hubThreshold, 500);
  assert.equal(raised.isHub[at(raised, 'SHOP')], 0, 'not a hub when hubs need 500 counterparties');
  assert.equal(raised.isHub[at(raised, 'EMPLOYER')], 0);
});

test('ACCTNET_MIGRATION_MIN_SCORE drops links below it', async () => {
  const world = [...takeover(), ...background('P', 30, 120)];
  const byDefault = await runWith({}, world, 120);
  assert.equal(byDefault.migrations.length, 1);
  const score = byDefault.migrations[0]!.score;
  assert.ok(score < 1, `the planted link scores ${score}: the test needs room above it`);
  const strict = await runWith({ ACCTNET_MIGRATION_MIN_SCORE: String(Math.min(1, score + 0.001)) }, world, 120);
  assert.equal(strict.migrations.length, 0, 'a link scoring below the setting is not reported');
  const lenient = await runWith({ ACCTNET_MIGRATION_MIN_SCORE: String(score) }, world, 120);
  assert.equal(lenient.migrations.length, 1, 'a link scoring exactly the setting is reported');
});

test('ACCTNET_HOLD_HOURS: money sent on after the holding window is not passed through', async () => {
  // M receives 1,000 and sends it on five hours later, every other day.
  const world: T[] = [];
  for (let d = 0; d < 20; d += 2) {
    world.push({ from: 'X', to: 'M', amount: 1000, day: d, hour: 1 });
    world.push({ from: 'M', to: 'Y', amount: 1000, day: d, hour: 6 });
  }
  const id = (f: Flows) => f.index.get('M')!;
  const byDefault = flowsWith({}, world, 20);
  assert.equal(byDefault.quickOut[id(byDefault)], 10_000, 'within the default 48 hours: all of it passed through');
  const short = flowsWith({ ACCTNET_HOLD_HOURS: '2' }, world, 20);
  assert.equal(short.quickOut[id(short)], 0, 'five hours is beyond a 2-hour holding window');
});

test('ACCTNET_BUCKET_DAYS sets the width of the activity buckets', async () => {
  const world = ring(['R1', 'R2', 'R3'], { fromDay: 0, toDay: 28 });
  assert.equal(flowsWith({}, world, 28).buckets, 4, '28 days in weeks');
  const daily = flowsWith({ ACCTNET_BUCKET_DAYS: '1' }, world, 28);
  assert.equal(daily.buckets, 28);
  // R1 sends every other day: with daily buckets, half of them hold activity.
  const r1 = daily.index.get('R1')!;
  const active = Array.from(daily.activity.subarray(r1 * 28, (r1 + 1) * 28)).filter((c) => c > 0).length;
  assert.equal(active, 14);
});

test('ACCTNET_MAX_CLUSTER_SIZE and ACCTNET_LOUVAIN_RESOLUTION shape the clusters', async () => {
  // 16 accounts that all pay each other: one community within the default size limit (50); over a
  // limit of 8 (a clique cannot be split, so it is reported as oversized); split at a high resolution.
  const members = Array.from({ length: 16 }, (_, k) => `G${k}`);
  const group: T[] = [];
  members.forEach((a, i) =>
    members.forEach((b, j) => i !== j && group.push({ from: a, to: b, amount: 100 + i + j, day: (i + j) % 30, hour: 10 })),
  );
  const world = [...group, ...background('P', 10, 60)];
  const largest = (out: AnalysisOutput) => Math.max(...out.clusters.map((c) => c.members.length));
  const byDefault = await runWith({}, world, 60);
  assert.equal(largest(byDefault), 16);
  assert.equal(byDefault.counts.oversizedClusters, 0);
  assert.equal((await runWith({ ACCTNET_MAX_CLUSTER_SIZE: '8' }, world, 60)).counts.oversizedClusters, 1);
  const fine = await runWith({ ACCTNET_LOUVAIN_RESOLUTION: '20' }, world, 60);
  assert.ok(largest(fine) < 16, `largest cluster ${largest(fine)} at resolution 20`);
});
