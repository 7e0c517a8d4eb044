// A pattern world after IBM's AMLworld (Altman et al. 2023, "Realistic Synthetic Financial
// Transactions for Anti-Money Laundering Models"): an ordinary payment world (version 2's people,
// businesses, banks and legit look-alikes, population.ts) into which laundering patterns are injected.
//
// As in AMLworld:
// - the patterns are fan-out, fan-in, gather-scatter, scatter-gather, simple cycle, bipartite, stack
//   and random (shapes.ts); fan degree 2..20 (mostly small), cycles 2..10 hops, stacks of 2–3
//   layers, bipartite sets of 2..6, random walks over 3..10 accounts;
// - a pattern launders through existing accounts: most of its accounts are drawn from the background
//   (people with salaries, shopping and friends, who keep all of that), some are fresh;
// - a pattern happens once, within hours to a few days, each hop a few percent smaller (fees);
// - every account of a pattern is labelled laundering (truth: fraud, typology = the pattern's name,
//   group = the pattern); accounts that only sent money to or received money from a pattern are not.
// There are no fraud migrations; legit account moves come with the look-alikes.
import { randInt } from './rng.js';
import { addLookalikes, createPopulation, createScaffold, ordinaryLife } from './population.js';
import { AML_PATTERNS, AML_SIZES, launderAmount, layoutShape, runShape, type AmlPattern } from './shapes.js';
import type { World, WorldOptions } from './world.js';

export { AML_PATTERNS, type AmlPattern };

export interface PatternWorldOptions extends WorldOptions {
  /**
   * Patterns injected per kind. By default, rounds of one pattern of each kind until ≈ fraudShare of
   * the accounts are in patterns (at least one round); the options then record the rounds made.
   */
  patternsPerKind?: number;
  /** Share of a pattern's accounts opened for it; the rest are existing background accounts. */
  freshShare?: number;
  /** Legit look-alikes in the background (landlords, clubs, small businesses, agents, moves). */
  lookalikes?: boolean;
}

/** Mean accounts per pattern with AML_SIZES, for the default number of patterns. */
const MEAN_PATTERN_ACCOUNTS = 10.5;

export function createPatternWorld(opts: PatternWorldOptions): World {
  const fraudShare = opts.fraudShare ?? 0.02;
  const o: Required<PatternWorldOptions> = {
    days: 180,
    start: Date.UTC(2026, 0, 1),
    activity: 1,
    currency: 'EUR',
    freshShare: 0.2,
    lookalikes: true,
    ...opts,
    fraudShare,
    version: 2,
    patternsPerKind:
      opts.patternsPerKind ?? Math.max(1, Math.round((opts.accounts * fraudShare) / (AML_PATTERNS.length * MEAN_PATTERN_ACCOUNTS))),
  };
  const N = o.accounts;
  const fresh = o.patternsPerKind * AML_PATTERNS.length * MEAN_PATTERN_ACCOUNTS * o.freshShare;
  const personCount = Math.max(60, Math.round((N - fresh) / (o.lookalikes ? 1.022 : 1.014)));
  const s = createScaffold(o, N * 1.5 + fresh * 3 + 2000);
  const { rng, truth } = s;
  const pop = createPopulation(s, personCount);
  if (o.lookalikes) addLookalikes(s, pop);

  const kinds = AML_PATTERNS.length;
  const byShare = opts.patternsPerKind === undefined;
  const target = N * o.fraudShare;
  let fraud = 0;
  let seq = 0;
  for (; byShare ? seq < kinds || fraud < target : seq < o.patternsPerKind * kinds; seq++) {
    const pattern = AML_PATTERNS[seq % kinds]!;
    const group = `p${seq}`;
    const layout = layoutShape(rng, pattern, AML_SIZES);
    const day = randInt(rng, 3, Math.max(3, o.days - 8));
    const members = layout.roles.map((role) => {
      const existing = rng() < o.freshShare ? undefined : pop.takeFree(rng);
      if (existing) {
        Object.assign(truth[existing.idx]!, {
          kind: 'fraud',
          fraud: true,
          typology: pattern,
          group,
          role,
          lookalike: null,
          victim: false,
        });
        return existing.idx;
      }
      const idx = s.newAccount('fraud', { typology: pattern, group, role });
      // Fresh accounts are opened days to weeks before; most get some ordinary use too.
      const opened = Math.max(0, day - randInt(rng, 1, 30));
      if (rng() < 0.7) ordinaryLife(s, pop, () => idx, opened, 0.3 + rng() * 0.7);
      return idx;
    });
    fraud += members.length;
    const amount = launderAmount(rng);
    // Hops 0.5..14 hours apart, shorter for long patterns: every pattern is over within ≈ 4 days.
    const hops = pattern === 'random' ? 2 * members.length : layout.layers.length;
    const hop: [number, number] = [0.5, Math.min(14, 72 / hops)];
    s.emitters.push({
      emit(d) {
        if (d === day) runShape({ rng, tx: s.tx }, layout, members, s.at(d, 6 + rng() * 14), amount, hop);
      },
    });
  }
  o.patternsPerKind = Math.ceil(seq / kinds);
  return s.world();
}
