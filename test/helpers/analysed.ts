// Test services holding an analysed graph: a seeded world, some labels, one completed run.
import { createLabelRepository } from '../../src/neo4j/repositories/labels.js';
import { runRecompute, type RunSummary } from '../../src/runs/recompute.js';
import { createWorld, type World } from '../../dev/synth/world.js';
import { testLogger } from './env.js';
import { seedTransfers } from './seed.js';
import { openServices, type TestServices } from './services.js';

export interface AnalysedServices extends TestServices {
  world: World;
  run: RunSummary;
  recompute(): Promise<RunSummary>;
}

export async function openAnalysedServices(
  overrides: Record<string, string> = {},
  opts: { accounts?: number; seed?: number } = {},
): Promise<AnalysedServices> {
  const s = await openServices(overrides);
  const world = createWorld({
    seed: opts.seed ?? 9,
    accounts: opts.accounts ?? 800,
    activity: 0.6,
    currency: s.config.analysis.baseCurrency,
  });
  await seedTransfers(s.driver, s.config, world.transfers());
  const fraud = world.truth
    .filter((a) => a.fraud)
    .map((a) => a.id)
    .sort();
  await createLabelRepository(s.driver, s.config.neo4j).append(
    fraud
      .filter((_, k) => k % 3 === 0)
      .map((accountId) => ({ accountId, label: 'fraud' as const, note: 'test', source: 'test', createdBy: 'test' })),
  );
  const recompute = () =>
    runRecompute(
      { config: s.config, driver: s.driver, log: testLogger(), publish: { redis: s.rt.redis(), webhookQueue: s.rt.webhookQueue() } },
      { trigger: 'cli', requestedBy: 'test', requestedAt: Date.now(), asOf: null, jobId: null },
      () => {},
    );
  const run = await recompute();
  return { ...s, world, run, recompute };
}
