// Laundering shapes after IBM's AMLworld (Altman et al. 2023, "Realistic Synthetic Financial
// Transactions for Anti-Money Laundering Models"): fan-out, fan-in, gather-scatter, scatter-gather,
// simple cycle, bipartite, stack and random, plus the plain chain (layering). A shape is a list of
// account layers; money enters the first layer and moves layer to layer, each hop some hours later
// and a little smaller (fees, cuts), so one instance is over within hours to a few days.
import { logNormal, pick, randInt, shuffle, type Rng } from './rng.js';
import { HOUR } from './population.js';

export type Shape = 'fan_in' | 'fan_out' | 'gather_scatter' | 'scatter_gather' | 'cycle' | 'bipartite' | 'stack' | 'random' | 'layering';

export const AML_PATTERNS = ['fan_out', 'fan_in', 'gather_scatter', 'scatter_gather', 'cycle', 'bipartite', 'stack', 'random'] as const;
export type AmlPattern = (typeof AML_PATTERNS)[number];

export interface Layout {
  shape: Shape;
  /** Accounts per layer; the members of a shape are listed layer by layer. */
  layers: number[];
  /** Role of each member, in member order. */
  roles: string[];
}

export interface SizeRange {
  fan: [number, number];
  cycle: [number, number];
  layer: [number, number];
  stackLayers: [number, number];
  random: [number, number];
}

/** AMLworld's sizes: fan degree 2..20 (mostly small), cycles 2..10 hops, stacks of 2..3 transfer layers. */
export const AML_SIZES: SizeRange = { fan: [2, 20], cycle: [2, 10], layer: [2, 6], stackLayers: [2, 3], random: [3, 10] };

const skewed = (rng: Rng, [lo, hi]: [number, number]) => lo + Math.floor((hi - lo + 1) * rng() ** 1.6);

export function layoutShape(rng: Rng, shape: Shape, sizes: SizeRange = AML_SIZES): Layout {
  const fan = () => skewed(rng, sizes.fan);
  const layer = () => randInt(rng, sizes.layer[0], sizes.layer[1]);
  let layers: number[];
  switch (shape) {
    case 'fan_out':
      layers = [1, Math.max(2, fan())];
      break;
    case 'fan_in':
      layers = [Math.max(2, fan()), 1];
      break;
    case 'gather_scatter':
      layers = [Math.max(2, fan()), 1, Math.max(2, fan())];
      break;
    case 'scatter_gather':
      layers = [1, Math.max(2, fan()), 1];
      break;
    case 'bipartite':
      layers = [layer(), layer()];
      break;
    case 'stack':
      layers = Array.from({ length: randInt(rng, sizes.stackLayers[0], sizes.stackLayers[1]) + 1 }, layer);
      break;
    case 'cycle':
      layers = Array.from({ length: randInt(rng, sizes.cycle[0], sizes.cycle[1]) }, () => 1);
      break;
    case 'layering':
      layers = Array.from({ length: randInt(rng, 4, 7) }, () => 1);
      break;
    case 'random':
      layers = [randInt(rng, sizes.random[0], sizes.random[1])];
      break;
  }
  const roles: string[] = [];
  layers.forEach((n, l) => {
    for (let i = 0; i < n; i++) roles.push(roleName(shape, layers, l, i));
  });
  return { shape, layers, roles };
}

function roleName(shape: Shape, layers: number[], l: number, i: number): string {
  if (shape === 'cycle' || shape === 'layering') return `hop ${l}`;
  if (shape === 'random') return `member ${i}`;
  if (layers[l] === 1 && layers.length > 1) return l === 0 ? 'source' : l === layers.length - 1 ? 'sink' : 'centre';
  if (shape === 'fan_out' || (shape === 'gather_scatter' && l === 2) || (shape === 'scatter_gather' && l === 1)) return `target ${i}`;
  if (shape === 'fan_in' || (shape === 'gather_scatter' && l === 0)) return `source ${i}`;
  return `layer ${l} member ${i}`;
}

export interface Flow {
  rng: Rng;
  tx(from: number, to: number, amount: number, time: number, channel: string): void;
}

const CHANNELS = ['transfer', 'transfer', 'p2p', 'wire'] as const;

/**
 * One instance of a shape over `members` (account indexes in layout order), starting at `t0` with
 * `amount` entering the first layer. Hops are `hop` hours apart on average; each hop keeps 95–99%.
 */
export function runShape(f: Flow, layout: Layout, members: number[], t0: number, amount: number, hop: [number, number] = [1, 14]): void {
  const { rng } = f;
  const fee = () => 0.95 + rng() * 0.04;
  const delay = () => (hop[0] + rng() * (hop[1] - hop[0])) * HOUR;
  const channel = () => pick(rng, CHANNELS);
  if (layout.shape === 'random') {
    // A random walk of the money among the members, as AMLworld's "random" pattern.
    let at = members[0]!;
    let amt = amount;
    let time = t0;
    const steps = randInt(rng, members.length, members.length * 2);
    for (let s = 0; s < steps; s++) {
      let next = pick(rng, members);
      if (next === at) next = members[(members.indexOf(at) + 1) % members.length]!;
      f.tx(at, next, amt, time, channel());
      at = next;
      amt *= fee();
      time += delay();
    }
    return;
  }
  const groups: number[][] = [];
  let k = 0;
  for (const n of layout.layers) groups.push(members.slice(k, (k += n)));
  // Holdings of the current layer; the first layer starts with the amount split unevenly.
  let held = splitUneven(rng, amount, groups[0]!.length);
  let time = t0;
  for (let l = 0; l + 1 < groups.length; l++) {
    const senders = groups[l]!;
    const receivers = groups[l + 1]!;
    const next = receivers.map(() => 0);
    // A layer's transfers spread over some hours; the next layer pays only after all of them.
    let last = time;
    const send = (from: number, to: number, amount: number) => {
      const at = time + rng() * delay();
      last = Math.max(last, at);
      f.tx(from, to, amount, at, channel());
    };
    senders.forEach((from, i) => {
      // Each sender pays some of the next layer (all of it for a fan, a dense subset for stacks and
      // bipartite sets); every receiver gets something from someone.
      const targets = receivers.length === 1 || senders.length === 1 ? receivers.map((_, j) => j) : denseSubset(rng, receivers.length);
      const parts = splitUneven(rng, held[i]! * fee(), targets.length);
      targets.forEach((j, n) => {
        next[j]! += parts[n]!;
        send(from, receivers[j]!, parts[n]!);
      });
    });
    for (let j = 0; j < receivers.length; j++) {
      if (next[j] === 0) {
        const from = pick(rng, senders);
        const part = (held[senders.indexOf(from)]! * fee()) / (receivers.length + 1);
        next[j] = part;
        send(from, receivers[j]!, part);
      }
    }
    held = next;
    time = last + delay() * 0.5;
  }
  if (layout.shape === 'cycle' && members.length > 1) f.tx(members[members.length - 1]!, members[0]!, held[0]! * fee(), time, channel());
}

function splitUneven(rng: Rng, total: number, n: number): number[] {
  const w = Array.from({ length: n }, () => 0.5 + rng());
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => (total * x) / sum);
}

function denseSubset(rng: Rng, n: number): number[] {
  const all = shuffle(
    rng,
    Array.from({ length: n }, (_, i) => i),
  );
  return all.slice(0, Math.max(1, Math.round(n * (0.5 + rng() * 0.5))));
}

/** A laundering amount: mostly thousands, a long tail up. */
export const launderAmount = (rng: Rng) => logNormal(rng, 6000, 0.8);
