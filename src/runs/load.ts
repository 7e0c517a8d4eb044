// The load of a recompute: the accounts (internal id → account id, first-seen time) and the window's
// transfers, streamed into the FlowAggregator, in ONE read transaction.
//
// Consistency. Neo4j isolates reads at read-committed: an account created by an ingest that commits
// between the accounts read and the transfers read (a back-dated import, a run with --as-of) is not
// in the first read but its transfers are in the second. Such transfers are held back, their
// accounts looked up by internal id in the same transaction afterwards, and then aggregated like any
// other; a transfer whose account cannot be found any more (deleted in the meantime) is left out
// and counted. No transfer is ever aggregated under an unknown account: an `undefined` id would
// merge every such account into one node and reach the gateways as an entry without an id.
//
// Cost: two plans (cypher/analysis/load-transfers-*.cypher), chosen per run from the count store and
// the TRANSFER(at) range index (cypher/analysis/transfers-outside.cypher):
// - `indexed`: a range seek on TRANSFER(at), aggregated per sending account, one query per slice of
//   the window (Neo4j never holds more than one slice's lists) — the cost follows the window;
// - `expand`: every account's outgoing transfers, filtered by time, streamed per account — the cost
//   follows everything stored, but per transfer it is about half the indexed plan's (measured at 1M:
//   the seek itself is cheap, Neo4j's aggregation of the lists is not).
// The indexed plan is taken when at least half of the stored transfers lie outside the window
// (retention keeps more than the window, or --as-of looks back); otherwise walking everything costs
// less than seeking the window. Both return one record per sending account with parallel lists of
// internal ids and values (the driver's cost is per record and per string).
import type { Driver } from 'neo4j-driver';
import type { FlowAggregator } from '../analysis/flows.js';
import type { Config } from '../config/index.js';
import { int } from '../neo4j/convert.js';
import { cypher } from '../neo4j/cypher.js';
import { sessionConfig } from '../neo4j/driver.js';

export interface LoadResult {
  /** Account id → Account.firstSeenAt. */
  firstSeen: Map<string, number>;
  accountsLoaded: number;
  transfersLoaded: number;
  /** Accounts met in the transfers but not in the accounts read (created in between), looked up afterwards. */
  lateAccounts: number;
  /** Transfers left out because an account of theirs could not be found at all (deleted meanwhile). */
  unresolved: number;
  /** Transfers left out per currency without a rate to the base currency. */
  skipped: Map<string, number>;
  /** The plan the transfers were read with (see the header). */
  plan: LoadPlan;
}

export type LoadPlan = 'indexed' | 'expand';

export interface LoadOptions {
  /** Minor units of a currency → major units of the base currency, or null without a rate. */
  toBase: (minor: number, currency: string) => number | null;
  /** Called after the accounts are read and every 200,000 transfers. */
  progress?: (accountsLoaded: number, transfersLoaded: number) => void;
  /** Called between the accounts read and the transfers read (tests write there: the mid-load account). */
  afterAccounts?: () => Promise<void>;
  /** Forces a plan instead of choosing one (tests). */
  plan?: LoadPlan;
}

/** Width of one slice of the window read by one query of the indexed plan (see the header). */
export const LOAD_SLICE_MS = 60 * 86_400_000;

/** The indexed plan when at least this share of the stored transfers lies outside the window. */
export const INDEXED_MIN_OUTSIDE_SHARE = 0.5;

interface Pending {
  from: number;
  to: number;
  amount: number;
  currency: string;
  at: number;
  channel: string | null;
}

/** Reads the window into `aggregator`. `driver` must return integers as plain numbers (disableLosslessIntegers), as the analysis thread's does. */
export async function loadWindow(
  driver: Driver,
  config: Config,
  window: { from: number; to: number },
  aggregator: FlowAggregator,
  opts: LoadOptions,
): Promise<LoadResult> {
  const names = new Map<number, string>();
  const firstSeen = new Map<string, number>();
  const skipped = new Map<string, number>();
  const pending: Pending[] = [];
  let transfersLoaded = 0;
  let lateAccounts = 0;
  let unresolved = 0;
  const add = (from: string, to: string, minor: number, currency: string, at: number, channel: string | null) => {
    const amount = opts.toBase(minor, currency);
    if (amount === null) {
      skipped.set(currency, (skipped.get(currency) ?? 0) + 1);
      return;
    }
    aggregator.add({ from, to, amount, at, channel });
    if (++transfersLoaded % 200_000 === 0) opts.progress?.(names.size, transfersLoaded);
  };
  const session = driver.session({ ...sessionConfig(config.neo4j, 'READ'), fetchSize: 10_000 });
  try {
    const tx = session.beginTransaction();
    try {
      for await (const r of tx.run(cypher('analysis/load-accounts'))) {
        const id = r.get('id') as string | null;
        if (typeof id !== 'string' || id === '') continue;
        names.set(r.get('nid') as number, id);
        const seen = r.get('firstSeenAt');
        if (seen !== null) firstSeen.set(id, seen as number);
      }
      const accountsLoaded = names.size;
      opts.progress?.(accountsLoaded, 0);
      await opts.afterAccounts?.();
      const total = (await tx.run(cypher('analysis/transfers-total'))).records[0]!.get('total') as unknown;
      if (typeof total !== 'number') throw new Error('loadWindow needs a driver created with disableLosslessIntegers: true');
      const cap = Math.max(1, Math.ceil(total * INDEXED_MIN_OUTSIDE_SHARE));
      const outside = (
        await tx.run(cypher('analysis/transfers-outside'), { from: int(window.from), to: int(window.to), cap: int(cap) })
      ).records[0]!.get('outside') as number;
      const wide = total > 0 && outside >= cap;
      const plan: LoadPlan = opts.plan ?? (wide ? 'indexed' : 'expand');
      const slices: Array<[number, number]> = [];
      if (plan === 'expand') slices.push([window.from, window.to]);
      else
        for (let start = window.from; start <= window.to; start += LOAD_SLICE_MS)
          slices.push([start, Math.min(window.to, start + LOAD_SLICE_MS - 1)]);
      for (const [start, end] of slices) {
        for await (const r of tx.run(cypher(`analysis/load-transfers-${plan}`), { from: int(start), to: int(end) })) {
          const fromNid = r.get('from') as number;
          const from = names.get(fromNid);
          const tos = r.get('tos') as number[];
          const amounts = r.get('amounts') as number[];
          const currencies = r.get('currencies') as string[];
          const ats = r.get('ats') as number[];
          const channels = r.get('channels') as Array<string | null>;
          for (let k = 0; k < tos.length; k++) {
            const to = names.get(tos[k]!);
            if (from === undefined || to === undefined)
              pending.push({
                from: fromNid,
                to: tos[k]!,
                amount: amounts[k]!,
                currency: currencies[k]!,
                at: ats[k]!,
                channel: channels[k] ?? null,
              });
            else add(from, to, amounts[k]!, currencies[k]!, ats[k]!, channels[k] ?? null);
          }
        }
      }
      if (pending.length) {
        const unknown = [...new Set(pending.flatMap((p) => [p.from, p.to]).filter((nid) => !names.has(nid)))];
        for await (const r of tx.run(cypher('analysis/load-accounts-by-nid'), { nids: unknown })) {
          const id = r.get('id') as string | null;
          if (typeof id !== 'string' || id === '') continue;
          names.set(r.get('nid') as number, id);
          lateAccounts++;
          const seen = r.get('firstSeenAt');
          if (seen !== null) firstSeen.set(id, seen as number);
        }
        for (const p of pending) {
          const from = names.get(p.from);
          const to = names.get(p.to);
          if (from === undefined || to === undefined) unresolved++;
          else add(from, to, p.amount, p.currency, p.at, p.channel);
        }
      }
      await tx.commit();
      return { firstSeen, accountsLoaded, transfersLoaded, lateAccounts, unresolved, skipped, plan };
    } catch (err) {
      if (tx.isOpen()) await tx.rollback().catch(() => {});
      throw err;
    }
  } finally {
    await session.close();
  }
}
