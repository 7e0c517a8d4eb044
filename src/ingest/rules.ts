import type { Config } from '../config/index.js';
import type { ValidationRules } from './record.js';

export function validationRules(config: Config): ValidationRules {
  return {
    defaultCurrency: config.ingest.defaultCurrency,
    currencyExponents: config.ingest.currencyExponents,
    maxAmount: config.ingest.maxAmount,
    maxIdLength: config.ingest.maxIdLength,
    minTimestamp: config.ingest.minTimestamp,
    maxTimestamp: config.ingest.maxTimestamp,
  };
}
