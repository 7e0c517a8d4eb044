// A seeded synthetic payment world with planted fraud and its ground truth, for tuning and evaluating
// the analysis (npm run eval) and for the recompute benchmark.
//
// Two versions (docs/evaluation.md, "Synthetic data: versions"):
// - version 1 (the default, below) is frozen: a regression dataset whose output must never change
//   (test/synth/world.test.ts holds its hashes). It knows acctnet's own rules too well.
// - version 2 (world-v2.ts) breaks those rules on purpose; the AMLworld-style pattern injector is
//   aml-patterns.ts. New evaluation passes version: 2 explicitly.
//
// Version 1 — what makes it hard, on purpose (see docs/evaluation.md):
// - fraud is ~1.5% of accounts and fraud accounts also live a normal life (card payments, family);
// - victims pay fraud accounts but are not fraud;
// - for every fraud pattern there are legit look-alikes: savings-club and bill-splitting rings,
//   landlord and charity fan-in, payroll fan-out, people moving to a new account;
// - fraud accounts that get blocked go quiet and a fresh account takes over their counterparties
//   (migration), sometimes twice; legit people move accounts too.
//
// Transfers are produced day by day (memory stays flat for large worlds); the truth is decided up front.
import { createRng, logNormal, pick, randInt, shuffle, type Rng } from './rng.js';
import type { SyntheticTransfer } from './background.js';
import { createWorldV2 } from './world-v2.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export const WORLD_VERSIONS = [1, 2] as const;
export type WorldVersion = (typeof WORLD_VERSIONS)[number];

/** 'bank' (version 2): an external bank or cash desk, the hub through which money enters and leaves the graph. */
export type AccountKind = 'person' | 'merchant' | 'employer' | 'charity' | 'bank' | 'fraud';
/** Version 1 plants the first four; version 2 and the pattern world plant the AMLworld shapes too. */
export type Typology =
  'ring' | 'fan_in' | 'fan_out' | 'layering' | 'cycle' | 'stack' | 'bipartite' | 'gather_scatter' | 'scatter_gather' | 'random';
export const TYPOLOGIES: readonly Typology[] = [
  'ring',
  'fan_in',
  'fan_out',
  'layering',
  'cycle',
  'stack',
  'bipartite',
  'gather_scatter',
  'scatter_gather',
  'random',
];
/**
 * Legit accounts that look like fraud. Version 2 adds busy small businesses that pass money through,
 * payment agents (collectors) and repeat victims (victims, not fraud, who pay a scammer many times).
 */
export type Lookalike =
  'savings_club' | 'bill_split' | 'landlord' | 'charity' | 'payroll' | 'small_business' | 'payment_agent' | 'repeat_victim';

export interface TruthAccount {
  id: string;
  kind: AccountKind;
  fraud: boolean;
  typology: Typology | null;
  group: string | null;
  role: string | null;
  victim: boolean;
  lookalike: Lookalike | null;
}

export interface TruthMigration {
  from: string;
  to: string;
  kind: 'fraud' | 'legit';
  day: number;
}

export interface WorldOptions {
  seed: number | string;
  /** Approximate number of accounts (persons, businesses and fraud). */
  accounts: number;
  days?: number;
  start?: number;
  /** Daily probability scale of ordinary activity; 1 ≈ 0.25 transfers per person per day. */
  activity?: number;
  currency?: string;
  /** Share of accounts that are fraud (before migrations add successors); default 0.015 (v1), 0.02 (v2). */
  fraudShare?: number;
  /** Generator version: 1 (default, frozen; see the header) or 2 (world-v2.ts). */
  version?: WorldVersion;
}

interface Person {
  idx: number;
  from: number;
  to: number;
  friends: number[];
  merchants: number[];
  rate: number;
  /** Hour-of-day centre of this person's activity. */
  hour: number;
}

export interface Emitter {
  emit(day: number, out: SyntheticTransfer[]): void;
}

export interface World {
  options: Required<WorldOptions>;
  truth: TruthAccount[];
  migrations: TruthMigration[];
  /** Every transfer, day by day, in time order within a day. Call once: the world is stateful. */
  transfers(): Generator<SyntheticTransfer>;
}

export function createWorld(opts: WorldOptions): World {
  const version = opts.version ?? 1;
  if (!WORLD_VERSIONS.includes(version)) throw new Error(`unknown synthetic world version ${String(version)}`);
  return version === 2 ? createWorldV2(opts) : createWorldV1(opts);
}

function createWorldV1(opts: WorldOptions): World {
  const o: Required<WorldOptions> = {
    version: 1,
    days: 180,
    start: Date.UTC(2026, 0, 1),
    activity: 1,
    currency: 'EUR',
    fraudShare: 0.015,
    ...opts,
  };
  const rng = createRng(o.seed);
  const N = o.accounts;

  // Account ids reveal nothing: a shuffled pool of numbers.
  const idPool = shuffle(
    rng,
    Array.from({ length: Math.ceil(N * 1.2) + 100 }, (_, i) => i),
  );
  let nextId = 0;
  const truth: TruthAccount[] = [];
  const newAccount = (kind: AccountKind, extra: Partial<TruthAccount> = {}): number => {
    const idx = truth.length;
    truth.push({
      id: `AC${String(idPool[nextId++]).padStart(7, '0')}`,
      kind,
      fraud: kind === 'fraud',
      typology: null,
      group: null,
      role: null,
      victim: false,
      lookalike: null,
      ...extra,
    });
    return idx;
  };
  const migrations: TruthMigration[] = [];
  const emitters: Emitter[] = [];
  let txSeq = 0;

  const at = (day: number, hour: number, r: Rng = rng): number =>
    o.start + day * DAY + Math.floor(Math.min(23.99, Math.max(0, hour)) * HOUR) + randInt(r, 0, 59_999);
  const tx = (out: SyntheticTransfer[], from: number, to: number, amount: number, time: number, channel: string) => {
    if (from === to) return;
    out.push({
      txId: `W${o.seed}-${txSeq++}`,
      from: truth[from]!.id,
      to: truth[to]!.id,
      amount: Math.max(0.01, amount).toFixed(2),
      currency: o.currency,
      at: Math.round(time),
      channel,
    });
  };

  // ---- Legit businesses -----------------------------------------------------------------------
  const merchants = Array.from({ length: Math.max(5, Math.round(N * 0.008)) }, () => newAccount('merchant'));
  const employers = Array.from({ length: Math.max(3, Math.round(N * 0.003)) }, () => newAccount('employer'));
  const charities = Array.from({ length: Math.max(2, Math.round(N * 0.0005)) }, () => newAccount('charity', { lookalike: 'charity' }));
  const suppliers = Array.from({ length: Math.max(3, Math.round(N * 0.002)) }, () => newAccount('merchant'));
  // Merchant popularity is skewed: a few giants and a long tail.
  const merchantWeight = merchants.map((_, i) => 1 / (i + 1) ** 0.8);
  const merchantTotal = merchantWeight.reduce((a, b) => a + b, 0);
  const pickMerchant = (r: Rng) => {
    let x = r() * merchantTotal;
    for (let i = 0; i < merchants.length; i++) {
      x -= merchantWeight[i]!;
      if (x <= 0) return merchants[i]!;
    }
    return merchants[merchants.length - 1]!;
  };

  // ---- Persons ----------------------------------------------------------------------------------
  const fraudTarget = Math.round(N * o.fraudShare);
  const personCount = Math.max(50, N - truth.length - fraudTarget);
  const persons: Person[] = [];
  for (let i = 0; i < personCount; i++) {
    const idx = newAccount('person');
    const late = rng() < 0.12;
    const churn = rng() < 0.05;
    const from = late ? randInt(rng, 5, o.days - 20) : 0;
    const to = churn ? randInt(rng, from + 10, o.days) : o.days;
    persons.push({ idx, from, to, friends: [], merchants: [], rate: logNormal(rng, 1, 0.5), hour: 9 + rng() * 11 });
  }
  const personByIdx = new Map(persons.map((p) => [p.idx, p]));
  for (const p of persons) {
    const k = randInt(rng, 2, 10);
    for (let j = 0; j < k; j++) {
      const f = pick(rng, persons);
      if (f.idx !== p.idx && !p.friends.includes(f.idx)) {
        p.friends.push(f.idx);
        if (f.friends.length < 14) f.friends.push(p.idx);
      }
    }
    const m = randInt(rng, 4, 12);
    for (let j = 0; j < m; j++) p.merchants.push(pickMerchant(rng));
  }
  const activeOn = (p: Person, day: number) => day >= p.from && day < p.to;
  // People who move to a new account are reached there from the day they move.
  const movedTo = new Map<number, { to: number; day: number }>();
  const current = (idx: number, day: number): number => {
    let cur = idx;
    for (let m = movedTo.get(cur); m && day >= m.day; m = movedTo.get(cur)) cur = m.to;
    return cur;
  };

  // Ordinary life: card payments, transfers to friends, a donation now and then.
  emitters.push({
    emit(day, out) {
      for (const p of persons) {
        if (!activeOn(p, day)) continue;
        const r = o.activity * p.rate;
        if (rng() < 0.16 * r) tx(out, p.idx, pick(rng, p.merchants), logNormal(rng, 32, 0.9), at(day, p.hour + (rng() - 0.5) * 6), 'card');
        if (p.friends.length && rng() < 0.035 * r) {
          tx(out, p.idx, current(pick(rng, p.friends), day), logNormal(rng, 45, 0.8), at(day, p.hour + (rng() - 0.5) * 6), 'p2p');
        }
        if (rng() < 0.004 * r) tx(out, p.idx, pick(rng, charities), logNormal(rng, 20, 0.6), at(day, p.hour), 'card');
      }
    },
  });

  // Payroll: employers pay their employees monthly (legit fan-out); employees are most persons.
  const payroll = new Map<number, number[]>();
  for (const e of employers) payroll.set(e, []);
  const employerWeights = employers.map(() => logNormal(rng, 1, 1.1));
  const employerTotal = employerWeights.reduce((a, b) => a + b, 0);
  const salary = new Map<number, number>();
  const employerOf = new Map<number, number>();
  for (const p of persons) {
    if (rng() > 0.8) continue;
    let x = rng() * employerTotal;
    let e = employers[0]!;
    for (let i = 0; i < employers.length; i++) {
      x -= employerWeights[i]!;
      if (x <= 0) {
        e = employers[i]!;
        break;
      }
    }
    payroll.get(e)!.push(p.idx);
    employerOf.set(p.idx, e);
    salary.set(p.idx, logNormal(rng, 2400, 0.35));
  }
  emitters.push({
    emit(day, out) {
      const dom = day % 30;
      employers.forEach((e, i) => {
        // Each employer pays on its own day of the month, employees in one run.
        if (dom !== (i * 7) % 28) return;
        for (const person of payroll.get(e)!) {
          const p = personByIdx.get(person)!;
          if (!activeOn(p, day)) continue;
          tx(out, e, current(person, day), salary.get(person)! * (0.98 + rng() * 0.04), at(day, 6 + rng()), 'transfer');
        }
      });
      // Businesses pay suppliers weekly and receive from clients.
      if (day % 7 === 3) {
        for (const m of [...merchants, ...employers, ...charities]) {
          if (rng() < 0.7) tx(out, m, pick(rng, suppliers), logNormal(rng, 1500, 0.8), at(day, 10 + rng() * 6), 'wire');
        }
        for (const s of suppliers) if (rng() < 0.5) tx(out, s, pick(rng, employers), logNormal(rng, 4000, 0.7), at(day, 11), 'wire');
        for (const e of employers) tx(out, pick(rng, merchants), e, logNormal(rng, 8000, 0.5), at(day, 12), 'wire');
      }
    },
  });

  // Landlords (legit fan-in): a person who receives rent from 3-12 tenants every month.
  const landlords = shuffle(rng, [...persons]).slice(0, Math.max(3, Math.round(personCount * 0.004)));
  for (const l of landlords) {
    truth[l.idx]!.lookalike = 'landlord';
    const tenants = Array.from({ length: randInt(rng, 3, 12) }, () => pick(rng, persons)).filter((t) => t.idx !== l.idx);
    const rent = tenants.map(() => logNormal(rng, 850, 0.25));
    const dueDay = randInt(rng, 0, 4);
    emitters.push({
      emit(day, out) {
        if (day % 30 !== dueDay) return;
        tenants.forEach((t, i) => {
          if (activeOn(t, day)) tx(out, t.idx, current(l.idx, day), rent[i]!, at(day + randInt(rng, 0, 2), t.hour), 'transfer');
        });
      },
    });
  }

  // Savings clubs (legit rings, ROSCA): each month every member pays the member whose turn it is.
  const clubMembers = new Set<number>();
  for (let g = 0; g < Math.max(2, Math.round(personCount / 1200)); g++) {
    const members = shuffle(
      rng,
      persons.filter((p) => p.from === 0 && p.to === o.days && !clubMembers.has(p.idx)),
    ).slice(0, randInt(rng, 5, 9));
    members.forEach((m) => {
      clubMembers.add(m.idx);
      truth[m.idx]!.lookalike = 'savings_club';
    });
    const contribution = Math.round(logNormal(rng, 150, 0.4));
    const payDay = randInt(rng, 0, 27);
    emitters.push({
      emit(day, out) {
        if (day % 30 !== payDay) return;
        const recipient = members[Math.floor(day / 30) % members.length]!;
        for (const m of members) if (m !== recipient) tx(out, m.idx, recipient.idx, contribution, at(day, m.hour), 'p2p');
      },
    });
  }

  // Bill-splitting groups (legit small rings / cliques): after a shared expense, friends pay the payer back.
  for (let g = 0; g < Math.max(3, Math.round(personCount / 400)); g++) {
    const members = shuffle(rng, [...persons]).slice(0, randInt(rng, 3, 6));
    members.forEach((m) => (truth[m.idx]!.lookalike ??= 'bill_split'));
    emitters.push({
      emit(day, out) {
        if (rng() > 0.06) return;
        const payer = pick(rng, members);
        const share = logNormal(rng, 30, 0.5);
        for (const m of members)
          if (m !== payer && activeOn(m, day)) tx(out, m.idx, current(payer.idx, day), share, at(day, m.hour + 1 + rng() * 3), 'p2p');
      },
    });
  }
  for (const [e, staff] of payroll) if (staff.length >= 5) truth[e]!.lookalike = 'payroll';

  // Legit account moves: a person opens a new account, moves the balance, and lives on there.
  const movers = shuffle(
    rng,
    persons.filter((p) => p.from === 0 && p.to === o.days && !clubMembers.has(p.idx)),
  ).slice(0, Math.max(2, Math.round(personCount * 0.004)));
  for (const p of movers) {
    const day = randInt(rng, 40, o.days - 30);
    const successor = newAccount('person');
    const next: Person = { ...p, idx: successor, from: day, to: o.days };
    p.to = day;
    persons.push(next);
    personByIdx.set(successor, next);
    movedTo.set(p.idx, { to: successor, day });
    migrations.push({ from: truth[p.idx]!.id, to: truth[successor]!.id, kind: 'legit', day });
    const balance = logNormal(rng, 3000, 0.6);
    emitters.push({
      emit(d, out) {
        if (d === day) tx(out, p.idx, successor, balance, at(d, p.hour), 'transfer');
        if (d === day + 1 && rng() < 0.5) tx(out, p.idx, successor, balance * 0.1, at(d, p.hour), 'transfer');
      },
    });
  }

  // ---- Fraud --------------------------------------------------------------------------------------
  const fraudAccounts: number[] = [];
  let groupSeq = 0;
  const newFraud = (typology: Typology, group: string, role: string) => {
    const idx = newAccount('fraud', { typology, group, role });
    fraudAccounts.push(idx);
    return idx;
  };
  const hourAny = (r: Rng) => r() * 24;
  const victimsPool = shuffle(
    rng,
    persons.filter((p) => !clubMembers.has(p.idx)),
  );
  let victimCursor = 0;
  const takeVictims = (n: number) => {
    const out: Person[] = [];
    while (out.length < n && victimCursor < victimsPool.length) {
      const v = victimsPool[victimCursor++]!;
      if (truth[v.idx]!.lookalike) continue;
      truth[v.idx]!.victim = true;
      out.push(v);
    }
    return out;
  };

  /**
   * A fraud "slot" is a role played by a chain of accounts over time: when its current account is
   * blocked, it goes quiet and a fresh account takes over the same counterparties (migration).
   */
  interface Slot {
    holders: Array<{ idx: number; from: number; to: number }>;
  }
  const slotFor = (typology: Typology, group: string, role: string, from: number, to: number): Slot => {
    const slot: Slot = { holders: [{ idx: newFraud(typology, group, role), from, to }] };
    // About one slot in five gets blocked mid-scheme; a fifth of those twice.
    let cur = slot.holders[0]!;
    let hops = rng() < 0.2 ? (rng() < 0.2 ? 2 : 1) : 0;
    while (hops-- > 0 && cur.to - cur.from > 14) {
      const blockDay = randInt(rng, cur.from + 7, cur.to - 5);
      const riseDay = blockDay + randInt(rng, 1, 4);
      const next = { idx: newFraud(typology, group, role), from: riseDay, to: cur.to };
      cur.to = blockDay;
      slot.holders.push(next);
      migrations.push({ from: truth[cur.idx]!.id, to: truth[next.idx]!.id, kind: 'fraud', day: blockDay });
      cur = next;
    }
    return slot;
  };
  const holder = (slot: Slot, day: number) => slot.holders.find((h) => day >= h.from && day < h.to)?.idx;

  // Camouflage: fraud accounts also pay merchants and send money to family.
  const camouflage = (slot: Slot) => {
    const family = Array.from({ length: randInt(rng, 0, 2) }, () => pick(rng, persons).idx);
    const shops = Array.from({ length: 3 }, () => pickMerchant(rng));
    const hour = 8 + rng() * 14;
    emitters.push({
      emit(day, out) {
        const h = holder(slot, day);
        if (h === undefined) return;
        if (rng() < 0.06) tx(out, h, pick(rng, shops), logNormal(rng, 40, 0.8), at(day, hour), 'card');
        if (family.length && rng() < 0.015) tx(out, h, current(pick(rng, family), day), logNormal(rng, 150, 0.6), at(day, hour), 'p2p');
      },
    });
  };

  const schemeWindow = () => {
    const from = randInt(rng, 5, o.days - 60);
    return { from, to: Math.min(o.days, from + randInt(rng, 45, 110)) };
  };

  const budget = () => fraudAccounts.length < fraudTarget * 0.8;
  const planned: Array<() => void> = [];

  // Rings: money goes round A → B → … → A within hours, again and again (round-tripping).
  planned.push(() => {
    const g = `ring-${groupSeq++}`;
    const w = schemeWindow();
    const slots = Array.from({ length: randInt(rng, 4, 7) }, (_, i) => slotFor('ring', g, `ring member ${i}`, w.from, w.to));
    slots.forEach(camouflage);
    const feeders = takeVictims(randInt(rng, 2, 6));
    const every = randInt(rng, 1, 3);
    emitters.push({
      emit(day, out) {
        if (day < w.from || day >= w.to || (day - w.from) % every !== 0) return;
        let amount = logNormal(rng, 4000, 0.5);
        let time = at(day, hourAny(rng));
        const start = holder(slots[0]!, day);
        if (start === undefined) return;
        if (feeders.length && rng() < 0.3) tx(out, current(pick(rng, feeders).idx, day), start, amount * 0.3, time - 2 * HOUR, 'transfer');
        for (let i = 0; i < slots.length; i++) {
          const a = holder(slots[i]!, day);
          const b = holder(slots[(i + 1) % slots.length]!, day);
          if (a === undefined || b === undefined) continue;
          tx(out, a, b, amount, time, 'p2p');
          amount *= 0.975 + rng() * 0.02;
          time += (0.5 + rng() * 5) * HOUR;
        }
      },
    });
  });

  // Fan-in: victims pay a collector, who forwards within hours to mules, who cash out.
  planned.push(() => {
    const g = `fanin-${groupSeq++}`;
    const w = schemeWindow();
    const collector = slotFor('fan_in', g, 'collector', w.from, w.to);
    const mules = Array.from({ length: randInt(rng, 2, 4) }, (_, i) => slotFor('fan_in', g, `mule ${i}`, w.from, w.to));
    const cashout = slotFor('fan_in', g, 'cash-out', w.from, w.to);
    [collector, ...mules, cashout].forEach(camouflage);
    const victims = takeVictims(randInt(rng, 12, 35));
    const payDays = victims.map(() => randInt(rng, w.from, w.to - 1));
    emitters.push({
      emit(day, out) {
        const c = holder(collector, day);
        if (c === undefined) return;
        victims.forEach((v, i) => {
          if (payDays[i] !== day) return;
          const amount = logNormal(rng, 900, 0.6);
          let time = at(day, v.hour);
          const payer = current(v.idx, day);
          tx(out, payer, c, amount, time, 'transfer');
          if (rng() < 0.3) tx(out, payer, c, amount * 0.5, time + 24 * HOUR, 'transfer');
          // Forward almost everything within hours, split over mules.
          const m = holder(pick(rng, mules), day);
          const co = holder(cashout, day);
          time += (1 + rng() * 6) * HOUR;
          if (m !== undefined) {
            tx(out, c, m, amount * 0.95, time, 'transfer');
            if (co !== undefined) tx(out, m, co, amount * 0.92, time + (2 + rng() * 20) * HOUR, 'wire');
          }
        });
      },
    });
  });

  // Fan-out: a distributor receives large sums and splits them the same day over many mules.
  planned.push(() => {
    const g = `fanout-${groupSeq++}`;
    const w = schemeWindow();
    const source = slotFor('fan_out', g, 'source', w.from, w.to);
    const distributor = slotFor('fan_out', g, 'distributor', w.from, w.to);
    const mules = Array.from({ length: randInt(rng, 5, 10) }, (_, i) => slotFor('fan_out', g, `mule ${i}`, w.from, w.to));
    const cashouts = Array.from({ length: randInt(rng, 1, 2) }, (_, i) => slotFor('fan_out', g, `cash-out ${i}`, w.from, w.to));
    [source, distributor, ...mules, ...cashouts].forEach(camouflage);
    const feeders = takeVictims(randInt(rng, 3, 8));
    const every = randInt(rng, 3, 7);
    emitters.push({
      emit(day, out) {
        if ((day - w.from) % every !== 0) return;
        const d = holder(distributor, day);
        const s = holder(source, day);
        if (d === undefined || s === undefined) return;
        const total = logNormal(rng, 12000, 0.4);
        let time = at(day, hourAny(rng));
        if (rng() < 0.5) tx(out, current(pick(rng, feeders).idx, day), s, total * 0.4, time - 3 * HOUR, 'transfer');
        tx(out, s, d, total, time, 'wire');
        const parts = mules.map(() => 0.5 + rng());
        const sum = parts.reduce((a, b) => a + b, 0);
        mules.forEach((ms, i) => {
          const m = holder(ms, day);
          if (m === undefined) return;
          const amount = (total * 0.97 * parts[i]!) / sum;
          time += rng() * 2 * HOUR;
          tx(out, d, m, amount, time, 'p2p');
          const co = holder(pick(rng, cashouts), day);
          if (co !== undefined) tx(out, m, co, amount * 0.96, time + (3 + rng() * 30) * HOUR, 'wire');
        });
      },
    });
  });

  // Layering chains: the same money hops A → B → C → … with a small cut at each hop.
  planned.push(() => {
    const g = `layer-${groupSeq++}`;
    const w = schemeWindow();
    const hops = Array.from({ length: randInt(rng, 4, 7) }, (_, i) => slotFor('layering', g, `hop ${i}`, w.from, w.to));
    hops.forEach(camouflage);
    const feeders = takeVictims(randInt(rng, 1, 4));
    const every = randInt(rng, 4, 9);
    emitters.push({
      emit(day, out) {
        if ((day - w.from) % every !== 0) return;
        let amount = logNormal(rng, 7000, 0.5);
        let time = at(day, hourAny(rng));
        const first = holder(hops[0]!, day);
        if (first !== undefined && feeders.length && rng() < 0.5)
          tx(out, current(pick(rng, feeders).idx, day), first, amount, time - 4 * HOUR, 'transfer');
        for (let i = 0; i + 1 < hops.length; i++) {
          const a = holder(hops[i]!, day);
          const b = holder(hops[i + 1]!, day);
          if (a === undefined || b === undefined) break;
          tx(out, a, b, amount, time, i % 2 ? 'wire' : 'transfer');
          amount *= 0.97 + rng() * 0.02;
          time += (1 + rng() * 10) * HOUR;
        }
      },
    });
  });

  for (let k = 0; budget(); k++) planned[k % planned.length]!();

  // Keep a stable order (an emitter's randomness depends on the order they run in).
  const byDay = (d: number): SyntheticTransfer[] => {
    const out: SyntheticTransfer[] = [];
    for (const e of emitters) e.emit(d, out);
    return out.sort((a, b) => a.at - b.at);
  };

  return {
    options: o,
    truth,
    migrations,
    *transfers() {
      for (let d = 0; d < o.days; d++) yield* byDay(d);
    },
  };
}
