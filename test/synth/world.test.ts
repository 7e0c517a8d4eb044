import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { AML_PATTERNS, createPatternWorld } from '../../dev/synth/aml-patterns.js';
import { createWorld, TYPOLOGIES, WORLD_VERSIONS, type TruthAccount, type World } from '../../dev/synth/world.js';

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

test('versions: 1 is the default, the version is recorded in the options', () => {
  assert.deepEqual([...WORLD_VERSIONS], [1, 2]);
  assert.equal(createWorld({ seed: 1, accounts: 200, days: 10 }).options.version, 1);
  assert.equal(createWorld({ seed: 1, accounts: 200, days: 10, version: 2 }).options.version, 2);
  assert.equal(createPatternWorld({ seed: 1, accounts: 200, days: 10 }).options.version, 2);
  assert.throws(() => createWorld({ seed: 1, accounts: 200, version: 3 as 1 }), /version 3/);
});

const DAY = 86_400_000;
const SMALL = { accounts: 4000, days: 130, activity: 0.35 } as const;

interface Scan {
  /** Hash of the first 20,000 transfers and the truth. */
  hash: string;
  transfers: number;
  byId: Map<string, TruthAccount>;
  first: Map<string, number>;
  /** First transfer between two fraud accounts, per account. */
  firstFraud: Map<string, number>;
  /** Transfers from a victim to a fraud account, per victim. */
  victimPays: Map<string, number>;
  /** Time span of the transfers within each fraud group. */
  groupSpan: Map<string, { from: number; to: number }>;
  fraudFraud: number;
  fraudOther: number;
  /** Persons that receive nothing at all. */
  personsWithInflow: Set<string>;
  fromBank: number;
  txIds: boolean;
}

function scan(world: World): Scan {
  const h = crypto.createHash('sha256');
  for (const a of world.truth) h.update(`${JSON.stringify(a)}\n`);
  const byId = new Map(world.truth.map((a) => [a.id, a]));
  const r: Scan = {
    hash: '',
    transfers: 0,
    byId,
    first: new Map(),
    firstFraud: new Map(),
    victimPays: new Map(),
    groupSpan: new Map(),
    fraudFraud: 0,
    fraudOther: 0,
    personsWithInflow: new Set(),
    fromBank: 0,
    txIds: true,
  };
  for (const t of world.transfers()) {
    if (r.transfers++ < 20_000) h.update(`${JSON.stringify(t)}\n`);
    if (!/^T\d{9}$/.test(t.txId)) r.txIds = false;
    const a = byId.get(t.from)!;
    const b = byId.get(t.to)!;
    for (const id of [t.from, t.to]) if (!r.first.has(id)) r.first.set(id, t.at);
    if (a.fraud && b.fraud) {
      r.fraudFraud++;
      for (const id of [t.from, t.to]) if (!r.firstFraud.has(id)) r.firstFraud.set(id, t.at);
      if (a.group === b.group && a.group) {
        const span = r.groupSpan.get(a.group) ?? { from: t.at, to: t.at };
        span.to = t.at;
        r.groupSpan.set(a.group, span);
      }
    } else if (a.fraud || b.fraud) r.fraudOther++;
    if (a.victim && b.fraud) r.victimPays.set(t.from, (r.victimPays.get(t.from) ?? 0) + 1);
    if (b.kind === 'person') r.personsWithInflow.add(t.to);
    if (a.kind === 'bank') r.fromBank++;
  }
  r.hash = h.digest('hex');
  return r;
}

/** The truth and the first `limit` transfers, hashed, of a second run. */
function hashAgain(world: World, limit = 20_000): string {
  const h = crypto.createHash('sha256');
  for (const a of world.truth) h.update(`${JSON.stringify(a)}\n`);
  let n = 0;
  for (const t of world.transfers()) {
    if (n++ >= limit) break;
    h.update(`${JSON.stringify(t)}\n`);
  }
  return h.digest('hex');
}

const fraudOf = (s: Scan) => [...s.byId.values()].filter((a) => a.fraud);
const agedFraud = (s: Scan) =>
  fraudOf(s).filter((a) => {
    const f = s.first.get(a.id);
    const ff = s.firstFraud.get(a.id);
    return f !== undefined && ff !== undefined && ff - f >= 60 * DAY;
  });

function assertNeutralIds(s: Scan): void {
  for (const id of s.byId.keys()) assert.match(id, /^A\d{7}$/);
  assert.ok(s.txIds, 'transfer ids are T + nine digits');
  // Fraud accounts are created last; their ids must still be spread over the whole range.
  const numbers = [...s.byId.values()].map((a) => Number(a.id.slice(1)));
  const max = Math.max(...numbers);
  const fraud = fraudOf(s).map((a) => Number(a.id.slice(1)));
  assert.ok(Math.min(...fraud) < max * 0.2 && Math.max(...fraud) > max * 0.8, 'fraud ids spread over the id range');
}

test('version 2: deterministic, every typology, fraud share, aged fraud, repeat victims, outside income, neutral ids', () => {
  const v2 = scan(createWorld({ seed: 11, ...SMALL, version: 2 }));
  assert.equal(hashAgain(createWorld({ seed: 11, ...SMALL, version: 2 })), v2.hash);
  assert.notEqual(
    hashAgain(createWorld({ seed: 12, ...SMALL, version: 2 }), 0),
    hashAgain(createWorld({ seed: 11, ...SMALL, version: 2 }), 0),
  );

  const fraud = fraudOf(v2);
  const active = fraud.filter((a) => v2.first.has(a.id));
  for (const t of TYPOLOGIES)
    assert.ok(
      active.some((a) => a.typology === t),
      `typology ${t} planted and active`,
    );
  const share = fraud.length / v2.byId.size;
  assert.ok(share >= 0.015 && share <= 0.03, `fraud share ${share}`);

  assert.ok(agedFraud(v2).length >= 5, `aged fraud accounts: ${agedFraud(v2).length}`);
  // Fraud groups trade with outsiders more than among themselves.
  assert.ok(v2.fraudOther > v2.fraudFraud, `${v2.fraudOther} transfers with outsiders, ${v2.fraudFraud} inside`);

  const repeat = [...v2.byId.values()].filter((a) => a.lookalike === 'repeat_victim');
  assert.ok(repeat.length >= 2);
  for (const v of repeat) {
    assert.ok(v.victim && !v.fraud);
    assert.ok((v2.victimPays.get(v.id) ?? 0) >= 3, `repeat victim ${v.id} paid ${v2.victimPays.get(v.id) ?? 0} times`);
  }
  const kinds = new Set([...v2.byId.values()].map((a) => a.lookalike));
  for (const k of ['small_business', 'payment_agent', 'savings_club', 'bill_split', 'landlord', 'charity', 'payroll'])
    assert.ok(kinds.has(k as TruthAccount['lookalike']), `look-alike ${k}`);

  // Income from outside the graph, and people whom nobody in the graph pays.
  const persons = [...v2.byId.values()].filter((a) => a.kind === 'person');
  assert.ok(v2.fromBank > persons.length, 'money enters from external banks');
  assert.ok(persons.length - v2.personsWithInflow.size > persons.length * 0.05, 'some people only spend');
  assertNeutralIds(v2);
});

test('pattern world: deterministic, every AMLworld pattern, fraud share, accounts with history, patterns within days', () => {
  const pw = scan(createPatternWorld({ seed: 11, ...SMALL }));
  assert.equal(hashAgain(createPatternWorld({ seed: 11, ...SMALL })), pw.hash);
  const fraud = fraudOf(pw);
  for (const p of AML_PATTERNS)
    assert.ok(
      fraud.some((a) => a.typology === p && pw.firstFraud.has(a.id)),
      `pattern ${p} injected`,
    );
  const share = fraud.length / pw.byId.size;
  assert.ok(share >= 0.01 && share <= 0.035, `fraud share ${share}`);
  // Most of a pattern's accounts are existing background accounts with a history; some of months.
  const history = fraud.filter((a) => pw.firstFraud.has(a.id) && pw.firstFraud.get(a.id)! - pw.first.get(a.id)! >= 7 * DAY);
  assert.ok(history.length >= fraud.length * 0.5, `${history.length} of ${fraud.length} with a week of history`);
  assert.ok(agedFraud(pw).length >= fraud.length * 0.1, `aged ${agedFraud(pw).length} of ${fraud.length}`);
  for (const [group, span] of pw.groupSpan) assert.ok(span.to - span.from <= 7 * DAY, `pattern ${group} within a week`);
  assert.deepEqual(
    pw.byId.size > 0 && createPatternWorld({ seed: 1, accounts: 200, days: 10 }).migrations.filter((m) => m.kind === 'fraud'),
    [],
  );
  assertNeutralIds(pw);
});
