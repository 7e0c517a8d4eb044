// Seeded "ordinary payments" generator: people paying their regular contacts and merchants.
// Used by the demo and the ingest benchmark (volume); the fraud generator adds typologies on top.
import { createRng, logNormal, pick, randInt, type Rng } from './rng.js';

export interface SyntheticTransfer {
  txId: string;
  from: string;
  to: string;
  /** Major units, two decimals. */
  amount: string;
  currency: string;
  at: number;
  channel: string;
}

export interface BackgroundOptions {
  seed: number | string;
  accounts: number;
  transactions: number;
  /** First day of activity (epoch ms, UTC midnight). */
  start: number;
  days: number;
  merchantShare?: number;
  idPrefix?: string;
  currency?: string;
}

const DAY = 86_400_000;
const CHANNELS = ['card', 'transfer', 'p2p', 'wire'] as const;

export function accountId(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(7, '0')}`;
}

/** A time inside a day following a waking-hours profile. */
export function timeOfDay(rng: Rng): number {
  const hour = Math.min(23, Math.max(0, Math.round(8 + 14 * rng() + (rng() - 0.5) * 3)));
  return hour * 3_600_000 + randInt(rng, 0, 3_599_999);
}

export function* backgroundTransfers(opts: BackgroundOptions): Generator<SyntheticTransfer> {
  const rng = createRng(opts.seed);
  const prefix = opts.idPrefix ?? 'AC';
  const currency = opts.currency ?? 'EUR';
  const merchants = Math.max(1, Math.round(opts.accounts * (opts.merchantShare ?? 0.01)));
  // Each person has a handful of regular contacts (power-law-ish) and some favourite merchants.
  const contacts: Uint32Array[] = [];
  for (let i = 0; i < opts.accounts; i++) {
    const k = Math.min(40, 2 + Math.floor(2 / Math.max(rng(), 0.05)));
    const list = new Uint32Array(k);
    for (let j = 0; j < k; j++) list[j] = rng() < 0.3 ? randInt(rng, 0, merchants - 1) : randInt(rng, 0, opts.accounts - 1);
    contacts.push(list);
  }
  for (let n = 0; n < opts.transactions; n++) {
    let from = randInt(rng, merchants, opts.accounts - 1);
    const list = contacts[from]!;
    let to = rng() < 0.9 ? list[Math.floor(rng() * list.length)]! : randInt(rng, 0, opts.accounts - 1);
    if (to === from) to = (to + 1) % opts.accounts;
    // Merchants pay out too (refunds, suppliers), rarely.
    if (rng() < 0.02) [from, to] = [randInt(rng, 0, merchants - 1), from];
    // Files arrive in time order, as exports and feeds do: days advance with the row number.
    const day = Math.floor((n * opts.days) / opts.transactions);
    yield {
      txId: `${prefix}T${n}`,
      from: accountId(prefix, from),
      to: accountId(prefix, to),
      amount: Math.max(0.01, logNormal(rng, to < merchants ? 35 : 60, 1.0)).toFixed(2),
      currency,
      at: opts.start + day * DAY + timeOfDay(rng),
      channel: to < merchants ? 'card' : pick(rng, CHANNELS),
    };
  }
}

export function transferCsvHeader(): string {
  return 'tx_id,from_account,to_account,amount,currency,timestamp,channel\n';
}

export function transferCsvLine(t: SyntheticTransfer): string {
  return `${t.txId},${t.from},${t.to},${t.amount},${t.currency},${new Date(t.at).toISOString()},${t.channel}\n`;
}
