// A generated world analysed up to the migration step, in-process, with the job's parameters: what
// the migration dev tools (migration-tune.ts, migration-diag.ts) score and diagnose.
import fs from 'node:fs';
import path from 'node:path';
import { computeCentrality } from '../../src/analysis/centrality.js';
import { detectCommunities } from '../../src/analysis/communities.js';
import { computeFeatures } from '../../src/analysis/features.js';
import { buildAccountGraph, pairOrder } from '../../src/analysis/graph.js';
import { findHubs } from '../../src/analysis/hubs.js';
import type { Config } from '../../src/config/index.js';
import { analysisParams } from '../../src/runs/analysis-job.js';
import { createPatternWorld } from '../synth/aml-patterns.js';
import { createWorld } from '../synth/world.js';
import { writeTransfersCsv } from '../synth/write-csv.js';
import { loadTransfers } from './load.js';

/**
 * World `seed` of generator `version` (or the pattern world, v2 background, as the evaluation makes it)
 * through the CSV loader (a temporary file in `dir`), the graph, hubs, Louvain and features.
 */
export async function analyseWorld(config: Config, dir: string, seed: number, accounts: number, version: 1 | 2 | 'patterns') {
  const params = analysisParams(config);
  const options = { seed, accounts, activity: 0.7, currency: config.analysis.baseCurrency };
  const world = version === 'patterns' ? createPatternWorld(options) : createWorld({ ...options, version });
  const file = path.join(dir, `w${version}-${seed}.csv`);
  await writeTransfersCsv(file, world.transfers());
  const loaded = await loadTransfers(file, [], config);
  fs.rmSync(file);
  const flows = loaded.flows;
  const po = pairOrder(flows);
  const graph = buildAccountGraph(flows, po);
  const centrality = computeCentrality(graph, flows, {}, po);
  const { isHub } = findHubs(centrality, { minDegree: params.hubMinDegree, medianFactor: params.hubMedianFactor });
  const { community } = detectCommunities(flows, isHub, {
    resolution: params.resolution,
    seed: params.seed,
    maxClusterSize: params.maxClusterSize,
  });
  const f = computeFeatures(flows, po, centrality, isHub, loaded.firstSeen);
  return { world, loaded, flows, graph, isHub, community, f };
}
