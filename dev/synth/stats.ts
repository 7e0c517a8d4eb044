// Summary of a synthetic world: node dist/dev/synth/stats.js --world v2 --seed 1 --accounts 20000
// (--world v1 | v2 | patterns). Prints accounts, transfers, fraud by typology, look-alikes by kind,
// victims, aged fraud accounts, migrations and generation time, as JSON.
import { parseArgs } from 'node:util';
import { createPatternWorld } from './aml-patterns.js';
import { createWorld, type World } from './world.js';

const DAY = 86_400_000;

export interface WorldStats {
  accounts: number;
  activeAccounts: number;
  transfers: number;
  fraud: number;
  fraudShare: number;
  fraudByTypology: Record<string, number>;
  lookalikesByKind: Record<string, number>;
  victims: number;
  /** Victims who paid fraud accounts at least three times. */
  repeatVictims: number;
  /** Fraud accounts whose first transfer is ≥ 60 days before their first transfer with another fraud account. */
  agedFraud: number;
  migrations: { fraud: number; legit: number };
  seconds: number;
}

export function worldStats(make: () => World): WorldStats {
  const t0 = performance.now();
  const world = make();
  const fraud = new Set(world.truth.filter((a) => a.fraud).map((a) => a.id));
  const victims = new Set(world.truth.filter((a) => a.victim).map((a) => a.id));
  const first = new Map<string, number>();
  const firstFraud = new Map<string, number>();
  const victimPayments = new Map<string, number>();
  let transfers = 0;
  for (const t of world.transfers()) {
    transfers++;
    for (const id of [t.from, t.to]) if (!first.has(id)) first.set(id, t.at);
    if (fraud.has(t.from) && fraud.has(t.to)) for (const id of [t.from, t.to]) if (!firstFraud.has(id)) firstFraud.set(id, t.at);
    if (victims.has(t.from) && fraud.has(t.to)) victimPayments.set(t.from, (victimPayments.get(t.from) ?? 0) + 1);
  }
  const count = (keys: Array<string | null>) => {
    const out: Record<string, number> = {};
    for (const k of keys) if (k) out[k] = (out[k] ?? 0) + 1;
    return Object.fromEntries(Object.entries(out).sort());
  };
  const fraudAccounts = world.truth.filter((a) => a.fraud);
  return {
    accounts: world.truth.length,
    activeAccounts: first.size,
    transfers,
    fraud: fraudAccounts.length,
    fraudShare: Number((fraudAccounts.length / world.truth.length).toFixed(4)),
    fraudByTypology: count(fraudAccounts.map((a) => a.typology ?? 'unknown')),
    lookalikesByKind: count(world.truth.filter((a) => !a.fraud).map((a) => a.lookalike)),
    victims: victims.size,
    repeatVictims: [...victimPayments.values()].filter((n) => n >= 3).length,
    agedFraud: fraudAccounts.filter((a) => {
      const f = first.get(a.id);
      const ff = firstFraud.get(a.id);
      return f !== undefined && ff !== undefined && ff - f >= 60 * DAY;
    }).length,
    migrations: {
      fraud: world.migrations.filter((m) => m.kind === 'fraud').length,
      legit: world.migrations.filter((m) => m.kind === 'legit').length,
    },
    seconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      world: { type: 'string', default: 'v2' },
      seed: { type: 'string', default: '1' },
      accounts: { type: 'string', default: '20000' },
      activity: { type: 'string', default: '0.7' },
    },
  });
  const seed = Number(values.seed);
  const accounts = Number(values.accounts);
  const activity = Number(values.activity);
  const make = (): World =>
    values.world === 'patterns'
      ? createPatternWorld({ seed, accounts, activity })
      : createWorld({ seed, accounts, activity, version: values.world === 'v1' ? 1 : 2 });
  process.stdout.write(`${JSON.stringify({ world: values.world, seed, requested: accounts, activity, ...worldStats(make) }, null, 2)}\n`);
}
