// Ranking and list metrics of npm run eval (definitions in docs/evaluation.md). Pure functions: tied
// scores are handled as ties (never broken by id or input order), so no metric depends on ordering.

/** Indices sorted by ascending score (the order the weighted AUC pass needs). */
export function ascendingOrder(score: ArrayLike<number>): Uint32Array {
  const order = Uint32Array.from({ length: score.length }, (_, i) => i);
  return order.sort((a, b) => score[a]! - score[b]!);
}

/**
 * ROC-AUC (Mann–Whitney: the probability that a positive outscores a negative, ties count half),
 * with optional per-item weights (the bootstrap's resample counts) and a precomputed ascending order.
 * NaN when there are no positives or no negatives.
 */
export function rocAuc(
  score: ArrayLike<number>,
  y: ArrayLike<number>,
  weight?: ArrayLike<number>,
  order: Uint32Array = ascendingOrder(score),
): number {
  let negBelow = 0;
  let pos = 0;
  let neg = 0;
  let sum = 0;
  let k = 0;
  const n = order.length;
  while (k < n) {
    // One group of tied scores.
    const s = score[order[k]!]!;
    let groupPos = 0;
    let groupNeg = 0;
    let j = k;
    for (; j < n && score[order[j]!] === s; j++) {
      const i = order[j]!;
      const w = weight ? weight[i]! : 1;
      if (y[i]) groupPos += w;
      else groupNeg += w;
    }
    sum += groupPos * (negBelow + groupNeg / 2);
    negBelow += groupNeg;
    pos += groupPos;
    neg += groupNeg;
    k = j;
  }
  return pos > 0 && neg > 0 ? sum / (pos * neg) : NaN;
}

/**
 * PR-AUC as average precision: Σ over distinct score thresholds (high to low) of
 * (recall gain) × (precision at that threshold); tied scores enter together.
 */
export function averagePrecision(score: ArrayLike<number>, y: ArrayLike<number>): number {
  const order = ascendingOrder(score).reverse();
  let positives = 0;
  for (let i = 0; i < y.length; i++) if (y[i]) positives++;
  if (!positives) return NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let k = 0;
  while (k < order.length) {
    const s = score[order[k]!]!;
    let gain = 0;
    for (; k < order.length && score[order[k]!] === s; k++) {
      seen++;
      if (y[order[k]!]) {
        tp++;
        gain++;
      }
    }
    if (gain) ap += (gain / positives) * (tp / seen);
  }
  return ap;
}

/**
 * Precision of the k highest scores. A tie group across the k-th place counts by its share of
 * positives (the expected value under a random order of the ties).
 */
export function precisionAtK(score: ArrayLike<number>, y: ArrayLike<number>, k: number): number {
  if (k <= 0) return NaN;
  const order = ascendingOrder(score).reverse();
  let taken = 0;
  let tp = 0;
  let i = 0;
  while (i < order.length && taken < k) {
    const s = score[order[i]!]!;
    let groupPos = 0;
    let group = 0;
    for (; i < order.length && score[order[i]!] === s; i++) {
      group++;
      if (y[order[i]!]) groupPos++;
    }
    const take = Math.min(group, k - taken);
    tp += (groupPos * take) / group;
    taken += take;
  }
  return tp / Math.min(k, order.length);
}

export interface ListMetrics {
  /** Listed accounts not given as labels. */
  listedUnlabelled: number;
  /** Of those, fraud. */
  truePositives: number;
  precision: number;
  /** Over the fraud accounts not given as labels. */
  recall: number;
}

export function listMetrics(listed: ReadonlySet<string>, fraud: ReadonlySet<string>, labelled: ReadonlySet<string>): ListMetrics {
  let listedUnlabelled = 0;
  let tp = 0;
  for (const id of listed) {
    if (labelled.has(id)) continue;
    listedUnlabelled++;
    if (fraud.has(id)) tp++;
  }
  let fraudUnlabelled = 0;
  for (const id of fraud) if (!labelled.has(id)) fraudUnlabelled++;
  return {
    listedUnlabelled,
    truePositives: tp,
    precision: listedUnlabelled ? tp / listedUnlabelled : NaN,
    recall: fraudUnlabelled ? tp / fraudUnlabelled : NaN,
  };
}

/** Recall per typology over the fraud accounts not given as labels. */
export function typologyRecall(
  listed: ReadonlySet<string>,
  fraud: ReadonlySet<string>,
  labelled: ReadonlySet<string>,
  typology: ReadonlyMap<string, string>,
): Record<string, { fraud: number; found: number; recall: number }> {
  const out: Record<string, { fraud: number; found: number; recall: number }> = {};
  for (const id of fraud) {
    if (labelled.has(id)) continue;
    const t = typology.get(id) ?? 'unknown';
    out[t] ??= { fraud: 0, found: 0, recall: 0 };
    out[t].fraud++;
    if (listed.has(id)) out[t].found++;
  }
  for (const v of Object.values(out)) v.recall = v.found / v.fraud;
  return out;
}

export interface MigrationTruth {
  from: string;
  to: string;
  kind: 'fraud' | 'legit';
}

export interface MigrationMetrics {
  planted: number;
  unobservable: number;
  found: number;
  correct: number;
  precision: number;
  recall: number;
  fraudRecall: number;
  legitRecall: number;
  legitSuccessorsListed: number;
}

/**
 * Found `from → to` pairs against the planted migrations. A planted migration is observable only if
 * both accounts appear in the data (a successor that never made a transfer cannot be found).
 */
export function migrationMetrics(
  truth: readonly MigrationTruth[],
  accounts: ReadonlySet<string>,
  found: ReadonlyArray<{ from: string; to: string }>,
  listed: ReadonlySet<string>,
): MigrationMetrics {
  const observable = truth.filter((m) => accounts.has(m.from) && accounts.has(m.to));
  const planted = new Set(observable.map((m) => `${m.from}>${m.to}`));
  const foundKeys = new Set(found.map((m) => `${m.from}>${m.to}`));
  let correct = 0;
  for (const k of foundKeys) if (planted.has(k)) correct++;
  const kindRecall = (kind: string) => {
    const ms = observable.filter((m) => m.kind === kind);
    return ms.length ? ms.filter((m) => foundKeys.has(`${m.from}>${m.to}`)).length / ms.length : NaN;
  };
  return {
    planted: planted.size,
    unobservable: truth.length - observable.length,
    found: foundKeys.size,
    correct,
    precision: foundKeys.size ? correct / foundKeys.size : NaN,
    recall: planted.size ? correct / planted.size : NaN,
    fraudRecall: kindRecall('fraud'),
    legitRecall: kindRecall('legit'),
    legitSuccessorsListed: truth.filter((m) => m.kind === 'legit' && listed.has(m.to)).length,
  };
}

export function mean(xs: readonly number[]): number {
  const v = xs.filter((x) => !Number.isNaN(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/** Sample standard deviation (n − 1); 0 for one value. */
export function sd(xs: readonly number[]): number {
  const v = xs.filter((x) => !Number.isNaN(x));
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
}
