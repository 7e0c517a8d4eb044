// acctnet/analysis/flows: one pass over a window of transfers (any order) into compact
// per-account and per-pair aggregates. Everything later (graph, metrics, roles, migration) reads
// these typed arrays; no step keeps individual transfers.

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
  pairCount: number;
  pairFrom: Uint32Array;
  pairTo: Uint32Array;
  pairTransfers: Uint32Array;
  pairAmount: Float64Array;
  pairFirst: Float64Array;
  pairLast: Float64Array;
  /** Transfers aggregated. */
  transfers: number;
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

export interface FlowOptions {
  /** A transfer out within this long after money came in counts as passed through. */
  holdMs: number;
}

/** Aggregates transfers given in any order (the time-ordered pass-through sweep runs in finish()). */
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
  private activity: Uint16Array;
  // Transfer log for the time-ordered pass-through sweep in finish(): input order does not matter.
  private txCount = 0;
  private txFrom = new Uint32Array(1024);
  private txTo = new Uint32Array(1024);
  private txAmount = new Float64Array(1024);
  private txAt = new Float64Array(1024);

  private pairs = new Map<number, number>();
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
    const amount = t.amount;
    const bucket = Math.min(this.buckets - 1, Math.floor((t.at - this.window.from) / this.window.bucketMs));
    this.touch(a, t.at, bucket);
    this.touch(b, t.at, bucket);
    const hour = new Date(t.at).getUTCHours();
    if (hour < 6) {
      this.nightCount[a]!++;
      this.nightCount[b]!++;
    }
    // The sender's behaviour: hour, channel, amount profile.
    if (this.hours[a * 24 + hour]! < 65535) this.hours[a * 24 + hour]!++;
    const c = a * MAX_CHANNELS + this.channel(t.channel);
    if (this.channelCounts[c]! < 65535) this.channelCounts[c]!++;
    const logAmount = Math.log(amount);
    this.logAmountSum[a]! += logAmount;
    this.logAmountSq[a]! += logAmount * logAmount;

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
    this.txAt[k] = t.at;

    const key = a * 4294967296 + b;
    let p = this.pairs.get(key);
    if (p === undefined) {
      p = this.m++;
      this.pairs.set(key, p);
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
      this.pairFirst[p] = t.at;
      this.pairLast[p] = t.at;
    }
    this.pairTransfers[p]!++;
    this.pairAmount[p]! += amount;
    if (t.at < this.pairFirst[p]!) this.pairFirst[p] = t.at;
    if (t.at > this.pairLast[p]!) this.pairLast[p] = t.at;
  }

  /**
   * Pass-through: how much of each outflow was covered by money that arrived within holdMs before
   * it. Needs time order, so the transfers are bucket-sorted by minute (O(n), stable within a
   * minute — far finer than any holding window).
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
    const recentIn = new Float64Array(this.n);
    const recentInAt = new Float64Array(this.n).fill(-Infinity);
    const hold = this.options.holdMs;
    for (let o = 0; o < count; o++) {
      const k = order[o]!;
      const a = this.txFrom[k]!;
      const b = this.txTo[k]!;
      const at = this.txAt[k]!;
      const amount = this.txAmount[k]!;
      if (at - recentInAt[a]! > hold) recentIn[a] = 0;
      const covered = Math.min(amount, recentIn[a]!);
      recentIn[a]! -= covered;
      this.quickOut[a]! += covered;
      if (at - recentInAt[b]! > hold) recentIn[b] = 0;
      recentIn[b]! += amount;
      recentInAt[b] = at;
    }
  }

  /** Hands over the arrays (trimmed views) and drops the lookup structures. */
  finish(): Flows {
    this.passThrough();
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
      pairCount: m,
      pairFrom: this.pairFrom.subarray(0, m),
      pairTo: this.pairTo.subarray(0, m),
      pairTransfers: this.pairTransfers.subarray(0, m),
      pairAmount: this.pairAmount.subarray(0, m),
      pairFirst: this.pairFirst.subarray(0, m),
      pairLast: this.pairLast.subarray(0, m),
      transfers: this.transfers,
    };
  }
}
