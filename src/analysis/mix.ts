// acctnet/analysis/mix: one 32-bit mix of two 32-bit integers, for the analysis's open-addressing
// and counting tables (the pair table of flows.ts, the same-amount grouping). Use its low bits.

/** A well-spread 32-bit hash of (a, b); not order-symmetric. */
export function mix2(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13);
}
