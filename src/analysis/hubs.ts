// acctnet/analysis/hubs: accounts so connected (merchants, payroll, exchanges) that they would glue
// everything into one giant community. They stay in the graph for metrics and risk, but are left
// out of community detection and of migration counterparty overlap.
import type { Centrality } from './centrality.js';

export interface HubOptions {
  /** Never a hub below this many distinct counterparties. */
  minDegree: number;
  /** …nor below this multiple of the median account's distinct counterparties. */
  medianFactor: number;
}

export const HUB_DEFAULTS: HubOptions = { minDegree: 100, medianFactor: 20 };

export interface Hubs {
  isHub: Uint8Array;
  threshold: number;
  count: number;
}

export function findHubs(c: Centrality, options: Partial<HubOptions> = {}): Hubs {
  const o = { ...HUB_DEFAULTS, ...options };
  const n = c.degree.length;
  const sorted = Float64Array.from(c.degree).sort();
  const median = n ? sorted[Math.floor(n / 2)]! : 0;
  const threshold = Math.max(o.minDegree, o.medianFactor * median);
  const isHub = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (c.degree[i]! >= threshold) {
      isHub[i] = 1;
      count++;
    }
  }
  return { isHub, threshold, count };
}
