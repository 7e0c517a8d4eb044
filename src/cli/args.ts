// Option and argument parsers for the CLI: a refused value is a usage error commander reports as
// `error: option '--limit <n>' argument 'abc' is invalid. expected …` and main.ts exits 64 with it.
import { InvalidArgumentError } from 'commander';

/** An integer in [min, max] (digits only: "10abc" and "1.5" are refused, not read as 10 and 1). */
export function intArg(min: number, max = Number.MAX_SAFE_INTEGER, what = `an integer ${min}..${max}`) {
  return (raw: string): number => {
    const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected ${what}`);
    return n;
  };
}

export const positiveInt = intArg(1, Number.MAX_SAFE_INTEGER, 'a positive integer');

/** A decimal number in [min, max] ("", "0x10", "1e2" and "0.5abc" are refused). */
export function decimalArg(min: number, max: number, what = `a number ${min}..${max}`) {
  return (raw: string): number => {
    const n = /^-?(\d+(\.\d*)?|\.\d+)$/.test(raw.trim()) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected ${what}`);
    return n;
  };
}

/** A blacklist version number. */
export const versionArg = intArg(1, Number.MAX_SAFE_INTEGER, 'a version number (1, 2, …)');
