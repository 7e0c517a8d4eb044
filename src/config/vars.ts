// Declarative environment variables: name, default, what is expected, and a parser that throws a
// message a user can act on. loadConfig() collects every problem before failing, so one start-up
// tells the operator everything that is wrong, not one variable at a time.

import { isIP } from 'node:net';
import { CronExpressionParser } from 'cron-parser';
import { ISO_CURRENCY_EXPONENTS } from '../ingest/currencies.js';
import { parseIsoTime } from '../ingest/record.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`acctnet/config: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface VarSpec<T> {
  readonly name: string;
  /** Default as the user would write it; undefined means "unset" is allowed and parse gets undefined. */
  readonly default?: string;
  readonly expected: string;
  readonly doc: string;
  readonly secret?: boolean;
  readonly parse: (raw: string) => T;
}

/** Decimal places a configured (non-ISO) currency may have: 10^15 minor units is still below 2^53 for amounts up to 9. */
export const MAX_CURRENCY_EXPONENT = 15;

export function defineVar<T>(spec: VarSpec<T>): VarSpec<T> {
  return spec;
}

export function read<T>(env: NodeJS.ProcessEnv, spec: VarSpec<T>, problems: string[]): T {
  const raw = env[spec.name];
  const value = raw === undefined || raw === '' ? spec.default : raw;
  if (value === undefined) {
    // Variables without a default are optional; parse decides what "unset" means.
    return undefined as T;
  }
  try {
    return spec.parse(value);
  } catch (err) {
    const shown = spec.secret ? '<hidden>' : JSON.stringify(value);
    const detail = err instanceof Error && err.message ? ` (${err.message})` : '';
    problems.push(`${spec.name}=${shown}: expected ${spec.expected}${detail}`);
    return undefined as T;
  }
}

export const parsers = {
  string: (raw: string): string => raw,
  nonEmpty: (raw: string): string => {
    if (!raw.trim()) throw new Error('empty');
    return raw;
  },
  int:
    (min: number, max: number) =>
    (raw: string): number => {
      if (!/^-?\d+$/.test(raw.trim())) throw new Error('not an integer');
      const n = Number(raw);
      if (n < min || n > max) throw new Error(`out of range ${min}..${max}`);
      return n;
    },
  number:
    (min: number, max: number) =>
    (raw: string): number => {
      // Decimal only: Number() would also take 0x10, 0b101 and 0o7.
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw.trim())) throw new Error('not a number');
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new Error('not a number');
      if (n < min || n > max) throw new Error(`out of range ${min}..${max}`);
      return n;
    },
  bool: (raw: string): boolean => {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new Error('not a boolean');
  },
  oneOf:
    <T extends string>(values: readonly T[]) =>
    (raw: string): T => {
      // Any case, spaces around ignored (as for booleans): Off and " on" mean off and on.
      const v = raw.trim().toLowerCase();
      const hit = values.find((x) => x.toLowerCase() === v);
      if (hit === undefined) throw new Error(`not one of ${values.join(', ')}`);
      return hit;
    },
  url:
    (protocols: readonly string[]) =>
    (raw: string): string => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new Error('not a URL');
      }
      if (!protocols.includes(url.protocol.replace(/:$/, ''))) {
        throw new Error(`scheme ${url.protocol} not supported`);
      }
      return raw;
    },
  /** Sizes like 512m, 2g — the units Neo4j's memory settings use. */
  memorySize: (raw: string): string => {
    if (!/^\d+[kmg]$/i.test(raw.trim())) throw new Error('use a number and k, m or g, e.g. 2g');
    return raw.trim().toLowerCase();
  },
  currency: (raw: string): string => {
    const code = raw.trim().toUpperCase();
    if (!ISO_CURRENCY_EXPONENTS.has(code)) throw new Error('not an ISO 4217 code');
    return code;
  },
  /** A currency code's shape only; loadConfig checks it is ISO 4217 or named in ACCTNET_CURRENCY_EXPONENTS. */
  currencyCode: (raw: string): string => {
    const code = raw.trim().toUpperCase();
    if (!/^[A-Z0-9]{2,12}$/.test(code) || !/[A-Z]/.test(code)) throw new Error('not a currency code');
    return code;
  },
  /**
   * "ETH:9,PTS:0": minor-unit exponents of codes that are not ISO 4217 (crypto assets, loyalty
   * points). An ISO code cannot be redefined: its stored minor units would change meaning.
   */
  currencyExponents: (raw: string): Record<string, number> => {
    const exponents: Record<string, number> = {};
    for (const part of raw
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const m = /^([A-Za-z0-9]{2,12}):(\d{1,2})$/.exec(part);
      if (!m || !/[A-Za-z]/.test(m[1]!)) throw new Error(`bad entry "${part}" (CODE:digits, e.g. ETH:9)`);
      const code = m[1]!.toUpperCase();
      const exp = Number(m[2]);
      if (exp > MAX_CURRENCY_EXPONENT) {
        throw new Error(
          `${code}:${exp}: at most ${MAX_CURRENCY_EXPONENT} decimal places (amounts are stored exactly as integers below 2^53)`,
        );
      }
      if (ISO_CURRENCY_EXPONENTS.has(code))
        throw new Error(`${code} is an ISO 4217 code; its exponent is fixed (docs/ingest.md, Canonical record)`);
      if (code in exponents) throw new Error(`${code} is listed twice`);
      exponents[code] = exp;
    }
    return exponents;
  },
  /** "EUR=1.08,GBP=1.27": units of the base currency per unit of the named currency. */
  rates: (raw: string): Record<string, number> => {
    const rates: Record<string, number> = {};
    for (const part of raw
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const m = /^([A-Za-z0-9]{2,12})=([0-9]*\.?[0-9]+)$/.exec(part);
      if (!m) throw new Error(`bad entry "${part}"`);
      const rate = Number(m[2]);
      if (!(rate > 0)) throw new Error(`rate for ${m[1]} must be > 0`);
      rates[m[1]!.toUpperCase()] = rate;
    }
    return rates;
  },
  /** fastify's trustProxy: false / true / hop count / proxy addresses and CIDRs. */
  trustProxy: (raw: string): boolean | number | string[] => {
    const v = raw.trim().toLowerCase();
    if (v === 'false' || v === 'off' || v === '0') return false;
    if (v === 'true' || v === 'on') return true;
    if (/^\d+$/.test(v)) {
      const hops = Number(v);
      if (hops > 100) throw new Error('at most 100 hops');
      return hops;
    }
    return parsers.cidrList(raw);
  },
  /** "10.0.0.0/8, 127.0.0.1, ::1": IP addresses or CIDR ranges (IPv4 or IPv6). */
  cidrList: (raw: string): string[] => {
    const out: string[] = [];
    for (const part of raw
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const [address, bits, extra] = part.split('/');
      const family = isIP(address ?? '');
      const max = family === 4 ? 32 : 128;
      if (!family || extra !== undefined || (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max))) {
        throw new Error(`"${part}" is not an IP address or CIDR (e.g. 10.0.0.0/8, ::1)`);
      }
      out.push(part);
    }
    return out;
  },
  /** Checked with the parser BullMQ's job scheduler uses, so a pattern accepted here is one the worker can schedule. */
  cron: (raw: string): string => {
    const fields = raw.trim().split(/\s+/);
    if (fields.length < 5 || fields.length > 6) throw new Error('a cron pattern has 5 or 6 fields');
    try {
      CronExpressionParser.parse(raw.trim());
    } catch (err) {
      throw new Error(`not a valid cron pattern: ${(err as Error).message}`);
    }
    return raw.trim();
  },
  /** An IANA time zone the runtime knows (Intl; the job scheduler's date library reads zones through it). */
  timeZone: (raw: string): string => {
    const tz = raw.trim();
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      // As given (the runtime may name it otherwise, e.g. Europe/Kyiv as Europe/Kiev): what the operator set is what they see.
      return tz;
    } catch {
      throw new Error(`"${tz}" is not a time zone this runtime knows (an IANA name, e.g. UTC or Europe/Berlin)`);
    }
  },
  isoDate: (raw: string): number => {
    // The same reading as ingest: a value without a zone is UTC, not the server's local time.
    const t = parseIsoTime(raw);
    if (t === undefined) throw new Error('not an ISO 8601 date (e.g. 1990-01-01 or 2100-01-01T00:00:00Z; without a zone it is UTC)');
    return t;
  },
};
