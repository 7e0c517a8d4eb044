// The transfers of an evaluation dataset as the analysis job sees them, without Neo4j: the importer's
// reader and row rules (src/ingest), the job's window and currency conversion (src/runs/analysis-job.ts)
// into the same FlowAggregator. Used by the in-process mode and by the baseline's features (both modes:
// the baseline sees exactly the window of transfers the pipeline sees).
import fs from 'node:fs';
import type { Flows } from '../../src/analysis/flows.js';
import type { Config } from '../../src/config/index.js';
import { parseColumnMap, readRows } from '../../src/ingest/read-rows.js';
import { validateRow } from '../../src/ingest/record.js';
import { validationRules } from '../../src/ingest/rules.js';
import { converter, windowAggregator } from '../../src/runs/analysis-job.js';
import { TransferTable } from '../../src/runs/transfer-table.js';

const DAY = 86_400_000;

export interface LoadedTransfers {
  flows: Flows;
  /** Account id → first transfer ever (what the importer stores as Account.firstSeenAt). */
  firstSeen: Map<string, number>;
  /** Every account of an accepted transfer (in the window or not). */
  accounts: Set<string>;
  asOf: number;
  windowFrom: number;
  /** The window's length in days: ACCTNET_WINDOW_DAYS, or more with `coverSpan` (run-eval sets it for the CLI's runs too). */
  windowDays: number;
  rows: number;
  rejected: number;
  duplicates: number;
  /** Transfers without a rate to the base currency (left out, as the job does). */
  unconverted: number;
}

/**
 * `mapArgs` as given to `acctnet import` (`--map canonical=source` pairs); `cut`: leave out transfers
 * after this time, as a run on the data up to it sees them (dev sims of consecutive nights);
 * `coverSpan`: stretch the window (never shorten it) to the whole span of the file's transfers, so
 * that the analysis sees every transfer the dataset's truth was made from (npm run eval does).
 */
export async function loadTransfers(
  file: string,
  mapArgs: string[],
  config: Config,
  cut = Infinity,
  coverSpan = false,
): Promise<LoadedTransfers> {
  const pairs: string[] = [];
  for (let k = 0; k < mapArgs.length; k++) if (mapArgs[k] === '--map') pairs.push(mapArgs[++k]!);
  const rules = validationRules(config);
  const seen = new Set<string>();
  const from: string[] = [];
  const to: string[] = [];
  const minor: number[] = [];
  const currency: string[] = [];
  const at: number[] = [];
  const channel: Array<string | null> = [];
  let rows = 0;
  let rejected = 0;
  let duplicates = 0;
  for await (const item of readRows(fs.createReadStream(file), 'csv', parseColumnMap(pairs))) {
    rows++;
    if (item.kind === 'rejected') {
      rejected++;
      continue;
    }
    const v = validateRow(item.fields, rules);
    if (!v.ok) {
      rejected++;
      continue;
    }
    const t = v.transfer;
    if (t.at > cut) continue;
    // The importer stores a tx id once (a repeat is "already stored" or a conflict): first one wins.
    if (seen.has(t.txId)) {
      duplicates++;
      continue;
    }
    seen.add(t.txId);
    from.push(t.from);
    to.push(t.to);
    minor.push(t.amount);
    currency.push(t.currency);
    at.push(t.at);
    channel.push(t.channel);
  }
  seen.clear();
  const firstSeen = new Map<string, number>();
  let asOf = -Infinity;
  let first = Infinity;
  for (let k = 0; k < at.length; k++) {
    asOf = Math.max(asOf, at[k]!);
    first = Math.min(first, at[k]!);
    for (const id of [from[k]!, to[k]!]) {
      const f = firstSeen.get(id);
      if (f === undefined || at[k]! < f) firstSeen.set(id, at[k]!);
    }
  }
  if (!at.length) asOf = 0;
  const a = config.analysis;
  // The span in whole days, counted as the config's bound does (a window of d days holds asOf − d·DAY + 1 … asOf).
  // At most ACCTNET_WINDOW_DAYS's own bound (3650), so that the CLI's runs accept it.
  const windowDays = coverSpan && at.length ? Math.min(3650, Math.max(a.windowDays, Math.floor((asOf - first) / DAY) + 1)) : a.windowDays;
  const windowFrom = asOf - windowDays * DAY + 1;
  const aggregator = windowAggregator(config, windowFrom, asOf);
  const toBase = converter(config);
  let unconverted = 0;
  // Fed in the job's canonical order (src/runs/transfer-table.ts), not the file's: the aggregator's
  // floating-point sums follow the order it is fed in, and a run's results must not depend on how the
  // file happened to be sorted (a run reads Neo4j in store order and feeds the same canonical order).
  const table = new TransferTable();
  for (let k = 0; k < at.length; k++) {
    if (at[k]! < windowFrom || at[k]! > asOf) continue;
    table.add(from[k]!, to[k]!, minor[k]!, currency[k]!, at[k]!, channel[k]!, null);
  }
  const ids = table.ids.values;
  const currencies = table.currencies.values;
  const channels = table.channels.values;
  for (const k of table.canonicalOrder()) {
    const amount = toBase(table.minor[k]!, currencies[table.currency[k]!]!);
    if (amount === null) {
      unconverted++;
      continue;
    }
    aggregator.add({ from: ids[table.from[k]!]!, to: ids[table.to[k]!]!, amount, at: table.at[k]!, channel: channels[table.channel[k]!]! });
  }
  return {
    flows: aggregator.finish(),
    firstSeen,
    accounts: new Set(firstSeen.keys()),
    asOf,
    windowFrom,
    windowDays,
    rows,
    rejected,
    duplicates,
    unconverted,
  };
}
