// The version-2 background economy shared by world-v2.ts and aml-patterns.ts: people, businesses,
// external banks, their ordinary payments and the legit look-alikes of fraud. See world-v2.ts for
// what each phenomenon models and why.
import { createRng, logNormal, pick, randInt, shuffle, type Rng } from './rng.js';
import type { SyntheticTransfer } from './background.js';
import type { AccountKind, Emitter, TruthAccount, TruthMigration, World, WorldOptions } from './world.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** A transfer before it has an id: account indexes, amount as a number. */
interface Pending {
  from: number;
  to: number;
  amount: number;
  at: number;
  channel: string;
}

/**
 * Accounts, truth and a day-bucketed transfer queue. Emitters may schedule transfers on later days
 * (a pattern spans days); transfer ids are given in time order when a day is produced, so neither the
 * id nor the order in a day tells which part of the generator made a transfer.
 */
export interface Scaffold<O extends Required<WorldOptions> = Required<WorldOptions>> {
  o: O;
  rng: Rng;
  truth: TruthAccount[];
  migrations: TruthMigration[];
  emitters: Emitter[];
  newAccount(kind: AccountKind, extra?: Partial<TruthAccount>): number;
  /** Schedules a transfer at `time` (ms); dropped when it falls after the last day. */
  tx(from: number, to: number, amount: number, time: number, channel: string): void;
  /** A time on `day` around `hour` (clamped to the day), plus up to a minute. */
  at(day: number, hour: number): number;
  /** The day being produced (transfers before it are moved to its start). */
  today(): number;
  world(): World;
}

export function createScaffold<O extends Required<WorldOptions>>(o: O, idCapacity: number): Scaffold<O> {
  const rng = createRng(o.seed);
  // Neutral ids: "A" and seven digits from a shuffled pool, so neither the number nor its position in
  // creation order (businesses first, fraud last) says anything about the account.
  const pool = shuffle(
    rng,
    Array.from({ length: Math.ceil(idCapacity) }, (_, i) => i),
  );
  const width = Math.max(7, String(pool.length).length);
  let nextId = 0;
  const truth: TruthAccount[] = [];
  const buckets = new Map<number, Pending[]>();
  let current = 0;
  const s: Scaffold<O> = {
    o,
    rng,
    truth,
    migrations: [],
    emitters: [],
    newAccount(kind, extra = {}) {
      if (nextId >= pool.length) throw new Error('synthetic world: account id pool exhausted');
      const idx = truth.length;
      truth.push({
        id: `A${String(pool[nextId++]).padStart(width, '0')}`,
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
    },
    tx(from, to, amount, time, channel) {
      if (from === to) return;
      let day = Math.floor((time - o.start) / DAY);
      if (day >= o.days) return;
      if (day < current) {
        day = current;
        time = o.start + current * DAY + randInt(rng, 0, 59_999);
      }
      let list = buckets.get(day);
      if (!list) buckets.set(day, (list = []));
      list.push({ from, to, amount, at: Math.round(time), channel });
    },
    at(day, hour) {
      return o.start + day * DAY + Math.floor(Math.min(23.99, Math.max(0, hour)) * HOUR) + randInt(rng, 0, 59_999);
    },
    today: () => current,
    world() {
      let seq = 0;
      return {
        options: o,
        truth,
        migrations: s.migrations,
        *transfers() {
          for (let d = 0; d < o.days; d++) {
            current = d;
            for (const e of s.emitters) e.emit(d, []);
            const list = (buckets.get(d) ?? []).sort((a, b) => a.at - b.at);
            buckets.delete(d);
            for (const p of list) {
              const t: SyntheticTransfer = {
                txId: `T${String(seq++).padStart(9, '0')}`,
                from: truth[p.from]!.id,
                to: truth[p.to]!.id,
                amount: Math.max(0.01, p.amount).toFixed(2),
                currency: o.currency,
                at: p.at,
                channel: p.channel,
              };
              yield t;
            }
          }
        },
      };
    },
  };
  return s;
}

export type Income = 'payroll' | 'external' | 'cash' | 'none';

export interface Person {
  idx: number;
  from: number;
  to: number;
  friends: number[];
  merchants: number[];
  rate: number;
  hour: number;
  income: Income;
  /** Monthly bill payee (utility, phone), or -1. */
  bill: number;
}

export interface Population {
  persons: Person[];
  personByIdx: Map<number, Person>;
  merchants: number[];
  suppliers: number[];
  employers: number[];
  charities: number[];
  banks: number[];
  pickMerchant(r: Rng): number;
  activeOn(p: Person, day: number): boolean;
  /** Where a person who moved accounts is reached on `day`. */
  current(idx: number, day: number): number;
  movedTo: Map<number, { to: number; day: number }>;
  /** Persons reserved for a role (look-alike, victim, fraud): not given another. */
  taken: Set<number>;
  /** People nobody in the graph pays (no visible income, only spending). */
  spendOnly: Set<number>;
  /** A random person living from day 0 to the end, not yet taken (or undefined). */
  takeFree(r: Rng, filter?: (p: Person) => boolean): Person | undefined;
}

/**
 * People and businesses and their ordinary payments. `persons` ≈ the number of person accounts;
 * businesses and banks come on top (≈ 1.5% of it).
 */
export function createPopulation(s: Scaffold, persons: number): Population {
  const { o, rng, tx, at, newAccount } = s;
  const N = persons;
  const merchants = Array.from({ length: Math.max(5, Math.round(N * 0.008)) }, () => newAccount('merchant'));
  const employers = Array.from({ length: Math.max(3, Math.round(N * 0.003)) }, () => newAccount('employer'));
  const charities = Array.from({ length: Math.max(2, Math.round(N * 0.0005)) }, () => newAccount('charity', { lookalike: 'charity' }));
  const suppliers = Array.from({ length: Math.max(3, Math.round(N * 0.002)) }, () => newAccount('merchant'));
  const banks = Array.from({ length: Math.max(2, Math.round(N * 0.0002)) }, () => newAccount('bank'));
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
  const utilities = merchants.slice(0, Math.max(2, Math.ceil(merchants.length / 10)));

  const people: Person[] = [];
  for (let i = 0; i < N; i++) {
    const idx = newAccount('person');
    const late = rng() < 0.12;
    const churn = rng() < 0.05;
    const from = late ? randInt(rng, 5, o.days - 20) : 0;
    const to = churn ? randInt(rng, Math.min(o.days, from + 10), o.days) : o.days;
    const x = rng();
    // Income: a salary from an employer in the graph, a salary from outside (another bank), cash
    // deposits, or nothing visible at all (pensions, savings, a partner's account elsewhere).
    const income: Income = x < 0.45 ? 'payroll' : x < 0.68 ? 'external' : x < 0.8 ? 'cash' : 'none';
    people.push({
      idx,
      from,
      to,
      friends: [],
      merchants: [],
      rate: logNormal(rng, 1, 0.5),
      hour: 8 + rng() * 13,
      income,
      bill: rng() < 0.6 ? pick(rng, utilities) : -1,
    });
  }
  const personByIdx = new Map(people.map((p) => [p.idx, p]));
  for (const p of people) {
    const k = randInt(rng, 2, 10);
    for (let j = 0; j < k; j++) {
      const f = pick(rng, people);
      if (f.idx !== p.idx && !p.friends.includes(f.idx)) {
        p.friends.push(f.idx);
        if (f.friends.length < 14) f.friends.push(p.idx);
      }
    }
    const m = randInt(rng, 4, 12);
    for (let j = 0; j < m; j++) p.merchants.push(pickMerchant(rng));
  }
  // Half the people with no visible income only spend: nobody in the graph pays them (money
  // appears on the account from nowhere the graph can see).
  const spendOnly = new Set(people.filter((p) => p.income === 'none' && rng() < 0.5).map((p) => p.idx));
  for (const p of people) p.friends = p.friends.filter((f) => !spendOnly.has(f));
  const activeOn = (p: Person, day: number) => day >= p.from && day < p.to;
  const movedTo = new Map<number, { to: number; day: number }>();
  const current = (idx: number, day: number): number => {
    let cur = idx;
    for (let m = movedTo.get(cur); m && day >= m.day; m = movedTo.get(cur)) cur = m.to;
    return cur;
  };
  const taken = new Set<number>();
  const takeFree = (r: Rng, filter?: (p: Person) => boolean): Person | undefined => {
    for (let tries = 0; tries < 200; tries++) {
      const p = pick(r, people);
      if (taken.has(p.idx) || spendOnly.has(p.idx) || p.from !== 0 || p.to !== o.days || movedTo.has(p.idx) || (filter && !filter(p)))
        continue;
      taken.add(p.idx);
      return p;
    }
    return undefined;
  };

  // Ordinary life: card payments, friends, bills, donations, and money leaving for other banks.
  s.emitters.push({
    emit(day) {
      const dom = day % 30;
      for (const p of people) {
        if (!activeOn(p, day)) continue;
        const r = o.activity * p.rate;
        if (rng() < 0.16 * r) tx(p.idx, pick(rng, p.merchants), logNormal(rng, 32, 0.9), at(day, p.hour + (rng() - 0.5) * 6), 'card');
        if (p.friends.length && rng() < 0.035 * r)
          tx(p.idx, current(pick(rng, p.friends), day), logNormal(rng, 45, 0.8), at(day, p.hour + (rng() - 0.5) * 6), 'p2p');
        if (rng() < 0.004 * r) tx(p.idx, pick(rng, charities), logNormal(rng, 20, 0.6), at(day, p.hour), 'card');
        if (p.bill >= 0 && dom === p.idx % 28) tx(p.idx, p.bill, logNormal(rng, 70, 0.4), at(day, 3 + rng()), 'transfer');
        if (rng() < 0.006 * r) tx(p.idx, pick(rng, banks), logNormal(rng, 300, 0.9), at(day, p.hour), 'transfer');
        // Income from outside the graph: a monthly salary from another bank, or cash deposits.
        if (p.income === 'external' && dom === (p.idx * 7) % 28)
          tx(banks[p.idx % banks.length]!, p.idx, logNormal(rng, 2200, 0.4), at(day, 5 + rng() * 3), 'transfer');
        if (p.income === 'cash' && rng() < 0.08) tx(banks[0]!, p.idx, logNormal(rng, 400, 0.7), at(day, p.hour), 'cash');
      }
    },
  });

  // Payroll: employers pay their employees monthly.
  const payroll = new Map<number, Array<{ person: number; salary: number }>>();
  for (const e of employers) payroll.set(e, []);
  const employerWeights = employers.map(() => logNormal(rng, 1, 1.1));
  const employerTotal = employerWeights.reduce((a, b) => a + b, 0);
  for (const p of people) {
    if (p.income !== 'payroll') continue;
    let x = rng() * employerTotal;
    let e = employers[0]!;
    for (let i = 0; i < employers.length; i++) {
      x -= employerWeights[i]!;
      if (x <= 0) {
        e = employers[i]!;
        break;
      }
    }
    payroll.get(e)!.push({ person: p.idx, salary: logNormal(rng, 2400, 0.35) });
  }
  for (const [e, staff] of payroll) if (staff.length >= 5) s.truth[e]!.lookalike = 'payroll';
  s.emitters.push({
    emit(day) {
      const dom = day % 30;
      employers.forEach((e, i) => {
        if (dom !== (i * 7) % 28) return;
        for (const { person, salary } of payroll.get(e)!) {
          const p = personByIdx.get(person)!;
          if (activeOn(p, day)) tx(e, current(person, day), salary * (0.98 + rng() * 0.04), at(day, 6 + rng()), 'transfer');
        }
      });
      if (day % 7 === 3) {
        for (const m of [...merchants, ...employers, ...charities]) {
          if (rng() < 0.7) tx(m, pick(rng, suppliers), logNormal(rng, 1500, 0.8), at(day, 10 + rng() * 6), 'wire');
        }
        for (const sp of suppliers) if (rng() < 0.5) tx(sp, pick(rng, employers), logNormal(rng, 4000, 0.7), at(day, 11), 'wire');
        for (const e of employers) tx(pick(rng, merchants), e, logNormal(rng, 8000, 0.5), at(day, 12), 'wire');
        // Card takings settle out to the merchants' other banks.
        for (const m of merchants) if (rng() < 0.3) tx(m, pick(rng, banks), logNormal(rng, 5000, 0.8), at(day, 14), 'wire');
      }
    },
  });

  return {
    persons: people,
    personByIdx,
    merchants,
    suppliers,
    employers,
    charities,
    banks,
    pickMerchant,
    activeOn,
    current,
    movedTo,
    taken,
    spendOnly,
    takeFree,
  };
}

/** The legit look-alikes of fraud, v1's and v2's, on top of a population. */
export function addLookalikes(s: Scaffold, pop: Population): void {
  const { o, rng, tx, at, truth } = s;
  const { persons, activeOn, current, takeFree, suppliers, banks, employers, merchants } = pop;
  const P = persons.length;
  const free = (n: number) => {
    const out: Person[] = [];
    for (let i = 0; i < n; i++) {
      const p = takeFree(rng);
      if (p) out.push(p);
    }
    return out;
  };

  // Landlords (legit fan-in): rent from 3-12 tenants every month.
  for (const l of free(Math.max(3, Math.round(P * 0.004)))) {
    truth[l.idx]!.lookalike = 'landlord';
    const tenants = Array.from({ length: randInt(rng, 3, 12) }, () => pick(rng, persons)).filter((t) => t.idx !== l.idx);
    const rent = tenants.map(() => logNormal(rng, 850, 0.25));
    const dueDay = randInt(rng, 0, 4);
    s.emitters.push({
      emit(day) {
        if (day % 30 !== dueDay) return;
        tenants.forEach((t, i) => {
          if (activeOn(t, day)) tx(t.idx, current(l.idx, day), rent[i]!, at(day + randInt(rng, 0, 2), t.hour), 'transfer');
        });
      },
    });
  }

  // Savings clubs (legit rings): each month every member pays the member whose turn it is.
  for (let g = 0; g < Math.max(2, Math.round(P / 1200)); g++) {
    const members = free(randInt(rng, 5, 9));
    members.forEach((m) => (truth[m.idx]!.lookalike = 'savings_club'));
    const contribution = Math.round(logNormal(rng, 150, 0.4));
    const payDay = randInt(rng, 0, 27);
    s.emitters.push({
      emit(day) {
        if (day % 30 !== payDay || members.length < 2) return;
        const recipient = members[Math.floor(day / 30) % members.length]!;
        for (const m of members) if (m !== recipient) tx(m.idx, recipient.idx, contribution, at(day, m.hour), 'p2p');
      },
    });
  }

  // Bill splitting (legit small cliques).
  for (let g = 0; g < Math.max(3, Math.round(P / 400)); g++) {
    const members = shuffle(rng, [...persons]).slice(0, randInt(rng, 3, 6));
    members.forEach((m) => (truth[m.idx]!.lookalike ??= 'bill_split'));
    s.emitters.push({
      emit(day) {
        if (rng() > 0.06) return;
        const payer = pick(rng, members);
        if (pop.spendOnly.has(payer.idx)) return;
        const share = logNormal(rng, 30, 0.5);
        for (const m of members)
          if (m !== payer && activeOn(m, day)) tx(m.idx, current(payer.idx, day), share, at(day, m.hour + 1 + rng() * 3), 'p2p');
      },
    });
  }

  const receivers = persons.filter((p) => !pop.spendOnly.has(p.idx));
  // Busy small businesses (legit pass-through, the mule look-alike): a shop owner's account receives
  // many customer transfers every day and pays suppliers within a day or two, most of what came in.
  for (let b = 0; b < Math.max(2, Math.round(P * 0.002)); b++) {
    const shop = s.newAccount('merchant', { lookalike: 'small_business' });
    const customers = Array.from({ length: randInt(rng, 15, 60) }, () => pick(rng, persons));
    const vendors = Array.from({ length: randInt(rng, 2, 4) }, () => (rng() < 0.6 ? pick(rng, suppliers) : pick(rng, receivers).idx));
    const owner = pick(rng, receivers).idx;
    const visit = 0.03 + rng() * 0.07;
    const ticket = logNormal(rng, 60, 0.5);
    const keep = 0.1 + rng() * 0.2;
    let takings = 0;
    let lastPay = 0;
    s.emitters.push({
      emit(day) {
        for (const c of customers) {
          if (!activeOn(c, day) || rng() > visit) continue;
          const amount = logNormal(rng, ticket, 0.6);
          takings += amount;
          tx(current(c.idx, day), shop, amount, at(day, c.hour), rng() < 0.6 ? 'p2p' : 'transfer');
        }
        if (takings > 0 && day - lastPay >= randInt(rng, 1, 2)) {
          const out = takings * (1 - keep);
          const n = randInt(rng, 1, vendors.length);
          for (let i = 0; i < n; i++) tx(shop, vendors[i]!, out / n, at(day + 1, 9 + rng() * 8), rng() < 0.5 ? 'wire' : 'transfer');
          lastPay = day;
          takings = 0;
        }
        if (day % 30 === 27) tx(shop, owner, logNormal(rng, 1800, 0.3), at(day, 18), 'transfer');
      },
    });
  }

  // Payment agents (legit collectors): a person collects money from many people for a principal
  // (remittances home, a club's fees, a landlord's building) and forwards it, less a small
  // commission, within a day.
  for (const agent of free(Math.max(2, Math.round(P * 0.001)))) {
    truth[agent.idx]!.lookalike = 'payment_agent';
    const clients = Array.from({ length: randInt(rng, 10, 40) }, () => pick(rng, persons));
    const principal = rng() < 0.5 ? pick(rng, banks) : rng() < 0.5 ? pick(rng, employers) : pick(rng, merchants);
    const weekday = randInt(rng, 0, 6);
    const commission = 0.01 + rng() * 0.02;
    let held = 0;
    s.emitters.push({
      emit(day) {
        if (day % 7 === weekday || day % 7 === (weekday + 1) % 7) {
          for (const c of clients) {
            if (!activeOn(c, day) || rng() > 0.35) continue;
            const amount = logNormal(rng, 120, 0.7);
            held += amount;
            tx(current(c.idx, day), agent.idx, amount, at(day, c.hour), 'p2p');
          }
        }
        if (day % 7 === (weekday + 2) % 7 && held > 0) {
          tx(agent.idx, principal, held * (1 - commission), at(day, 9 + rng() * 4), 'transfer');
          held = 0;
        }
      },
    });
  }

  // Legit account moves: a person opens a new account, moves the balance, and lives on there.
  for (const p of free(Math.max(2, Math.round(P * 0.004)))) {
    const day = randInt(rng, 40, Math.max(41, o.days - 30));
    const successor = s.newAccount('person');
    const next: Person = { ...p, idx: successor, from: day, to: o.days };
    p.to = day;
    persons.push(next);
    pop.personByIdx.set(successor, next);
    pop.movedTo.set(p.idx, { to: successor, day });
    s.migrations.push({ from: truth[p.idx]!.id, to: truth[successor]!.id, kind: 'legit', day });
    const balance = logNormal(rng, 3000, 0.6);
    s.emitters.push({
      emit(d) {
        if (d === day) tx(p.idx, successor, balance, at(d, p.hour), 'transfer');
        if (d === day + 1 && rng() < 0.5) tx(p.idx, successor, balance * 0.1, at(d, p.hour), 'transfer');
      },
    });
  }
}

/**
 * Ordinary life for an account in a fraud scheme (or a fresh laundering account): shops, family and
 * friends both ways, sometimes a salary; from day `from`, as `idx(day)` (undefined: quiet that day).
 */
export function ordinaryLife(s: Scaffold, pop: Population, idx: (day: number) => number | undefined, from: number, intensity = 1): void {
  const { rng, tx, at } = s;
  const family = Array.from({ length: randInt(rng, 1, 4) }, () => pick(rng, pop.persons).idx).filter((f) => !pop.spendOnly.has(f));
  const shops = Array.from({ length: randInt(rng, 3, 8) }, () => pop.pickMerchant(rng));
  const hour = 8 + rng() * 13;
  const x = rng();
  const rate = intensity * s.o.activity;
  const salaryFrom = x < 0.25 ? pick(rng, pop.employers) : x < 0.45 ? pick(rng, pop.banks) : -1;
  const salary = logNormal(rng, 2000, 0.4);
  const payDay = randInt(rng, 0, 27);
  s.emitters.push({
    emit(day) {
      if (day < from) return;
      const h = idx(day);
      if (h === undefined) return;
      if (rng() < 0.14 * rate) tx(h, pick(rng, shops), logNormal(rng, 35, 0.9), at(day, hour + (rng() - 0.5) * 6), 'card');
      if (family.length && rng() < 0.03 * rate)
        tx(h, pop.current(pick(rng, family), day), logNormal(rng, 80, 0.8), at(day, hour + (rng() - 0.5) * 4), 'p2p');
      if (family.length && rng() < 0.015 * rate)
        tx(pop.current(pick(rng, family), day), h, logNormal(rng, 60, 0.8), at(day, hour + (rng() - 0.5) * 4), 'p2p');
      if (salaryFrom >= 0 && day % 30 === payDay) tx(salaryFrom, h, salary * (0.98 + rng() * 0.04), at(day, 6 + rng()), 'transfer');
    },
  });
}
