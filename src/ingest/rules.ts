import type { Config } from '../config/index.js';
import type { ValidationRules } from './record.js';

/**
 * The latest data time a run or the watch may take as "now" from the stored transfers: the clock +
 * ACCTNET_MAX_FUTURE_HOURS (transfers dated later were stored before ingest refused them), or no
 * bound when the setting is off.
 */
export function dataTimeLimit(config: Config, now = Date.now()): number {
  return config.ingest.maxFutureHours === null ? Number.MAX_SAFE_INTEGER : now + config.ingest.maxFutureHours * 3_600_000;
}

export function validationRules(config: Config): ValidationRules {
  return {
    defaultCurrency: config.ingest.defaultCurrency,
    currencyExponents: config.ingest.currencyExponents,
    maxAmount: config.ingest.maxAmount,
    maxIdLength: config.ingest.maxIdLength,
    minTimestamp: config.ingest.minTimestamp,
    maxTimestamp: config.ingest.maxTimestamp,
    maxFutureMs: config.ingest.maxFutureHours === null ? null : config.ingest.maxFutureHours * 3_600_000,
  };
}
