// acctnet/analysis/learn/metrics: ranking metrics for binary labels, equal to scikit-learn's
// roc_auc_score and average_precision_score (test/fixtures/learn/metrics.json checks it to 1e-12).
// Both sort once (O(n log n)) and never spread arrays, so a million scores are fine.

const NAME = 'acctnet/analysis/learn/metrics';

function check(scores: ArrayLike<number>, y: ArrayLike<number>): void {
  if (scores.length !== y.length) throw new RangeError(`${NAME}: ${scores.length} scores for ${y.length} labels`);
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`${NAME}: label ${i} is ${y[i]}, expected 0 or 1`);
    if (Number.isNaN(scores[i])) throw new RangeError(`${NAME}: score ${i} is NaN`);
  }
}

/** Indices sorted by score, descending (stable: ties keep input order, which the tie groups then ignore). */
function orderDescending(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order;
}

/**
 * Area under the ROC curve as the Mann–Whitney statistic: the probability that a random positive
 * scores above a random negative, a tie counting ½ (what the trapezoidal ROC area gives too).
 * NaN when either class is empty: the area is undefined then, and NaN cannot be mistaken for a score.
 */
export function rocAuc(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  check(scores, y);
  const order = orderDescending(scores);
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  const negatives = y.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  // Walk tie groups from the top; each negative in a group beats no positive above it: count the
  // pairs (positive above negative) + ½ (pairs within the group).
  let pairs = 0;
  let positivesAbove = 0;
  for (let start = 0; start < order.length;) {
    const s = scores[order[start]!]!;
    let end = start;
    let pos = 0;
    let neg = 0;
    while (end < order.length && scores[order[end]!] === s) {
      if (y[order[end]!] === 1) pos++;
      else neg++;
      end++;
    }
    pairs += neg * positivesAbove + 0.5 * neg * pos;
    positivesAbove += pos;
    start = end;
  }
  return pairs / (positives * negatives);
}

/**
 * Average precision as scikit-learn defines it: AP = Σ_k (R_k − R_{k−1}) · P_k over the distinct
 * score thresholds from the highest down (all rows tied at a threshold enter together), i.e. the
 * step-wise area under the precision–recall curve, no interpolation. NaN when there is no positive
 * (recall is undefined; scikit-learn warns and returns a meaningless value there).
 */
export function averagePrecision(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  check(scores, y);
  const order = orderDescending(scores);
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  if (positives === 0) return NaN;
  let ap = 0;
  let tp = 0;
  let seen = 0;
  for (let start = 0; start < order.length;) {
    const s = scores[order[start]!]!;
    let end = start;
    let pos = 0;
    while (end < order.length && scores[order[end]!] === s) {
      pos += y[order[end]!]!;
      end++;
    }
    tp += pos;
    seen = end;
    if (pos > 0) ap += (pos / positives) * (tp / seen);
    start = end;
  }
  return ap;
}
