// Synthetic world, version 2: the same kind of seeded world as version 1 (world.ts), made to break the
// rules acctnet's detection was tuned on, so that tuning on it carries over to other data.
//
// What it models, and why:
// - Income from outside the graph. About 45% of people get a salary from an employer in the graph;
//   the others are paid from other banks (a monthly transfer from an external "bank" hub account),
//   make cash deposits (from the same kind of hub), or have no visible income at all and only spend.
//   Real bank data sees only its own customers: most money arrives from outside.
// - Fraud accounts of any age. About a quarter of fraud accounts are bought from real people: months of
//   ordinary history (salary, shopping, friends) before they turn; the rest are opened days to weeks
//   before use. "Young account" is a weak signal in practice.
// - Fraud groups that trade with outsiders: every fraud account shops, pays and is paid by family,
//   and a share receive a salary, so schemes are not isolated clusters.
// - Repeat victims (romance and investment scams): some victims pay the same scammer 3–10 times over
//   weeks, in growing amounts. They are victims (lookalike 'repeat_victim'), not fraud.
// - Busy legit pass-through: small businesses that take many customer transfers a day and pay their
//   suppliers within a day or two, and payment agents who collect from many people and forward to a
//   principal less a commission — the legit look-alikes of mules and collectors.
// - Laundering shapes after AMLworld (shapes.ts): fan-in and fan-out around a centre that is an aged,
//   ordinary-looking account, gather-scatter, scatter-gather, stacks (2–3 layers of many-to-many
//   transfers), bipartite sets, cycles of 3..10 hops and random walks; each hop hours later and a few
//   percent smaller (fees), the money entering as cash or transfers from outside and leaving the same
//   way. Laundering accounts keep their ordinary activity.
// - Everything from version 1 stays: rings, scam fan-in with mules, fan-out, layering chains, fraud
//   migrations (a blocked account's successor takes over) and legit ones, and the look-alikes (savings
//   clubs, bill splitting, landlords, charities, payroll).
// - Neutral ids ("A" + seven digits from a shuffled pool) and transfer ids given in time order.
import { logNormal, pick, randInt } from './rng.js';
import { addLookalikes, createPopulation, createScaffold, HOUR, ordinaryLife, type Person } from './population.js';
import { launderAmount, layoutShape, runShape, type Layout, type Shape, type SizeRange } from './shapes.js';
import type { Typology, World, WorldOptions } from './world.js';

const WORLD_SIZES: SizeRange = { fan: [3, 12], cycle: [3, 10], layer: [2, 5], stackLayers: [2, 3], random: [4, 8] };
/** Small worlds (< 8,000 accounts) use smaller groups, so that one of each stays within the fraud share. */
const SMALL_WORLD_SIZES: SizeRange = { fan: [2, 7], cycle: [3, 7], layer: [2, 3], stackLayers: [2, 2], random: [3, 5] };

export function createWorldV2(opts: WorldOptions): World {
  const o: Required<WorldOptions> = {
    version: 2,
    days: 180,
    start: Date.UTC(2026, 0, 1),
    activity: 1,
    currency: 'EUR',
    fraudShare: 0.02,
    ...opts,
  };
  const N = o.accounts;
  const fraudTarget = Math.max(1, Math.round(N * o.fraudShare));
  // Businesses, banks and successors add ≈ 2.2% to the persons; ≈ 60% of fraud accounts are fresh.
  const personCount = Math.max(60, Math.round((N - fraudTarget * 0.6) / 1.022));
  const s = createScaffold(o, N * 1.5 + 2000);
  const sizes = N < 8000 ? SMALL_WORLD_SIZES : WORLD_SIZES;
  const { rng, tx, at, truth } = s;
  const pop = createPopulation(s, personCount);
  addLookalikes(s, pop);
  const banks = pop.banks;

  let fraudCount = 0;
  let groupSeq = 0;
  interface Holder {
    idx: number;
    from: number;
    to: number;
  }
  interface Slot {
    holders: Holder[];
  }
  const holder = (slot: Slot, day: number) => slot.holders.find((h) => day >= h.from && day < h.to)?.idx;
  /** A scheme's days; schemes that may use bought (aged) accounts start after day 70. */
  const window = (aged: boolean) => {
    const earliest = aged && o.days >= 130 ? 70 : 5;
    const from = randInt(rng, earliest, Math.max(earliest, o.days - 50));
    return { from, to: Math.min(o.days, from + randInt(rng, 40, 100)) };
  };

  /** A fraud role played by a chain of accounts (migrations); the first one is bought (aged) or fresh. */
  const slotFor = (typology: Typology, group: string, role: string, w: { from: number; to: number }, agedShare: number): Slot => {
    const bought = w.from >= 65 && rng() < agedShare ? pop.takeFree(rng) : undefined;
    let first: number;
    let opened: number;
    if (bought) {
      first = bought.idx;
      Object.assign(truth[first]!, { kind: 'fraud', fraud: true, typology, group, role, lookalike: null, victim: false });
      // The seller stops using it: their own life on the account ends when the scheme starts.
      bought.to = w.from;
      opened = w.from;
    } else {
      first = s.newAccount('fraud', { typology, group, role });
      opened = Math.max(0, w.from - randInt(rng, 0, 25));
    }
    fraudCount++;
    const slot: Slot = { holders: [{ idx: first, from: w.from, to: w.to }] };
    let cur = slot.holders[0]!;
    let hops = rng() < 0.2 ? (rng() < 0.2 ? 2 : 1) : 0;
    while (hops-- > 0 && cur.to - cur.from > 14) {
      const blockDay = randInt(rng, cur.from + 7, cur.to - 5);
      const next = { idx: s.newAccount('fraud', { typology, group, role }), from: blockDay + randInt(rng, 1, 4), to: cur.to };
      fraudCount++;
      cur.to = blockDay;
      slot.holders.push(next);
      s.migrations.push({ from: truth[cur.idx]!.id, to: truth[next.idx]!.id, kind: 'fraud', day: blockDay });
      cur = next;
    }
    // Ordinary life around the scheme; half the last holders carry on after it ends.
    const last = slot.holders[slot.holders.length - 1]!;
    const carriesOn = rng() < 0.5;
    const first0 = slot.holders[0]!;
    ordinaryLife(
      s,
      pop,
      (day) => (day < w.from ? first0.idx : (holder(slot, day) ?? (day >= last.to && carriesOn && last.to >= w.to ? last.idx : undefined))),
      opened,
      0.6 + rng() * 0.8,
    );
    return slot;
  };

  const victims = (n: number, repeat: boolean): Person[] => {
    const out: Person[] = [];
    for (let i = 0; i < n; i++) {
      const v = pop.takeFree(rng);
      if (!v) break;
      truth[v.idx]!.victim = true;
      truth[v.idx]!.lookalike = repeat ? 'repeat_victim' : null;
      out.push(v);
    }
    return out;
  };

  /** Money entering a scheme from outside: a cash deposit, a transfer from another bank, or a victim. */
  const feed = (to: number, amount: number, time: number, feeders: Person[], day: number) => {
    const x = rng();
    if (feeders.length && x < 0.35) tx(pop.current(pick(rng, feeders).idx, day), to, amount, time, 'transfer');
    else tx(pick(rng, banks), to, amount, time, x < 0.7 ? 'cash' : 'wire');
  };
  /** Money leaving: a cash withdrawal or a transfer to another bank, some hours later. */
  const cashOut = (from: number, amount: number, time: number) => {
    if (rng() < 0.7) tx(from, pick(rng, banks), amount, time + (2 + rng() * 30) * HOUR, rng() < 0.5 ? 'cash' : 'wire');
  };

  /** A group running one shape again and again over its window, each run a few hours to days long. */
  const shapeScheme = (typology: Typology, shape: Shape, every: [number, number], hop: [number, number], shapeSizes: SizeRange = sizes) => {
    const g = `g${groupSeq++}`;
    const layout: Layout = layoutShape(rng, shape, shapeSizes);
    const w = window(rng() < 0.6);
    const slots = layout.roles.map((role, i) => {
      // The centre of a fan is an ordinary-looking, aged account more often than not.
      const centre = (shape === 'fan_in' && i === layout.roles.length - 1) || (shape === 'fan_out' && i === 0);
      return slotFor(typology, g, role, w, centre ? 0.8 : 0.35);
    });
    const feeders = rng() < 0.5 ? victims(randInt(rng, 1, 5), false) : [];
    const gap = randInt(rng, every[0], every[1]);
    const firstLayer = layout.shape === 'random' ? 1 : layout.layers[0]!;
    const lastLayer = layout.shape === 'random' || layout.shape === 'cycle' ? 1 : layout.layers[layout.layers.length - 1]!;
    s.emitters.push({
      emit(day) {
        if (day < w.from || day >= w.to || (day - w.from) % gap !== 0) return;
        const members = slots.map((sl) => holder(sl, day));
        if (members.some((m) => m === undefined)) return;
        const ms = members as number[];
        const amount = launderAmount(rng);
        const t0 = at(day, 7 + rng() * 14);
        for (let i = 0; i < firstLayer; i++) feed(ms[i]!, amount / firstLayer, t0 - (1 + rng() * 5) * HOUR, feeders, day);
        let end = t0;
        runShape(
          {
            rng,
            tx: (a, b, amt, time, ch) => {
              end = Math.max(end, time);
              tx(a, b, amt, time, ch);
            },
          },
          layout,
          ms,
          t0,
          amount,
          hop,
        );
        const sinks = layout.shape === 'cycle' ? [ms[0]!] : ms.slice(ms.length - lastLayer);
        for (const sink of sinks) cashOut(sink, (amount * 0.85) / sinks.length, end);
      },
    });
  };

  // Scam with mules: victims pay a collector (one-off victims and repeat victims who pay for weeks);
  // the collector forwards within hours to mules, who cash out or pass to a cash-out account.
  const scamFanIn = () => {
    const g = `g${groupSeq++}`;
    const w = window(rng() < 0.6);
    const collector = slotFor('fan_in', g, 'collector', w, 0.6);
    const mules = Array.from({ length: randInt(rng, 2, 4) }, (_, i) => slotFor('fan_in', g, `mule ${i}`, w, 0.3));
    const cashout = slotFor('fan_in', g, 'cash-out', w, 0.3);
    const payments = new Map<number, Array<{ v: Person; amount: number }>>();
    const plan = (v: Person, day: number, amount: number) => {
      let list = payments.get(day);
      if (!list) payments.set(day, (list = []));
      list.push({ v, amount });
    };
    for (const v of victims(randInt(rng, 6, 20), false)) {
      const day = randInt(rng, w.from, w.to - 1);
      const amount = logNormal(rng, 900, 0.6);
      plan(v, day, amount);
      if (rng() < 0.3) plan(v, day + 1, amount * 0.5);
    }
    for (const v of victims(randInt(rng, 2, 6), true)) {
      // A romance scam: 3..10 payments, days to two weeks apart, growing.
      const n = randInt(rng, 3, 10);
      const span = w.to - 1 - w.from;
      const gap = Math.max(1, Math.min(randInt(rng, 3, 14), Math.floor(span / n)));
      let day = w.from + randInt(rng, 0, Math.max(0, span - gap * n));
      let amount = logNormal(rng, 300, 0.6);
      for (let i = 0; i < n; i++, day += gap + randInt(rng, 0, 2)) {
        plan(v, Math.min(day, w.to - 1), amount);
        amount *= 1.1 + rng() * 0.4;
      }
    }
    s.emitters.push({
      emit(day) {
        const list = payments.get(day);
        if (!list) return;
        payments.delete(day);
        const c = holder(collector, day);
        if (c === undefined) {
          // The collector is between accounts (blocked, successor not up yet): victims pay later.
          for (const { v, amount } of list) plan(v, day + 1, amount);
          return;
        }
        for (const { v, amount } of list) {
          let time = at(day, v.hour);
          tx(pop.current(v.idx, day), c, amount, time, 'transfer');
          const m = holder(pick(rng, mules), day);
          time += (1 + rng() * 10) * HOUR;
          if (m === undefined) continue;
          tx(c, m, amount * (0.93 + rng() * 0.04), time, pick(rng, ['transfer', 'p2p']));
          const co = holder(cashout, day);
          time += (2 + rng() * 20) * HOUR;
          if (co !== undefined && rng() < 0.6) tx(m, co, amount * 0.9, time, 'wire');
          else cashOut(m, amount * 0.9, time);
        }
      },
    });
  };

  const planned: Array<() => void> = [
    () => shapeScheme('ring', 'cycle', [1, 3], [0.5, 5], { ...sizes, cycle: [4, 7] }),
    scamFanIn,
    () => shapeScheme('fan_out', 'fan_out', [3, 7], [0.5, 6]),
    () => shapeScheme('layering', 'layering', [4, 9], [1, 10]),
    () => shapeScheme('cycle', 'cycle', [5, 15], [2, 20]),
    () => shapeScheme('stack', 'stack', [5, 12], [1, 12]),
    () => shapeScheme('bipartite', 'bipartite', [4, 10], [1, 12]),
    () => shapeScheme('gather_scatter', 'gather_scatter', [5, 12], [2, 16]),
    () => shapeScheme('scatter_gather', 'scatter_gather', [5, 12], [2, 16]),
    () => shapeScheme('random', 'random', [5, 12], [2, 20]),
    () => shapeScheme('fan_in', 'fan_in', [3, 7], [0.5, 6]),
  ];
  // Every shape at least once, then round after round until the fraud share is reached.
  for (let k = 0; k < planned.length || fraudCount < fraudTarget * 0.9; k++) planned[k % planned.length]!();

  return s.world();
}
