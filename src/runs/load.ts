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
import type { Driver, Transaction } from 'neo4j-driver';
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
  tag: string | null;
}

/** One transfer as read: raw minor units and currency; `tag` is its batch id when that batch is still open, else null. */
export type RowSink = (
  from: string,
  to: string,
  minor: number,
  currency: string,
  at: number,
  channel: string | null,
  tag: string | null,
) => void;

/** The accounts: internal id → id, and id → first-seen time. */
export async function readAccounts(tx: Transaction): Promise<{ names: Map<number, string>; firstSeen: Map<string, number> }> {
  const names = new Map<number, string>();
  const firstSeen = new Map<string, number>();
  for await (const r of tx.run(cypher('analysis/load-accounts'))) {
    const nids = r.get('nids') as number[];
    const ids = r.get('ids') as Array<string | null>;
    const seens = r.get('firstSeenAts') as Array<number | false>;
    for (let k = 0; k < nids.length; k++) {
      const id = ids[k];
      if (typeof id !== 'string' || id === '') continue;
      names.set(nids[k]!, id);
      const seen = seens[k];
      if (typeof seen === 'number') firstSeen.set(id, seen);
    }
  }
  return { names, firstSeen };
}

/** Stored transfers in all (the count store). */
export async function transfersTotal(tx: Transaction): Promise<number> {
  const total = (await tx.run(cypher('analysis/transfers-total'))).records[0]!.get('total') as unknown;
  if (typeof total !== 'number') throw new Error('the load needs a driver created with disableLosslessIntegers: true');
  return total;
}

/** The plan for reading [from, to] (see the header); `total` from transfersTotal. */
export async function choosePlan(tx: Transaction, window: { from: number; to: number }, total: number): Promise<LoadPlan> {
  const cap = Math.max(1, Math.ceil(total * INDEXED_MIN_OUTSIDE_SHARE));
  const outside = (
    await tx.run(cypher('analysis/transfers-outside'), { from: int(window.from), to: int(window.to), cap: int(cap) })
  ).records[0]!.get('outside') as number;
  return total > 0 && outside >= cap ? 'indexed' : 'expand';
}

/**
 * Reads transfers (internal ids) within one transaction and resolves them to account ids: rows
 * whose accounts the accounts read did not return are held back, their accounts looked up by
 * internal id afterwards (see the header). Call `rows` per query, then `finish`.
 */
export class RowReader {
  private readonly pending: Pending[] = [];
  read = 0;
  lateAccounts = 0;
  unresolved = 0;
  constructor(
    private readonly tx: Transaction,
    private readonly names: Map<number, string>,
    private readonly firstSeen: Map<string, number>,
    private readonly sink: RowSink,
    private readonly progress?: (read: number) => void,
  ) {}

  private emit(from: string, to: string, minor: number, currency: string, at: number, channel: string | null, tag: string | null) {
    this.sink(from, to, minor, currency, at, channel, tag);
    if (++this.read % 200_000 === 0) this.progress?.(this.read);
  }

  async rows(query: string, params: Record<string, unknown>): Promise<void> {
    for await (const r of this.tx.run(cypher(query), params)) {
      const fromNid = r.get('from') as number;
      const from = this.names.get(fromNid);
      const tos = r.get('tos') as number[];
      const amounts = r.get('amounts') as number[];
      const currencies = r.get('currencies') as string[];
      const ats = r.get('ats') as number[];
      const channels = r.get('channels') as string[];
      const tags = r.get('tags') as string[];
      for (let k = 0; k < tos.length; k++) {
        const to = this.names.get(tos[k]!);
        const channel = channels[k] || null;
        const tag = tags[k] || null;
        if (from === undefined || to === undefined)
          this.pending.push({ from: fromNid, to: tos[k]!, amount: amounts[k]!, currency: currencies[k]!, at: ats[k]!, channel, tag });
        else this.emit(from, to, amounts[k]!, currencies[k]!, ats[k]!, channel, tag);
      }
    }
  }

  async finish(): Promise<void> {
    if (!this.pending.length) return;
    const unknown = [...new Set(this.pending.flatMap((p) => [p.from, p.to]).filter((nid) => !this.names.has(nid)))];
    for await (const r of this.tx.run(cypher('analysis/load-accounts-by-nid'), { nids: unknown })) {
      const id = r.get('id') as string | null;
      if (typeof id !== 'string' || id === '') continue;
      this.names.set(r.get('nid') as number, id);
      this.lateAccounts++;
      const seen = r.get('firstSeenAt');
      if (seen !== null) this.firstSeen.set(id, seen as number);
    }
    for (const p of this.pending) {
      const from = this.names.get(p.from);
      const to = this.names.get(p.to);
      if (from === undefined || to === undefined) this.unresolved++;
      else this.emit(from, to, p.amount, p.currency, p.at, p.channel, p.tag);
    }
    this.pending.length = 0;
  }
}

/**
 * Reads every transfer with `at` in [from, to] (the plan's queries; for `indexed` in slices up to
 * `slicedTo`, the last one extended to `to`: an open-ended read ends with one wide slice).
 */
export async function readWindowRows(
  reader: RowReader,
  window: { from: number; to: number },
  plan: LoadPlan,
  open: readonly string[],
  slicedTo = window.to,
): Promise<void> {
  const slices: Array<[number, number]> = [];
  if (plan === 'expand') slices.push([window.from, window.to]);
  else {
    for (let start = window.from; start <= slicedTo; start += LOAD_SLICE_MS)
      slices.push([start, Math.min(slicedTo, start + LOAD_SLICE_MS - 1)]);
    if (slices.length === 0) slices.push([window.from, window.to]);
    else slices[slices.length - 1]![1] = window.to;
  }
  for (const [start, end] of slices)
    await reader.rows(`analysis/load-transfers-${plan}`, { from: int(start), to: int(end), open: [...open] });
}

/** Reads the window into `aggregator` (tests and tools; a recompute reads through src/runs/incremental.ts). `driver` must return integers as plain numbers (disableLosslessIntegers), as the analysis thread's does. */
export async function loadWindow(
  driver: Driver,
  config: Config,
  window: { from: number; to: number },
  aggregator: FlowAggregator,
  opts: LoadOptions,
): Promise<LoadResult> {
  const skipped = new Map<string, number>();
  let transfersLoaded = 0;
  const session = driver.session({ ...sessionConfig(config.neo4j, 'READ'), fetchSize: 10_000 });
  try {
    const tx = session.beginTransaction();
    try {
      const { names, firstSeen } = await readAccounts(tx);
      const accountsLoaded = names.size;
      opts.progress?.(accountsLoaded, 0);
      await opts.afterAccounts?.();
      const total = await transfersTotal(tx);
      const plan: LoadPlan = opts.plan ?? (await choosePlan(tx, window, total));
      const reader = new RowReader(tx, names, firstSeen, (from, to, minor, currency, at, channel) => {
        const amount = opts.toBase(minor, currency);
        if (amount === null) {
          skipped.set(currency, (skipped.get(currency) ?? 0) + 1);
          return;
        }
        aggregator.add({ from, to, amount, at, channel });
        transfersLoaded++;
      });
      await readWindowRows(reader, window, plan, []);
      await reader.finish();
      await tx.commit();
      return {
        firstSeen,
        accountsLoaded,
        transfersLoaded,
        lateAccounts: reader.lateAccounts,
        unresolved: reader.unresolved,
        skipped,
        plan,
      };
    } catch (err) {
      if (tx.isOpen()) await tx.rollback().catch(() => {});
      throw err;
    }
  } finally {
    await session.close();
  }
}
