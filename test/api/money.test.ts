// Amounts the API shows beside a run's results are converted with the money settings the run
// recorded (moneyOf), field by field for runs recorded before the rates were kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { major, moneyOf, toBase } from '../../src/api/context.js';
import { loadConfig } from '../../src/config/index.js';

const api = loadConfig({ ACCTNET_BASE_CURRENCY: 'EUR', ACCTNET_FX_RATES: 'USD=0.9', ACCTNET_CURRENCY_EXPONENTS: 'PTS:0' });

test("a run's recorded base currency, rates and decimals win over the API process's", () => {
  const run = { params: { baseCurrency: 'USD', fxRates: { EUR: 1.1 }, currencyExponents: { ETH: 9 } } };
  const money = moneyOf(api, run);
  assert.deepEqual(money, { baseCurrency: 'USD', fxRates: { EUR: 1.1 }, currencyExponents: { ETH: 9 } });
  assert.equal(toBase(money, 1000, 'EUR'), 11);
  assert.equal(major(money, 1_000_000_000, 'ETH'), 1);
  // Without the run's exponent 1 ETH would read as 10,000,000 (two decimals for an unknown code).
  assert.equal(major(moneyOf(api, null), 1_000_000_000, 'ETH'), 10_000_000);
});

test("before any run, or for a run that recorded only its base currency: the API's rates only into that currency", () => {
  assert.deepEqual(moneyOf(api, null), { baseCurrency: 'EUR', fxRates: { USD: 0.9 }, currencyExponents: { PTS: 0 } });
  // Same base as the API: the API's rates convert into it.
  const sameBase = moneyOf(api, { params: { baseCurrency: 'EUR' } });
  assert.equal(toBase(sameBase, 1000, 'USD'), 9);
  // Another base: the API's rates are into EUR, not into GBP — no rate (null), never a wrong figure.
  const otherBase = moneyOf(api, { params: { baseCurrency: 'GBP' } });
  assert.equal(otherBase.baseCurrency, 'GBP');
  assert.equal(toBase(otherBase, 1000, 'USD'), null);
  assert.equal(toBase(otherBase, 1000, 'GBP'), 10);
});
