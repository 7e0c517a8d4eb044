// acctnet/analysis/learn: small, deterministic learners for the analysis (docs/learn.md).
export { matrix, row, selectRows, type Matrix } from './matrix.js';
export { averagePrecision, rocAuc } from './metrics.js';
export {
  fitStandardiser,
  LOGISTIC_DEFAULTS,
  trainLogistic,
  type LogisticModel,
  type LogisticOptions,
  type Standardiser,
} from './logistic.js';
export { fitPlatt, type Platt } from './platt.js';
export { fromGbtJSON, GBT_DEFAULTS, trainGbt, type GbtModel, type GbtOptions } from './gbt.js';
export {
  averagePathLength,
  ISOLATION_FOREST_DEFAULTS,
  trainIsolationForest,
  type IsolationForest,
  type IsolationForestOptions,
} from './isolation-forest.js';
