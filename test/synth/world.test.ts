import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { createWorld, type World } from '../../dev/synth/world.js';

/** sha256 over the first `limit` transfers, the truth and the migrations, one JSON line each. */
function hashWorld(world: World, limit = Infinity): { transfers: string; truth: string; migrations: string } {
  const h = crypto.createHash('sha256');
  let n = 0;
  for (const t of world.transfers()) {
    if (n++ >= limit) break;
    h.update(`${JSON.stringify(t)}\n`);
  }
  const truth = crypto.createHash('sha256');
  for (const a of world.truth) truth.update(`${JSON.stringify(a)}\n`);
  const migrations = crypto.createHash('sha256');
  for (const m of world.migrations) migrations.update(`${JSON.stringify(m)}\n`);
  return { transfers: h.digest('hex'), truth: truth.digest('hex'), migrations: migrations.digest('hex') };
}

// Computed on the version-1 generator before version 2 existed (commit c04a53a): version 1 is frozen,
// a regression dataset; the demo, the tests and the benchmarks call createWorld without a version.
const V1_SEED7_3000 = {
  transfers: 'a7aa709bd54235f6ca64485acc746073243f7d07898e92168a99931dd14be877',
  truth: 'd87d57b79549e5fe793f98c70e905f1d1af5c54e68ad1ae933d91446ec4342df',
  migrations: '1513e114633f005dc364bb031143dd2ff0c399ed8c03612a423d46f105435080',
};

test('version 1 is unchanged: first 20,000 transfers, truth and migrations of seed 7, 3,000 accounts', () => {
  assert.deepEqual(hashWorld(createWorld({ seed: 7, accounts: 3000 }), 20_000), V1_SEED7_3000);
});
