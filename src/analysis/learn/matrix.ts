// acctnet/analysis/learn/matrix: the dense feature matrix every learner takes. Row-major Float64Array
// because the feature extraction produces one row per account and the tree models walk a row at a
// time when predicting; NaN marks a missing value (the models handle it, they never see undefined).

export interface Matrix {
  rows: number;
  cols: number;
  /** Row-major: entry (i, j) is data[i * cols + j]. NaN = missing. */
  data: Float64Array;
}

const NAME = 'acctnet/analysis/learn/matrix';

export function matrix(rows: number, cols: number): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new RangeError(`${NAME}: rows and cols must be non-negative integers, got ${rows} x ${cols}`);
  }
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Row i as a view into x.data (no copy: writes go through to the matrix). */
export function row(x: Matrix, i: number): Float64Array {
  if (!Number.isInteger(i) || i < 0 || i >= x.rows) throw new RangeError(`${NAME}: row ${i} out of range [0, ${x.rows})`);
  return x.data.subarray(i * x.cols, (i + 1) * x.cols);
}

/** A new matrix holding copies of the given rows, in the given order (repeats allowed: bootstrap samples). */
export function selectRows(x: Matrix, rows: ArrayLike<number>): Matrix {
  const out = matrix(rows.length, x.cols);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= x.rows) throw new RangeError(`${NAME}: row ${i} out of range [0, ${x.rows})`);
    out.data.set(x.data.subarray(i * x.cols, (i + 1) * x.cols), k * x.cols);
  }
  return out;
}

/** Checks shared by the learners: y has one 0/1 label per row, weights (if any) are finite and >= 0. */
export function checkTrainingData(name: string, x: Matrix, y: ArrayLike<number>, sampleWeight?: ArrayLike<number>): void {
  if (x.data.length !== x.rows * x.cols)
    throw new RangeError(`${name}: matrix data has ${x.data.length} entries, expected ${x.rows * x.cols}`);
  if (y.length !== x.rows) throw new RangeError(`${name}: ${y.length} labels for ${x.rows} rows`);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v !== 0 && v !== 1) throw new RangeError(`${name}: label ${i} is ${v}, expected 0 or 1`);
  }
  if (sampleWeight !== undefined) {
    if (sampleWeight.length !== x.rows) throw new RangeError(`${name}: ${sampleWeight.length} sample weights for ${x.rows} rows`);
    for (let i = 0; i < sampleWeight.length; i++) {
      const w = sampleWeight[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`${name}: sample weight ${i} is ${w}, expected a finite number >= 0`);
    }
  }
}
