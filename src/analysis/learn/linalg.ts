// acctnet/analysis/learn/linalg: the one dense solve the small models need (symmetric positive
// definite systems of a few dozen unknowns: Newton steps). Internal, not re-exported.

/**
 * Solves A x = b for symmetric positive definite A (n x n, row-major, not modified) by Cholesky.
 * Returns null when A is not numerically positive definite, so the caller can add a ridge and retry.
 */
export function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        // Relative threshold: a pivot this small means the system is singular to working precision.
        if (!(s > 1e-13 * Math.abs(a[i * n + i]!)) || !(s > 0)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * z[k]!;
    z[i] = s / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

/** log(1 + e^z) without overflow for large z nor loss of precision for very negative z. */
export function log1pExp(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The logistic function 1 / (1 + e^-z), stable at both ends. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
