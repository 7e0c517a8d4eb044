// The canonical transaction record and the rules a row must pass to become a transfer.

import { ISO_CURRENCY_EXPONENTS } from './currencies.js';

export const CANONICAL_FIELDS = ['tx_id', 'from_account', 'to_account', 'amount', 'currency', 'timestamp', 'channel'] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];
export const REQUIRED_FIELDS: readonly CanonicalField[] = ['tx_id', 'from_account', 'to_account', 'amount', 'timestamp'];

/** A row as read from a file or an HTTP body, keyed by canonical field, before validation. */
export type RawFields = Partial<Record<CanonicalField, string | number | null>>;

/** A validated transfer: amount in minor units of its currency, time in epoch milliseconds. */
export interface TransferRecord {
  txId: string;
  from: string;
  to: string;
  amount: number;
  currency: string;
  at: number;
  channel: string | null;
}

/** Decimal places of currency codes that are not ISO 4217 (ACCTNET_CURRENCY_EXPONENTS). */
export type CurrencyExponents = Readonly<Record<string, number>>;

export interface ValidationRules {
  defaultCurrency: string;
  currencyExponents: CurrencyExponents;
  /** Largest amount in major units. */
  maxAmount: number;
  maxIdLength: number;
  minTimestamp: number;
  maxTimestamp: number;
  /** Latest accepted time ahead of the clock (ACCTNET_MAX_FUTURE_HOURS); null or absent: no such bound. */
  maxFutureMs?: number | null;
  /** The clock (tests set it). */
  now?: () => number;
}

export type Validation = { ok: true; transfer: TransferRecord } | { ok: false; reason: string };

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
// ISO 8601 date or date-time; the time zone is optional (then UTC, see docs/ingest.md).
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_CHANNEL_LENGTH = 64;

/**
 * Minor-unit exponent: a configured one for a non-ISO code (ETH 9, PTS 0), else the frozen ISO table's
 * (USD 2, JPY 0, BHD 3; src/ingest/currencies.ts — not the runtime's ICU data, which may move with a
 * Node upgrade under stored amounts); 2 for a code in neither (none is accepted at ingest).
 */
export function currencyExponent(code: string, configured: CurrencyExponents = {}): number {
  return configured[code] ?? ISO_CURRENCY_EXPONENTS.get(code) ?? 2;
}

export const ID_FIELDS: readonly CanonicalField[] = ['tx_id', 'from_account', 'to_account'];

/**
 * A numeric id is taken as its decimal text only when it is a safe integer: JSON.parse has already
 * rounded a larger number (12345678901234567891 arrives as 12345678901234567000), so its text would
 * name a different account. Such ids, fractions and exponents are refused with what to do instead.
 */
export function numericIdProblem(field: string, value: unknown): string | undefined {
  if (typeof value !== 'number' || Number.isSafeInteger(value)) return undefined;
  return `${field} is the JSON number ${String(value)}, which is not a safe integer (above 2^53 - 1 = 9007199254740991 JSON numbers lose digits, or it has a fraction): send ids as strings, e.g. "${field}": "12345678901234567891"`;
}

function text(value: string | number | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = typeof value === 'number' ? String(value) : value;
  return s === '' ? undefined : s;
}

function checkId(field: string, value: string | undefined, maxLength: number): string | undefined {
  if (value === undefined) return `missing ${field}`;
  if (value.length > maxLength) return `${field} is ${value.length} characters long; at most ${maxLength} are allowed`;
  if (CONTROL_CHARS.test(value)) return `${field} contains control characters`;
  if (value.trim() !== value) return `${field} has leading or trailing spaces`;
  return undefined;
}

const MAX_EXACT_MINOR = BigInt(Number.MAX_SAFE_INTEGER);

/** The largest amount of a currency with `exp` decimal places that is stored exactly, as decimal text. */
export function maxExactAmount(exp: number): string {
  const digits = MAX_EXACT_MINOR.toString().padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp);
  const frac = digits.slice(digits.length - exp);
  return exp === 0 ? whole : `${whole}.${frac}`;
}

/**
 * Parses a decimal amount in major units exactly (no floating point) into minor units. Minor units
 * are stored as integers below 2^53, so a currency with many decimals (ETH:9) has a smaller exact
 * range than maxAmount: beyond it the amount is refused, never rounded.
 */
export function parseAmount(
  raw: string,
  currency: string,
  maxAmount: number,
  exponents: CurrencyExponents = {},
): { minor: number } | { error: string } {
  const s = raw.trim();
  if (s.startsWith('-')) return { error: `negative amount ${s}` };
  const m = DECIMAL.exec(s.startsWith('+') ? s.slice(1) : s);
  if (!m) return { error: `amount ${JSON.stringify(raw)} is not a decimal number` };
  const exp = currencyExponent(currency, exponents);
  const whole = m[1]!.replace(/^0+(?=\d)/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > exp) return { error: `amount ${s} has more decimal places than ${currency} allows (${exp})` };
  if (whole.length > 20) return { error: `amount ${s} is absurdly large (limit ${maxAmount} ${currency})` };
  // Up to 15 digits in minor units (below 2^53) a double holds the integer exactly: BigInt only for
  // longer amounts (the bulk conversion reads millions).
  const fracMinor = frac.padEnd(exp, '0');
  const big = whole.length + exp <= 15 ? undefined : BigInt(whole) * 10n ** BigInt(exp) + (frac ? BigInt(fracMinor) : 0n);
  const minor = big === undefined ? Number(whole) * 10 ** exp + (frac ? Number(fracMinor) : 0) : Number(big);
  if (minor <= 0) return { error: 'amount must be greater than 0' };
  if (Number(frac ? `${whole}.${frac}` : whole) > maxAmount) {
    return { error: `amount ${s} is absurdly large (limit ${maxAmount} ${currency})` };
  }
  if (big !== undefined && big > MAX_EXACT_MINOR) {
    return {
      error: `amount ${s} ${currency} is beyond the exact range: with ${exp} decimal places at most ${maxExactAmount(exp)} ${currency} is stored exactly (integer minor units below 2^53); split the transfer or configure fewer decimals`,
    };
  }
  return { minor };
}

/**
 * An ISO 8601 date or date-time as epoch ms; without a zone it is UTC (never the server's local
 * time), a date alone is midnight UTC. The one parser for times an operator types: ingest rows,
 * `--as-of`, `prune --before`, ACCTNET_MIN_TIMESTAMP / ACCTNET_MAX_TIMESTAMP. Undefined if not ISO
 * 8601 or not a valid date.
 */
export function parseIsoTime(raw: string): number | undefined {
  const s = raw.trim();
  const m = ISO_8601.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec] = m.map(Number) as number[];
  const daysInMonth = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > daysInMonth || (h ?? 0) > 23 || (mi ?? 0) > 59 || (sec ?? 0) > 59) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s) && s.length > 10;
  const normalized = s.replace(' ', 'T');
  const at = Date.parse(hasZone || s.length === 10 ? normalized : `${normalized}Z`);
  return Number.isNaN(at) ? undefined : at;
}

/** Value of `n` ASCII digits of `s` from `i`, or -1 if one is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The commonest form, `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.sssZ` (years from 100), read
 * from its characters: the same epoch ms as {@link parseIsoTime}, without its regexes and date
 * parsing (the bulk conversion reads millions). Undefined for any other form or an invalid date:
 * then parseIsoTime decides.
 */
export function parseUtcIsoFast(s: string): number | undefined {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || (n === 24 && s[19] !== '.')) return undefined;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  const ms = n === 24 ? digits(s, 20, 3) : 0;
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0) return undefined;
  const leap = mo === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0);
  if (d > DAYS_IN_MONTH[mo - 1]! + (leap ? 1 : 0)) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
}

/** A duration ahead, in the largest whole unit (days past 48 hours). */
function aheadText(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours < 1) return `${Math.max(1, Math.floor(ms / 60_000))} minutes`;
  return hours >= 48 ? `${Math.floor(hours / 24)} days` : `${Math.floor(hours)} hours`;
}

export function parseTimestamp(raw: string | number, rules: ValidationRules): { at: number } | { error: string } {
  let at: number;
  const s = typeof raw === 'number' ? String(raw) : raw.trim();
  const fast = parseUtcIsoFast(s);
  if (fast !== undefined) {
    at = fast;
  } else if (/^\d+$/.test(s)) {
    at = Number(s);
    if (at < rules.minTimestamp && at * 1000 >= rules.minTimestamp && at * 1000 <= rules.maxTimestamp) {
      return { error: `timestamp ${s} looks like epoch seconds; epoch milliseconds are expected` };
    }
  } else if (ISO_8601.test(s)) {
    const parsed = parseIsoTime(s);
    if (parsed === undefined) return { error: `timestamp ${JSON.stringify(s)} is not a valid date` };
    at = parsed;
  } else {
    return { error: `timestamp ${JSON.stringify(s)} is neither ISO 8601 nor epoch milliseconds` };
  }
  if (at < rules.minTimestamp || at > rules.maxTimestamp) {
    return {
      error: `timestamp ${s} is outside the plausible range ${new Date(rules.minTimestamp).toISOString()} .. ${new Date(rules.maxTimestamp).toISOString()}`,
    };
  }
  if (rules.maxFutureMs !== undefined && rules.maxFutureMs !== null) {
    const now = (rules.now ?? Date.now)();
    if (at > now + rules.maxFutureMs) {
      return {
        error: `timestamp ${s} is ${aheadText(at - now)} ahead of this process's clock (${new Date(now).toISOString()}): a transfer cannot be dated in the future — check the year and the time zone (ACCTNET_MAX_FUTURE_HOURS=${rules.maxFutureMs / 3_600_000})`,
      };
    }
  }
  return { at };
}

export function validateRow(fields: RawFields, rules: ValidationRules): Validation {
  const txId = text(fields.tx_id);
  const from = text(fields.from_account);
  const to = text(fields.to_account);
  const problem =
    numericIdProblem('tx_id', fields.tx_id) ??
    numericIdProblem('from_account', fields.from_account) ??
    numericIdProblem('to_account', fields.to_account) ??
    checkId('tx_id', txId, rules.maxIdLength) ??
    checkId('from_account', from, rules.maxIdLength) ??
    checkId('to_account', to, rules.maxIdLength);
  if (problem) return { ok: false, reason: problem };
  if (from === to) return { ok: false, reason: `from_account and to_account are the same account (${from})` };

  const currencyRaw = text(fields.currency);
  const currency = currencyRaw === undefined ? rules.defaultCurrency : currencyRaw.trim().toUpperCase();
  if (!ISO_CURRENCY_EXPONENTS.has(currency) && rules.currencyExponents[currency] === undefined) {
    return {
      ok: false,
      reason: `currency ${JSON.stringify(currencyRaw)} is not an ISO 4217 code nor one configured in ACCTNET_CURRENCY_EXPONENTS (e.g. ETH:9,PTS:0)`,
    };
  }

  const amountRaw = text(fields.amount);
  if (amountRaw === undefined) return { ok: false, reason: 'missing amount' };
  const amount = parseAmount(amountRaw, currency, rules.maxAmount, rules.currencyExponents);
  if ('error' in amount) return { ok: false, reason: amount.error };

  const tsRaw = fields.timestamp;
  if (tsRaw === null || tsRaw === undefined || tsRaw === '') return { ok: false, reason: 'missing timestamp' };
  const ts = parseTimestamp(tsRaw, rules);
  if ('error' in ts) return { ok: false, reason: ts.error };

  const channelRaw = text(fields.channel);
  if (channelRaw !== undefined && (channelRaw.length > MAX_CHANNEL_LENGTH || CONTROL_CHARS.test(channelRaw))) {
    return { ok: false, reason: `channel must be at most ${MAX_CHANNEL_LENGTH} printable characters` };
  }
  return {
    ok: true,
    transfer: { txId: txId!, from: from!, to: to!, amount: amount.minor, currency, at: ts.at, channel: channelRaw?.trim() || null },
  };
}

/** Why a stored transfer and a new row with the same tx_id differ, or undefined if they are the same. */
export function describeConflict(stored: TransferRecord, incoming: TransferRecord): string | undefined {
  const diffs: string[] = [];
  if (stored.from !== incoming.from) diffs.push(`from_account ${stored.from} ≠ ${incoming.from}`);
  if (stored.to !== incoming.to) diffs.push(`to_account ${stored.to} ≠ ${incoming.to}`);
  if (stored.amount !== incoming.amount || stored.currency !== incoming.currency) {
    diffs.push(`amount ${stored.amount} ${stored.currency} ≠ ${incoming.amount} ${incoming.currency} (minor units)`);
  }
  if (stored.at !== incoming.at) diffs.push(`timestamp ${new Date(stored.at).toISOString()} ≠ ${new Date(incoming.at).toISOString()}`);
  if ((stored.channel ?? null) !== (incoming.channel ?? null)) diffs.push(`channel ${stored.channel} ≠ ${incoming.channel}`);
  return diffs.length ? `tx_id ${incoming.txId} already stored with different content: ${diffs.join('; ')}` : undefined;
}
