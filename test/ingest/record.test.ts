import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ISO_CURRENCY_EXPONENTS } from '../../src/ingest/currencies.js';
import {
  currencyExponent,
  describeConflict,
  parseAmount,
  parseIsoTime,
  parseUtcIsoFast,
  validateRow,
  type ValidationRules,
} from '../../src/ingest/record.js';
import { checkLabel } from '../../src/labels/label-input.js';

const rules: ValidationRules = {
  defaultCurrency: 'USD',
  currencyExponents: { ETH: 9, PTS: 0 },
  maxAmount: 1e9,
  maxIdLength: 16,
  minTimestamp: Date.UTC(1990, 0, 1),
  maxTimestamp: Date.UTC(2100, 0, 1),
};
const good = { tx_id: 't1', from_account: '+447900', to_account: 'B', amount: '12.30', timestamp: '2011-01-01T00:00:00Z' };

function reason(fields: Record<string, unknown>): string {
  const v = validateRow(fields as never, rules);
  assert.equal(v.ok, false, `expected rejection of ${JSON.stringify(fields)}`);
  return (v as { reason: string }).reason;
}

test('the fast read of YYYY-MM-DDTHH:MM:SS(.sss)Z gives what the ISO parser gives, and leaves every other form to it', () => {
  let state = 11;
  const next = (n: number) => Math.floor(((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * n);
  const pad = (v: number, w: number) => String(v).padStart(w, '0');
  const years = [99, 100, 1600, 1900, 1999, 2000, 2023, 2024, 2100, 9999];
  let fast = 0;
  for (let i = 0; i < 20000; i++) {
    const y = next(3) ? years[next(years.length)]! : next(10000);
    const date = `${pad(y, 4)}-${pad(next(14), 2)}-${pad(next(33), 2)}`;
    const time = `${pad(next(26), 2)}:${pad(next(62), 2)}:${pad(next(62), 2)}`;
    const frac = ['', `.${pad(next(1000), 3)}`, `.${next(10)}`, `.${pad(next(100000), 5)}`][next(4)]!;
    const zone = ['Z', 'Z', '', '+01:00', 'z'][next(5)]!;
    const sep = next(8) ? 'T' : ' ';
    const s = `${date}${sep}${time}${frac}${zone}`;
    const got = parseUtcIsoFast(s);
    if (got !== undefined) {
      fast++;
      assert.equal(got, parseIsoTime(s), s);
    } else {
      assert.ok(!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(s) || y < 100 || parseIsoTime(s) === undefined, s);
    }
  }
  assert.ok(fast > 1000, `${fast} strings took the fast read`);
  assert.equal(parseUtcIsoFast('2024-02-29T23:59:59.999Z'), Date.UTC(2024, 1, 29, 23, 59, 59, 999));
  assert.equal(parseUtcIsoFast('2023-02-29T00:00:00Z'), undefined);
  assert.equal(parseUtcIsoFast('2025-07-01T17:11:30.449+00:00'), undefined);
});

test('a canonical row becomes a transfer in minor units and epoch ms; ids stay exactly as given', () => {
  const v = validateRow(good, rules);
  assert.ok(v.ok);
  assert.deepEqual(v.transfer, {
    txId: 't1',
    from: '+447900',
    to: 'B',
    amount: 1230,
    currency: 'USD',
    at: Date.UTC(2011, 0, 1),
    channel: null,
  });
});

test('amounts are parsed exactly per currency exponent', () => {
  assert.deepEqual(parseAmount('0.1', 'USD', 1e9), { minor: 10 });
  assert.deepEqual(parseAmount('1000', 'JPY', 1e9), { minor: 1000 });
  assert.deepEqual(parseAmount('1.234', 'BHD', 1e9), { minor: 1234 });
  assert.deepEqual(parseAmount('979.21', 'USD', 1e9), { minor: 97921 });
  assert.match(String((parseAmount('1.5', 'JPY', 1e9) as { error: string }).error), /more decimal places than JPY allows \(0\)/);
});

test("ISO exponents come from the frozen table, not the runtime's ICU (an upgrade must not change what stored minor units mean)", () => {
  assert.equal(ISO_CURRENCY_EXPONENTS.size, 162);
  for (const [code, exp] of [
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['BHD', 3],
    ['KWD', 3],
    ['HUF', 0],
    ['PKR', 0],
    ['IQD', 0],
  ] as const)
    assert.equal(currencyExponent(code), exp, code);
  // Where the table's (CLDR's) digits differ from ISO 4217's minor units, amounts with decimals are refused, said with the digits in force.
  assert.match(String((parseAmount('12.50', 'PKR', 1e9) as { error: string }).error), /more decimal places than PKR allows \(0\)/);
  const realNumberFormat = Intl.NumberFormat;
  try {
    // Were the runtime's data to say otherwise, nothing changes.
    (Intl as { NumberFormat: unknown }).NumberFormat = function () {
      return { resolvedOptions: () => ({ maximumFractionDigits: 7 }) };
    };
    assert.equal(currencyExponent('USD'), 2);
    assert.deepEqual(parseAmount('0.1', 'USD', 1e9), { minor: 10 });
  } finally {
    (Intl as { NumberFormat: unknown }).NumberFormat = realNumberFormat;
  }
});

test('amounts of up to 15 digits (read without BigInt) and longer ones give the exact minor units', () => {
  let state = 5;
  const next = (n: number) => Math.floor(((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * n);
  const exps: Record<string, number> = { P0: 0, P2: 2, P3: 3, P6: 6, P9: 9 };
  for (let i = 0; i < 20000; i++) {
    const currency = Object.keys(exps)[next(5)]!;
    const exp = exps[currency]!;
    let whole = '';
    for (let k = 1 + next(17); k > 0; k--) whole += String(next(10));
    let frac = '';
    for (let k = next(exp + 2); k > 0; k--) frac += String(next(10));
    const text = frac ? `${whole}.${frac}` : whole;
    const got = parseAmount(text, currency, 1e12, exps);
    if (frac.replace(/0+$/, '').length > exp) {
      assert.ok('error' in got, text);
      continue;
    }
    const expected = BigInt(whole) * 10n ** BigInt(exp) + BigInt((frac.replace(/0+$/, '') || '0').padEnd(exp, '0').slice(0, exp) || '0');
    if (expected === 0n || Number(text) > 1e12 || expected > BigInt(Number.MAX_SAFE_INTEGER)) assert.ok('error' in got, text);
    else assert.deepEqual(got, { minor: Number(expected) }, `${text} ${currency}`);
  }
});

test('configured non-ISO currencies: their exponent, and amounts beyond the exact range refused with the limit', () => {
  const eth = (amount: string) => validateRow({ ...good, currency: 'eth', amount }, rules);
  assert.deepEqual(eth('1.000000001'), {
    ok: true,
    transfer: { ...(validateRow(good, rules) as { transfer: object }).transfer, amount: 1000000001, currency: 'ETH' },
  });
  assert.deepEqual(parseAmount('9007199.254740991', 'ETH', 1e9, { ETH: 9 }), { minor: Number.MAX_SAFE_INTEGER });
  const beyond = eth('9007199.254740992');
  assert.equal(beyond.ok, false);
  assert.equal(
    (beyond as { reason: string }).reason,
    'amount 9007199.254740992 ETH is beyond the exact range: with 9 decimal places at most 9007199.254740991 ETH is stored exactly (integer minor units below 2^53); split the transfer or configure fewer decimals',
  );
  assert.match(reason({ ...good, currency: 'ETH', amount: '0.0000000001' }), /more decimal places than ETH allows \(9\)/);
  assert.deepEqual(parseAmount('5000', 'PTS', 1e9, { PTS: 0 }), { minor: 5000 });
  assert.match(reason({ ...good, currency: 'PTS', amount: '1.5' }), /more decimal places than PTS allows \(0\)/);
  // Not configured and not ISO: the reason says how to configure it.
  assert.match(reason({ ...good, currency: 'DOGE' }), /not an ISO 4217 code nor one configured in ACCTNET_CURRENCY_EXPONENTS/);
  // A 20-digit USD amount is absurd before it is inexact; a 16-digit one under a high limit is inexact.
  assert.match(
    String((parseAmount('90071992547409.93', 'USD', 1e15) as { error: string }).error),
    /beyond the exact range: with 2 decimal places at most 90071992547409.91 USD/,
  );
});

test('bad rows are rejected with a reason that says what is wrong', () => {
  assert.match(reason({ ...good, tx_id: undefined }), /missing tx_id/);
  assert.match(reason({ ...good, amount: 'ten' }), /not a decimal number/);
  assert.match(reason({ ...good, amount: '-5' }), /negative amount/);
  assert.match(reason({ ...good, amount: '0' }), /greater than 0/);
  assert.match(reason({ ...good, amount: '5000000000' }), /absurdly large/);
  assert.match(reason({ ...good, timestamp: 'yesterday' }), /neither ISO 8601 nor epoch milliseconds/);
  assert.match(reason({ ...good, timestamp: '1293840000' }), /looks like epoch seconds/);
  assert.match(reason({ ...good, timestamp: '2011-02-30T00:00:00Z' }), /not a valid date|outside/);
  assert.match(reason({ ...good, from_account: 'x'.repeat(17) }), /17 characters long; at most 16/);
  assert.match(reason({ ...good, currency: 'ZZZ' }), /not an ISO 4217 code/);
  assert.match(reason({ ...good, to_account: '+447900' }), /same account/);
  assert.match(reason({ ...good, to_account: 'B\n' }), /control characters/);
});

test('timestamps: epoch ms, ISO with offset, and ISO without zone read as UTC', () => {
  const at = (ts: string | number) => {
    const v = validateRow({ ...good, timestamp: ts }, rules);
    assert.ok(v.ok);
    return v.transfer.at;
  };
  assert.equal(at(1700000000000), 1700000000000);
  assert.equal(at('1700000000000'), 1700000000000);
  assert.equal(at('2011-01-01T02:00:00+02:00'), Date.UTC(2011, 0, 1));
  assert.equal(at('2011-01-01 00:00:00'), Date.UTC(2011, 0, 1));
  assert.equal(at('2011-01-01'), Date.UTC(2011, 0, 1));
});

test('a conflict names the fields that differ', () => {
  const a = { txId: 't', from: 'A', to: 'B', amount: 100, currency: 'USD', at: 0, channel: null };
  assert.equal(describeConflict(a, { ...a }), undefined);
  assert.match(describeConflict(a, { ...a, amount: 101 })!, /already stored with different content: amount 100 USD ≠ 101 USD/);
});

test('numeric ids: safe integers are taken as their decimal text; larger numbers and fractions are refused (send strings)', () => {
  const v = validateRow({ ...good, tx_id: 42, from_account: 9007199254740991, to_account: -7 } as never, rules);
  assert.ok(v.ok);
  assert.deepEqual([v.transfer.txId, v.transfer.from, v.transfer.to], ['42', '9007199254740991', '-7']);
  // JSON.parse('12345678901234567891') is already 12345678901234567000: a different account.
  const parsed = JSON.parse('{"from_account": 12345678901234567891}').from_account as number;
  assert.match(reason({ ...good, from_account: parsed }), /from_account is the JSON number .* not a safe integer.*send ids as strings/);
  assert.match(reason({ ...good, to_account: 9007199254740992 }), /to_account .* send ids as strings/);
  assert.match(reason({ ...good, tx_id: 1.5 }), /tx_id is the JSON number 1.5/);
});

test('labels: a numeric accountId that is not a safe integer is refused; a safe one becomes its text', () => {
  const bad = checkLabel({ accountId: 2 ** 60, label: 'fraud' }, 64);
  assert.equal(bad.ok, false);
  assert.match((bad as { reason: string }).reason, /accountId .* send ids as strings/);
  const ok = checkLabel({ accountId: 123, label: 'fraud' }, 64);
  assert.ok(ok.ok && ok.value.accountId === '123');
});

test('a transfer dated past ACCTNET_MAX_FUTURE_HOURS after the clock is rejected as in the future; off lets it in', () => {
  const now = Date.UTC(2026, 11, 7, 12);
  const future: ValidationRules = { ...rules, maxFutureMs: 24 * 3_600_000, now: () => now };
  const at = (timestamp: string, r = future) => validateRow({ ...good, timestamp } as never, r);
  assert.equal(at('2026-12-08T11:59:59Z').ok, true, 'within 24 hours ahead (clocks differ)');
  assert.equal(at('2026-12-07T09:00:00-05:00').ok, true);
  const typo = at('2031-01-01T00:00:00Z');
  assert.equal(typo.ok, false);
  assert.match(
    (typo as { reason: string }).reason,
    /^timestamp 2031-01-01T00:00:00Z is 1485 days ahead of this process's clock \(2026-12-07T12:00:00\.000Z\): a transfer cannot be dated in the future — check the year and the time zone \(ACCTNET_MAX_FUTURE_HOURS=24\)$/,
  );
  assert.match((at('2026-12-09T00:00:00Z') as { reason: string }).reason, /is 36 hours ahead/);
  // Epoch milliseconds are held to it too.
  assert.equal(validateRow({ ...good, timestamp: String(now + 25 * 3_600_000) } as never, future).ok, false);
  // off (null) or absent: only the plausible range.
  assert.equal(at('2031-01-01T00:00:00Z', { ...future, maxFutureMs: null }).ok, true);
  assert.equal(at('2031-01-01T00:00:00Z', rules).ok, true);
});
