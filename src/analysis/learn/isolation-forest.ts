// acctnet/analysis/learn/isolation-forest: unsupervised anomaly score (Liu, Ting & Zhou 2008,
// "Isolation Forest"). Each tree isolates a random subsample of ψ rows by random axis-parallel cuts;
// rows that are easy to isolate (short paths) are anomalous. Score s(x) = 2^(−E[h(x)] / c(ψ)) in (0, 1]:
// near 1 anomalous, ≤ 0.5 ordinary, where h(x) is the depth of the leaf reached plus c(size of the leaf)
// for the part of the tree the height limit cut off, and c(n) the mean path length of an unsuccessful
// search in a binary search tree of n keys (scikit-learn's _average_path_length).
//
// Differences from ml-isolation-forest (why this file exists): every random draw comes from the
// seeded rng, so a run is reproducible; no Math.max(...values) (which throws RangeError past ~10⁵
// values); missing values are handled. Differences from scikit-learn: its random streams cannot be
// reproduced, so the fixture compares rankings (Spearman ≥ 0.9) rather than values.
//
// Missing values (NaN): a cut on feature q is drawn between the node's min and max of the non-missing
// values of q; each cut also draws at random which side rows missing q go to, and scoring follows the
// same side. A feature that is missing or constant for all of a node's rows is never cut there (a
// node with no such feature left is a leaf), as scikit-learn skips constant features.
//
// Speed (npm run bench:learn, 2-core VM, Node 20, load average ~10 from other jobs, CPU time): 100
// trees with ψ = 256 train in 0.2 s and score 1M rows × 40 features in 6.6 s.
import type { Matrix } from './matrix.js';
import { createRng } from '../rng.js';

const NAME = 'acctnet/analysis/learn/isolation-forest';

export interface IsolationForestOptions {
  trees: number;
  /** ψ, rows per tree (sampled without replacement; all rows when there are fewer). */
  sampleSize: number;
  seed: number | string;
  /**
   * Train on these rows of the matrix, in this order (default: every row in order): the same forest
   * as training on selectRows(x, rows), without copying the rows.
   */
  rows?: ArrayLike<number>;
}

export const ISOLATION_FOREST_DEFAULTS: IsolationForestOptions = { trees: 100, sampleSize: 256, seed: 1 };

export interface IsolationForest {
  /** s(x) per row, in (0, 1]: higher = more anomalous. */
  score(x: Matrix): Float64Array;
}

const EULER_GAMMA = 0.5772156649015329;

/** c(n): average path length of an unsuccessful BST search among n keys; c(0) = c(1) = 0, c(2) = 1. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

export function trainIsolationForest(x: Matrix, options: Partial<IsolationForestOptions> = {}): IsolationForest {
  const o: IsolationForestOptions = { ...ISOLATION_FOREST_DEFAULTS, ...options };
  if (!Number.isInteger(o.trees) || o.trees < 1) throw new RangeError(`${NAME}: trees must be an integer >= 1, got ${o.trees}`);
  if (!Number.isInteger(o.sampleSize) || o.sampleSize < 2)
    throw new RangeError(`${NAME}: sampleSize must be an integer >= 2, got ${o.sampleSize}`);
  if (x.data.length !== x.rows * x.cols)
    throw new RangeError(`${NAME}: matrix data has ${x.data.length} entries, expected ${x.rows * x.cols}`);
  const pick = o.rows;
  if (pick)
    for (let k = 0; k < pick.length; k++) {
      const i = pick[k]!;
      if (!Number.isInteger(i) || i < 0 || i >= x.rows) throw new RangeError(`${NAME}: row ${i} out of range [0, ${x.rows})`);
    }
  const n = pick ? pick.length : x.rows;
  if (n === 0) throw new RangeError(`${NAME}: no training rows`);
  const d = x.cols;
  const psi = Math.min(o.sampleSize, n);
  const heightLimit = Math.ceil(Math.log2(psi));
  const rng = createRng(o.seed);

  // Flat node arrays over all trees; a leaf has feature −1 and value = depth + c(leaf size).
  const feature: number[] = [];
  const threshold: number[] = [];
  const missingLeft: number[] = [];
  const left: number[] = [];
  const value: number[] = [];
  const roots: number[] = [];
  const addNode = () => {
    feature.push(-1);
    threshold.push(0);
    missingLeft.push(0);
    left.push(-1);
    value.push(0);
    return feature.length - 1;
  };

  // perm holds matrix row indices: the training rows' k-th is pick[k] (or k).
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = pick ? pick[i]! : i;
  const rows = new Uint32Array(psi);
  const tmp = new Uint32Array(psi);
  const lo = new Float64Array(d);
  const hi = new Float64Array(d);
  const candidates = new Int32Array(d);
  // Work stack of (node id, rows start, rows end, depth).
  const stack: number[] = [];

  for (let t = 0; t < o.trees; t++) {
    // ψ distinct rows: partial Fisher–Yates over a persistent permutation (O(ψ) per tree).
    for (let k = 0; k < psi; k++) {
      const r = k + Math.floor(rng() * (n - k));
      const v = perm[k]!;
      perm[k] = perm[r]!;
      perm[r] = v;
      rows[k] = perm[k]!;
    }
    const root = addNode();
    roots.push(root);
    stack.push(root, 0, psi, 0);
    while (stack.length > 0) {
      const depth = stack.pop()!;
      const end = stack.pop()!;
      const start = stack.pop()!;
      const node = stack.pop()!;
      const size = end - start;
      let nc = 0;
      if (depth < heightLimit && size > 1) {
        // Features with at least two distinct non-missing values among the node's rows.
        lo.fill(Infinity);
        hi.fill(-Infinity);
        for (let k = start; k < end; k++) {
          const off = rows[k]! * d;
          for (let j = 0; j < d; j++) {
            // ±Infinity counts as ±MAX_VALUE: cuts stay finite, and an infinite value is still
            // separable from the finite ones.
            const v = Math.min(Number.MAX_VALUE, Math.max(-Number.MAX_VALUE, x.data[off + j]!));
            if (v < lo[j]!) lo[j] = v;
            if (v > hi[j]!) hi[j] = v;
          }
        }
        for (let j = 0; j < d; j++) if (hi[j]! > lo[j]!) candidates[nc++] = j;
      }
      if (nc === 0) {
        value[node] = depth + averagePathLength(size);
        continue;
      }
      const q = candidates[Math.floor(rng() * nc)]!;
      // Cut uniformly in (lo, hi); a cut rounding onto an end would leave one side empty, so clamp it.
      // A convex combination, so hi − lo cannot overflow.
      const u = rng();
      let p = lo[q]! * (1 - u) + hi[q]! * u;
      if (!(p > lo[q]!) || p > hi[q]!) p = lo[q]! * 0.5 + hi[q]! * 0.5;
      const nanLeft = rng() < 0.5;
      let l = start;
      let r = 0;
      for (let k = start; k < end; k++) {
        const row = rows[k]!;
        const v = x.data[row * d + q]!;
        if (v < p || (v !== v && nanLeft)) rows[l++] = row;
        else tmp[r++] = row;
      }
      rows.set(tmp.subarray(0, r), l);
      feature[node] = q;
      threshold[node] = p;
      missingLeft[node] = nanLeft ? 1 : 0;
      const ln = addNode();
      const rn = addNode();
      left[node] = ln; // its right sibling is ln + 1
      stack.push(rn, l, end, depth + 1);
      stack.push(ln, start, l, depth + 1);
    }
  }

  const F = Int32Array.from(feature);
  const T = Float64Array.from(threshold);
  const M = Uint8Array.from(missingLeft);
  const L = Int32Array.from(left);
  const V = Float64Array.from(value);
  const R0 = Int32Array.from(roots);
  const norm = averagePathLength(psi);
  // Right children are left + 1 (allocated in pairs): the walk computes the child without a branch.
  const MR = new Int32Array(M.length);
  for (let k = 0; k < M.length; k++) MR[k] = M[k] ? 0 : 1;
  return {
    score(m) {
      if (m.cols !== d) throw new RangeError(`${NAME}: matrix has ${m.cols} columns, the forest was trained on ${d}`);
      const total = new Float64Array(m.rows);
      const data = m.data;
      const nt = R0.length;
      // As in gbt predictRaw: blocks of rows, each tree walked by four rows at once so their chains
      // of dependent loads overlap (about 2x faster than one row at a time).
      const BLOCK = 256;
      for (let b0 = 0; b0 < m.rows; b0 += BLOCK) {
        const b1 = Math.min(m.rows, b0 + BLOCK);
        for (let t = 0; t < nt; t++) {
          const root = R0[t]!;
          let i = b0;
          for (; i + 4 <= b1; i += 4) {
            let n0 = root;
            let n1 = root;
            let n2 = root;
            let n3 = root;
            const o0 = i * d;
            const o1 = o0 + d;
            const o2 = o1 + d;
            const o3 = o2 + d;
            for (;;) {
              const f0 = F[n0]!;
              const f1 = F[n1]!;
              const f2 = F[n2]!;
              const f3 = F[n3]!;
              if (f0 < 0 && f1 < 0 && f2 < 0 && f3 < 0) break;
              // x < cut goes left; NaN (both comparisons false) goes right when MR = 1.
              if (f0 >= 0) {
                const v = data[o0 + f0]!;
                n0 = L[n0]! + (+(v >= T[n0]!) | (+(v !== v) & MR[n0]!));
              }
              if (f1 >= 0) {
                const v = data[o1 + f1]!;
                n1 = L[n1]! + (+(v >= T[n1]!) | (+(v !== v) & MR[n1]!));
              }
              if (f2 >= 0) {
                const v = data[o2 + f2]!;
                n2 = L[n2]! + (+(v >= T[n2]!) | (+(v !== v) & MR[n2]!));
              }
              if (f3 >= 0) {
                const v = data[o3 + f3]!;
                n3 = L[n3]! + (+(v >= T[n3]!) | (+(v !== v) & MR[n3]!));
              }
            }
            total[i]! += V[n0]!;
            total[i + 1]! += V[n1]!;
            total[i + 2]! += V[n2]!;
            total[i + 3]! += V[n3]!;
          }
          for (; i < b1; i++) {
            const o = i * d;
            let node = root;
            let f = F[node]!;
            while (f >= 0) {
              const v = data[o + f]!;
              node = L[node]! + (+(v >= T[node]!) | (+(v !== v) & MR[node]!));
              f = F[node]!;
            }
            total[i]! += V[node]!;
          }
        }
      }
      for (let i = 0; i < m.rows; i++) {
        // ψ = 1 would give c(ψ) = 0: every row is then equally (un)remarkable.
        total[i] = norm > 0 ? 2 ** (-total[i]! / nt / norm) : 0.5;
      }
      return total;
    },
  };
}
