// acctnet/analysis/flows: one pass over a window of transfers (any order) into compact
// per-account and per-pair aggregates. Everything later (graph, metrics, roles, migration) reads
// these typed arrays. Individual transfers are kept only until finish() (the time-ordered
// pass-through sweep needs them), then released.
import { mix2 } from './mix.js';
import { sameAmountGroups, type SameAmountGroups } from './same-amount.js';

export interface AnalysisWindow {
  /** Inclusive start of the window, epoch ms. */
  from: number;
  /** asOf: inclusive end of the window, epoch ms (data time, not wall clock). */
  to: number;
  /** Width of one activity bucket, ms. */
  bucketMs: number;
}

export interface FlowTransfer {
  from: string;
  to: string;
  /** Amount in the run's base currency, major units (already converted). */
  amount: number;
  at: number;
  channel: string | null;
}

/** Per-account arrays are indexed by account index; pairs by pair index. */
export interface Flows {
  window: AnalysisWindow;
  buckets: number;
  /** Account ids by index, in order of first appearance. */
  ids: string[];
  index: Map<string, number>;
  firstAt: Float64Array;
  lastAt: Float64Array;
  inCount: Uint32Array;
  outCount: Uint32Array;
  inAmount: Float64Array;
  outAmount: Float64Array;
  /** Outgoing amount covered by money received in the previous holdMs (pass-through evidence). */
  quickOut: Float64Array;
  /** Transfers (in or out) between 00:00 and 06:00 UTC. */
  nightCount: Uint32Array;
  /** 24 hour-of-day counts per account (outgoing transfers: the account's own behaviour). */
  hours: Uint16Array;
  /** Channel counts per account (outgoing), channels.length per account. */
  channelCounts: Uint16Array;
  channels: string[];
  /** Sum and sum of squares of log(amount) of outgoing transfers: the amount profile. */
  logAmountSum: Float64Array;
  logAmountSq: Float64Array;
  /** Transfers (in + out) per account per bucket. */
  activity: Uint16Array;
  /** Outgoing transfers of a round amount (a multiple of 100 base-currency units). */
  roundCount: Uint32Array;
  /** Outgoing transfers in the recent part of the window (the last recentMs) and their hours on the clock circle. */
  recentOutCount: Uint32Array;
  recentHourCos: Float64Array;
  recentHourSin: Float64Array;
  /** Longest run of the account's transfers (in or out) each within runGapMs of the one before. */
  maxRun: Uint32Array;
  /** Runs of at least 3 such transfers. */
  runs: Uint32Array;
  pairCount: number;
  pairFrom: Uint32Array;
  pairTo: Uint32Array;
  pairTransfers: Uint32Array;
  pairAmount: Float64Array;
  pairFirst: Float64Array;
  pairLast: Float64Array;
  /** Transfers aggregated. */
  transfers: number;
  /** Distinct senders paying one receiver exactly the same amount, more often than chance would (same-amount.ts). */
  sameAmount: SameAmountGroups;
}

export const MAX_CHANNELS = 8;
const CHANNEL_OTHER = 'other';

function grow<T extends Float64Array | Uint32Array | Uint16Array>(a: T, size: number): T {
  if (size <= a.length) return a;
  let cap = Math.max(a.length, 1024);
  while (cap < size) cap *= 2;
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a);
  return b;
}

/**
 * (sender, receiver) → pair index: open addressing with linear probing in typed arrays. A Map keyed
 * by sender × 2^32 + receiver held a boxed number per pair (5.7M of them at 10M transfers), and every
 * full garbage collection of the load and the aggregation marked them.
 */
class PairTable {
  private from = new Int32Array(1 << 12).fill(-1);
  private to = new Int32Array(1 << 12);
  private value = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;
  size = 0;

  /** The pair's index, or -1. */
  get(a: number, b: number): number {
    for (let k = mix2(a, b) & this.mask; ; k = (k + 1) & this.mask) {
      const x = this.from[k]!;
      if (x === -1) return -1;
      if (x === a && this.to[k] === b) return this.value[k]!;
    }
  }

  /** Adds a pair that get() did not find. */
  set(a: number, b: number, p: number): void {
    if (2 * (this.size + 1) > this.mask + 1) this.rehash();
    let k = mix2(a, b) & this.mask;
    while (this.from[k] !== -1) k = (k + 1) & this.mask;
    this.from[k] = a;
    this.to[k] = b;
    this.value[k] = p;
    this.size++;
  }

  private rehash(): void {
    const { from, to, value } = this;
    const cap = 2 * (this.mask + 1);
    this.from = new Int32Array(cap).fill(-1);
    this.to = new Int32Array(cap);
    this.value = new Int32Array(cap);
    this.mask = cap - 1;
    for (let k = 0; k < from.length; k++) {
      const a = from[k]!;
      if (a === -1) continue;
      let j = mix2(a, to[k]!) & this.mask;
      while (this.from[j] !== -1) j = (j + 1) & this.mask;
      this.from[j] = a;
      this.to[j] = to[k]!;
      this.value[j] = value[k]!;
    }
  }

  /** Back to an empty table of the initial size (the large arrays are released). */
  clear(): void {
    this.from = new Int32Array(1 << 12).fill(-1);
    this.to = new Int32Array(1 << 12);
    this.value = new Int32Array(1 << 12);
    this.mask = (1 << 12) - 1;
    this.size = 0;
  }
}

export interface FlowOptions {
  /** A transfer out within this long after money came in counts as passed through. */
  holdMs: number;
  /** The recent part of the window, compared with the account's earlier behaviour. */
  recentMs?: number;
  /** Transfers closer than this in time belong to one run (a burst of consecutive transfers). */
  runGapMs?: number;
}

export const FLOW_DEFAULTS = { recentMs: 30 * 86_400_000, runGapMs: 3_600_000 };

/** Aggregates transfers given in any order (the time-ordered pass-through sweep runs in finish()). */
/**
 * graphology keeps nodes and edges in Maps, and V8 refuses a Map beyond 2^24 entries: the most
 * accounts or relations one analysis process can hold (docs/scaling.md). Said before the graph
 * build fails with V8's bare RangeError.
 */
export const SINGLE_PROCESS_LIMIT = 2 ** 24 - 1;

function tooLarge(what: string): Error {
  return new Error(
    `the analysis window holds more than ${what}: one analysis process ends at ${SINGLE_PROCESS_LIMIT.toLocaleString('en')} ` +
      '(a limit of the JavaScript Maps graphology uses); shorten ACCTNET_WINDOW_DAYS or see docs/scaling.md',
  );
}

export class FlowAggregator {
  private n = 0;
  private ids: string[] = [];
  private index = new Map<string, number>();
  private firstAt = new Float64Array(1024);
  private lastAt = new Float64Array(1024);
  private inCount = new Uint32Array(1024);
  private outCount = new Uint32Array(1024);
  private inAmount = new Float64Array(1024);
  private outAmount = new Float64Array(1024);
  private quickOut = new Float64Array(1024);
  private nightCount = new Uint32Array(1024);
  private hours = new Uint16Array(1024 * 24);
  private channelCounts = new Uint16Array(1024 * MAX_CHANNELS);
  private logAmountSum = new Float64Array(1024);
  private logAmountSq = new Float64Array(1024);
  private roundCount = new Uint32Array(1024);
  private recentOutCount = new Uint32Array(1024);
  private recentHourCos = new Float64Array(1024);
  private recentHourSin = new Float64Array(1024);
  private maxRun = new Uint32Array(1024);
  private runs = new Uint32Array(1024);
  private activity: Uint16Array;
  // Transfer log for the time-ordered pass-through sweep in finish(): input order does not matter.
  private txCount = 0;
  private txFrom = new Uint32Array(1024);
  private txTo = new Uint32Array(1024);
  private txAmount = new Float64Array(1024);
  private txAt = new Float64Array(1024);

  private pairs = new PairTable();
  private m = 0;
  private pairFrom = new Uint32Array(1024);
  private pairTo = new Uint32Array(1024);
  private pairTransfers = new Uint32Array(1024);
  private pairAmount = new Float64Array(1024);
  private pairFirst = new Float64Array(1024);
  private pairLast = new Float64Array(1024);

  private channels: string[] = [];
  private channelIndex = new Map<string, number>();
  private readonly buckets: number;
  private transfers = 0;

  constructor(
    readonly window: AnalysisWindow,
    private readonly options: FlowOptions,
  ) {
    if (!(window.bucketMs > 0)) throw new Error('acctnet/analysis/flows: bucketMs must be > 0');
    if (!(window.to >= window.from)) throw new Error('acctnet/analysis/flows: window.to must not be before window.from');
    this.buckets = Math.max(1, Math.ceil((window.to - window.from + 1) / window.bucketMs));
    this.activity = new Uint16Array(1024 * this.buckets);
  }

  private account(id: string): number {
    let i = this.index.get(id);
    if (i !== undefined) return i;
    if (this.n >= SINGLE_PROCESS_LIMIT) throw tooLarge(`${this.n.toLocaleString('en')} accounts`);
    i = this.n++;
    this.index.set(id, i);
    this.ids.push(id);
    if (i >= this.firstAt.length) {
      const size = i + 1;
      this.firstAt = grow(this.firstAt, size);
      this.lastAt = grow(this.lastAt, size);
      this.inCount = grow(this.inCount, size);
      this.outCount = grow(this.outCount, size);
      this.inAmount = grow(this.inAmount, size);
      this.outAmount = grow(this.outAmount, size);
      this.quickOut = grow(this.quickOut, size);
      this.nightCount = grow(this.nightCount, size);
      this.logAmountSum = grow(this.logAmountSum, size);
      this.logAmountSq = grow(this.logAmountSq, size);
      this.roundCount = grow(this.roundCount, size);
      this.recentOutCount = grow(this.recentOutCount, size);
      this.recentHourCos = grow(this.recentHourCos, size);
      this.recentHourSin = grow(this.recentHourSin, size);
      this.maxRun = grow(this.maxRun, size);
      this.runs = grow(this.runs, size);
      this.hours = grow(this.hours, this.firstAt.length * 24);
      this.channelCounts = grow(this.channelCounts, this.firstAt.length * MAX_CHANNELS);
      this.activity = grow(this.activity, this.firstAt.length * this.buckets);
    }
    this.firstAt[i] = Infinity;
    this.lastAt[i] = -Infinity;
    return i;
  }

  private channel(name: string | null): number {
    const key = name ?? 'unknown';
    let c = this.channelIndex.get(key);
    if (c === undefined) {
      if (this.channels.length < MAX_CHANNELS - 1) {
        c = this.channels.length;
        this.channels.push(key);
      } else {
        c = this.channelIndex.get(CHANNEL_OTHER) ?? this.channels.push(CHANNEL_OTHER) - 1;
        this.channelIndex.set(CHANNEL_OTHER, c);
      }
      this.channelIndex.set(key, c);
    }
    return c;
  }

  private touch(x: number, at: number, bucket: number): void {
    if (at < this.firstAt[x]!) this.firstAt[x] = at;
    if (at > this.lastAt[x]!) this.lastAt[x] = at;
    const cell = x * this.buckets + bucket;
    if (this.activity[cell]! < 65535) this.activity[cell]!++;
  }

  add(t: FlowTransfer): void {
    if (t.at < this.window.from || t.at > this.window.to || t.from === t.to || !(t.amount > 0)) return;
    this.transfers++;
    const a = this.account(t.from);
    const b = this.account(t.to);
    this.record(a, b, t.amount, t.at, this.channel(t.channel));
  }

  /**
   * `add` for transfers held as numbers into name arrays (a column store such as the run's transfer
   * table): `keyed(accounts, channels)(from, to, amount, at, channel)` adds the transfer from
   * `accounts[from]` to `accounts[to]` on `channels[channel]`, exactly as `add` would — accounts get
   * their index at their first transfer in the window, in the same order — but looks each name up in
   * the aggregator's maps once, not twice per transfer, and builds no object per transfer. The names
   * of `accounts` must be distinct (a self-transfer is from === to), and both arrays hold every number
   * the adder is given.
   */
  keyed(
    accounts: readonly string[],
    channels: ReadonlyArray<string | null>,
  ): (from: number, to: number, amount: number, at: number, channel: number) => void {
    // Name number → aggregator index, filled at first use (-1: not yet).
    const account = new Int32Array(accounts.length).fill(-1);
    const channel = new Int32Array(channels.length).fill(-1);
    return (from, to, amount, at, ch) => {
      if (at < this.window.from || at > this.window.to || from === to || !(amount > 0)) return;
      this.transfers++;
      const a = account[from]! >= 0 ? account[from]! : (account[from] = this.account(accounts[from]!));
      const b = account[to]! >= 0 ? account[to]! : (account[to] = this.account(accounts[to]!));
      const c = channel[ch]! >= 0 ? channel[ch]! : (channel[ch] = this.channel(channels[ch] ?? null));
      this.record(a, b, amount, at, c);
    };
  }

  private record(a: number, b: number, amount: number, at: number, channel: number): void {
    const bucket = Math.min(this.buckets - 1, Math.floor((at - this.window.from) / this.window.bucketMs));
    this.touch(a, at, bucket);
    this.touch(b, at, bucket);
    // The UTC hour, as Date.getUTCHours gives it (JS time has no leap seconds), without a Date per transfer.
    const hour = Math.floor((((at % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000);
    if (hour < 6) {
      this.nightCount[a]!++;
      this.nightCount[b]!++;
    }
    // The sender's behaviour: hour, channel, amount profile.
    if (this.hours[a * 24 + hour]! < 65535) this.hours[a * 24 + hour]!++;
    const c = a * MAX_CHANNELS + channel;
    if (this.channelCounts[c]! < 65535) this.channelCounts[c]!++;
    const logAmount = Math.log(amount);
    this.logAmountSum[a]! += logAmount;
    this.logAmountSq[a]! += logAmount * logAmount;
    if (amount >= 100 && Math.abs(amount - 100 * Math.round(amount / 100)) < 0.005) this.roundCount[a]!++;
    if (at > this.window.to - (this.options.recentMs ?? FLOW_DEFAULTS.recentMs)) {
      const angle = (2 * Math.PI * (at % 86_400_000)) / 86_400_000;
      this.recentOutCount[a]!++;
      this.recentHourCos[a]! += Math.cos(angle);
      this.recentHourSin[a]! += Math.sin(angle);
    }

    this.outCount[a]!++;
    this.outAmount[a]! += amount;
    this.inCount[b]!++;
    this.inAmount[b]! += amount;

    const k = this.txCount++;
    if (k >= this.txFrom.length) {
      this.txFrom = grow(this.txFrom, k + 1);
      this.txTo = grow(this.txTo, k + 1);
      this.txAmount = grow(this.txAmount, k + 1);
      this.txAt = grow(this.txAt, k + 1);
    }
    this.txFrom[k] = a;
    this.txTo[k] = b;
    this.txAmount[k] = amount;
    this.txAt[k] = at;

    let p = this.pairs.get(a, b);
    if (p === -1) {
      if (this.m >= SINGLE_PROCESS_LIMIT) throw tooLarge(`${this.m.toLocaleString('en')} relations (sender → receiver pairs)`);
      p = this.m++;
      this.pairs.set(a, b, p);
      if (p >= this.pairFrom.length) {
        this.pairFrom = grow(this.pairFrom, p + 1);
        this.pairTo = grow(this.pairTo, p + 1);
        this.pairTransfers = grow(this.pairTransfers, p + 1);
        this.pairAmount = grow(this.pairAmount, p + 1);
        this.pairFirst = grow(this.pairFirst, p + 1);
        this.pairLast = grow(this.pairLast, p + 1);
      }
      this.pairFrom[p] = a;
      this.pairTo[p] = b;
      this.pairFirst[p] = at;
      this.pairLast[p] = at;
    }
    this.pairTransfers[p]!++;
    this.pairAmount[p]! += amount;
    if (at < this.pairFirst[p]!) this.pairFirst[p] = at;
    if (at > this.pairLast[p]!) this.pairLast[p] = at;
  }

  /**
   * Pass-through: how much of each outflow was covered by money that arrived within holdMs before
   * it. Each account keeps a queue of its inflows still inside the holding window (oldest first):
   * before an outgoing transfer, inflows older than holdMs leave the queue, then the transfer is
   * covered from what remains, oldest first. A busy account therefore never accumulates its whole
   * history (salary on day 0 does not cover rent on day 29). Needs time order, so the transfers are
   * bucket-sorted by minute (O(n)), then each minute by time and ids.
   */
  private passThrough(): void {
    const count = this.txCount;
    if (count === 0) return;
    const from = this.window.from;
    const minutes = Math.floor((this.window.to - from) / 60_000) + 1;
    const starts = new Uint32Array(minutes + 1);
    for (let k = 0; k < count; k++) starts[Math.floor((this.txAt[k]! - from) / 60_000) + 1]!++;
    for (let b = 1; b <= minutes; b++) starts[b]! += starts[b - 1]!;
    const order = new Uint32Array(count);
    for (let k = 0; k < count; k++) order[starts[Math.floor((this.txAt[k]! - from) / 60_000)]!++] = k;
    // Within a minute: by time, then by the accounts' ids and the amount — never by arrival order,
    // which depends on how the store returned the rows (an inflow and an outflow in the same
    // minute must be swept in the same order every run).
    const rank = new Uint32Array(this.n);
    Array.from({ length: this.n }, (_, i) => i)
      .sort((a, b) => (this.ids[a]! < this.ids[b]! ? -1 : 1))
      .forEach((i, r) => (rank[i] = r));
    const byTime = (p: number, q: number) =>
      this.txAt[p]! - this.txAt[q]! ||
      rank[this.txFrom[p]!]! - rank[this.txFrom[q]!]! ||
      rank[this.txTo[p]!]! - rank[this.txTo[q]!]! ||
      this.txAmount[p]! - this.txAmount[q]!;
    for (let b = 0, lo = 0; b < minutes; b++) {
      // starts[b] now holds the end of minute b.
      const hi = starts[b]!;
      if (hi - lo > 1) order.subarray(lo, hi).sort(byTime);
      lo = hi;
    }
    // One queue node per inflow (indexed by transfer), linked per receiving account.
    const remaining = new Float64Array(count);
    const next = new Int32Array(count).fill(-1);
    const head = new Int32Array(this.n).fill(-1);
    const tail = new Int32Array(this.n).fill(-1);
    const hold = this.options.holdMs;
    const runGap = this.options.runGapMs ?? FLOW_DEFAULTS.runGapMs;
    const lastAt = new Float64Array(this.n).fill(-Infinity);
    const run = new Uint32Array(this.n);
    const step = (x: number, at: number) => {
      run[x] = at - lastAt[x]! <= runGap ? run[x]! + 1 : 1;
      lastAt[x] = at;
      if (run[x] === 3) this.runs[x]!++;
      if (run[x]! > this.maxRun[x]!) this.maxRun[x] = run[x]!;
    };
    for (let o = 0; o < count; o++) {
      const k = order[o]!;
      const a = this.txFrom[k]!;
      const b = this.txTo[k]!;
      const at = this.txAt[k]!;
      step(a, at);
      step(b, at);
      let need = this.txAmount[k]!;
      // Cover the outflow from a's inflows of the last holdMs, oldest first.
      let h = head[a]!;
      while (h >= 0 && (at - this.txAt[h]! > hold || remaining[h]! <= 0)) h = next[h]!;
      while (h >= 0 && need > 0) {
        const used = Math.min(need, remaining[h]!);
        remaining[h]! -= used;
        need -= used;
        this.quickOut[a]! += used;
        if (remaining[h]! <= 0) h = next[h]!;
      }
      head[a] = h;
      if (h < 0) tail[a] = -1;
      // The money joins b's queue.
      remaining[k] = this.txAmount[k]!;
      if (tail[b]! >= 0) next[tail[b]!] = k;
      else head[b] = k;
      tail[b] = k;
    }
  }

  /** Hands over the arrays (trimmed views) and drops the lookup structures. */
  finish(): Flows {
    this.passThrough();
    const sameAmount = sameAmountGroups(this.txFrom, this.txTo, this.txAmount, this.txCount, this.n);
    this.txFrom = new Uint32Array(0);
    this.txTo = new Uint32Array(0);
    this.txAmount = new Float64Array(0);
    this.txAt = new Float64Array(0);
    const n = this.n;
    const m = this.m;
    this.pairs.clear();
    return {
      window: this.window,
      buckets: this.buckets,
      ids: this.ids,
      index: this.index,
      firstAt: this.firstAt.subarray(0, n),
      lastAt: this.lastAt.subarray(0, n),
      inCount: this.inCount.subarray(0, n),
      outCount: this.outCount.subarray(0, n),
      inAmount: this.inAmount.subarray(0, n),
      outAmount: this.outAmount.subarray(0, n),
      quickOut: this.quickOut.subarray(0, n),
      nightCount: this.nightCount.subarray(0, n),
      hours: this.hours.subarray(0, n * 24),
      channelCounts: this.channelCounts.subarray(0, n * MAX_CHANNELS),
      channels: this.channels,
      logAmountSum: this.logAmountSum.subarray(0, n),
      logAmountSq: this.logAmountSq.subarray(0, n),
      activity: this.activity.subarray(0, n * this.buckets),
      roundCount: this.roundCount.subarray(0, n),
      recentOutCount: this.recentOutCount.subarray(0, n),
      recentHourCos: this.recentHourCos.subarray(0, n),
      recentHourSin: this.recentHourSin.subarray(0, n),
      maxRun: this.maxRun.subarray(0, n),
      runs: this.runs.subarray(0, n),
      pairCount: m,
      pairFrom: this.pairFrom.subarray(0, m),
      pairTo: this.pairTo.subarray(0, m),
      pairTransfers: this.pairTransfers.subarray(0, m),
      pairAmount: this.pairAmount.subarray(0, m),
      pairFirst: this.pairFirst.subarray(0, m),
      pairLast: this.pairLast.subarray(0, m),
      transfers: this.transfers,
      sameAmount,
    };
  }
}

/**
 * The pairs grouped by receiver and by sender (compressed rows): the pairs received by account i are
 * byReceiver[inStart[i] .. inStart[i + 1]), those sent by i bySender[outStart[i] .. outStart[i + 1]),
 * each group in pair order.
 */
export function pairAdjacency(
  flows: Pick<Flows, 'pairFrom' | 'pairTo' | 'pairCount'>,
  n: number,
): { inStart: Uint32Array; outStart: Uint32Array; byReceiver: Uint32Array; bySender: Uint32Array } {
  const { pairFrom, pairTo, pairCount } = flows;
  const inStart = new Uint32Array(n + 1);
  const outStart = new Uint32Array(n + 1);
  for (let p = 0; p < pairCount; p++) {
    inStart[pairTo[p]! + 1]!++;
    outStart[pairFrom[p]! + 1]!++;
  }
  for (let i = 0; i < n; i++) {
    inStart[i + 1]! += inStart[i]!;
    outStart[i + 1]! += outStart[i]!;
  }
  const byReceiver = new Uint32Array(pairCount);
  const bySender = new Uint32Array(pairCount);
  const inFill = inStart.slice(0, n);
  const outFill = outStart.slice(0, n);
  for (let p = 0; p < pairCount; p++) {
    byReceiver[inFill[pairTo[p]!]!++] = p;
    bySender[outFill[pairFrom[p]!]!++] = p;
  }
  return { inStart, outStart, byReceiver, bySender };
}
