// The datasets of npm run eval behind one interface: seeded synthetic worlds (dev/synth), a world
// with legit labels, the AMLSim export and the two AMLSim-20k samples in ../shared (absent from a
// user's clone: then skipped, visibly). Each dataset writes one CSV the importer reads and knows its truth.
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../src/config/index.js';
import type { SyntheticTransfer } from '../synth/background.js';
import { createRng, type Rng } from '../synth/rng.js';
import { createPatternWorld } from '../synth/aml-patterns.js';
import { createWorld, type TruthAccount, type TruthMigration, type WorldOptions } from '../synth/world.js';
import { writeTransfersCsv } from '../synth/write-csv.js';
import type { MigrationTruth } from './metrics.js';

const DAY = 86_400_000;
/**
 * The generator version the reported world figures use (recorded with every result): version 2
 * (docs/evaluation.md, "Synthetic data: versions"); version 1 is the frozen regression world.
 */
export const REPORT_WORLD_VERSION = 2;
/** World seeds that thresholds and weights were tuned on; never report on them. */
export const TUNING_WORLD_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

export interface EvalTruth {
  fraud: Set<string>;
  /** Accounts checked and found legit (datasets with legit ground truth, as a labelled network has). */
  legit?: Set<string>;
  typology: Map<string, string>;
  victims: Set<string>;
  lookalikes: Set<string>;
  /** null: the dataset has no migration truth. */
  migrations: MigrationTruth[] | null;
  /** Every account that appears in the data. */
  all: Set<string>;
  /**
   * A disguised copy of another dataset (amlsim20k-*-disguised): its name and each account's id
   * there. drawLabels then labels the accounts the original would label in the same seed, so the two
   * are compared label for label.
   */
  origin?: { dataset: string; idOf: Map<string, string> };
}

export interface PreparedDataset {
  file: string;
  /** Extra `acctnet import` arguments (`--map canonical=source` pairs). */
  mapArgs: string[];
  truth: EvalTruth;
}

export interface EvalDataset {
  /** Unique, used in --datasets (by kind) and file names. */
  name: string;
  /** What --datasets selects: world-v1, world-v2, patterns, world-legit, amlsim-export, amlsim20k-cycle200, amlsim20k-fanin200, amlsim20k-cycle200-legit, amlsim20k-fanin200-legit. */
  kind: string;
  description: string;
  /** Data we did not generate ourselves (the external targets apply). */
  external: boolean;
  /** Used for tuning: its figures are not a held-out measurement. */
  tuning: boolean;
  /** Generator or source version, recorded with every result. */
  version: string;
  prepare(dir: string, currency: string): Promise<PreparedDataset>;
}

export interface SkippedDataset {
  name: string;
  skipped: string;
}

interface WorldLike {
  truth: Array<Pick<TruthAccount, 'id' | 'fraud' | 'victim'> & { typology?: string | null; lookalike?: string | null }>;
  migrations: TruthMigration[];
  transfers(): Generator<SyntheticTransfer>;
}

async function accountsInCsv(file: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const lines = createInterface({ input: fs.createReadStream(file) });
  let first = true;
  for await (const line of lines) {
    if (first) {
      first = false;
      continue;
    }
    const [, from, to] = line.split(',');
    if (from) seen.add(from);
    if (to) seen.add(to);
  }
  return seen;
}

async function prepareWorld(world: WorldLike, dir: string): Promise<PreparedDataset> {
  const file = path.join(dir, 'transactions.csv');
  await writeTransfersCsv(file, world.transfers());
  const all = await accountsInCsv(file);
  return {
    file,
    mapArgs: [],
    truth: {
      fraud: new Set(world.truth.filter((a) => a.fraud && all.has(a.id)).map((a) => a.id)),
      typology: new Map(world.truth.filter((a) => a.fraud).map((a) => [a.id, a.typology ?? 'unknown'])),
      victims: new Set(world.truth.filter((a) => a.victim && !a.fraud).map((a) => a.id)),
      lookalikes: new Set(world.truth.filter((a) => a.lookalike && !a.fraud).map((a) => a.id)),
      migrations: world.migrations,
      all,
    },
  };
}

function worldDataset(seed: number, accounts: number, version: number, make: (currency: string) => WorldLike): EvalDataset {
  return {
    name: `world-v${version}-${seed}-${accounts}`,
    kind: `world-v${version}`,
    description: `world v${version} seed ${seed}, ${accounts} accounts`,
    external: false,
    tuning: TUNING_WORLD_SEEDS.includes(seed),
    version: `dev/synth world v${version}`,
    prepare: (dir, currency) => prepareWorld(make(currency), dir),
  };
}

const worldOptions = (seed: number, accounts: number, currency: string): WorldOptions => ({ seed, accounts, activity: 0.7, currency });

/**
 * A v2 world evaluated like a real labelled network: investigators also checked and labelled accounts
 * legit — every look-alike and victim, and random ordinary accounts (twice as many as the fraud
 * accounts). ROC-AUC is then over the held-out labelled accounts (fraud vs legit).
 */
function legitLabelWorld(seed: number, accounts: number): EvalDataset {
  return {
    name: `world-legit-v2-${seed}-${accounts}`,
    kind: 'world-legit',
    description: `world v2 seed ${seed}, ${accounts} accounts, with legit labels`,
    external: false,
    tuning: TUNING_WORLD_SEEDS.includes(seed),
    version: 'dev/synth world v2',
    async prepare(dir, currency) {
      const prepared = await prepareWorld(createWorld({ ...worldOptions(seed, accounts, currency), version: 2 }), dir);
      const t = prepared.truth;
      const legit = new Set([...t.lookalikes, ...t.victims].filter((id) => t.all.has(id) && !t.fraud.has(id)));
      for (const id of checkedLegit(t.all, new Set([...t.fraud, ...legit]), 2 * t.fraud.size, `eval-legit-checked-${seed}`)) legit.add(id);
      t.legit = legit;
      return prepared;
    },
  };
}

/** `count` accounts of `all` outside `exclude`, drawn with a seeded rng (sorted first: independent of the data's order). */
function checkedLegit(all: Set<string>, exclude: Set<string>, count: number, seed: string): Set<string> {
  const rng = createRng(seed);
  const ordinary = [...all].filter((id) => !exclude.has(id)).sort();
  const out = new Set<string>();
  for (let k = 0; k < Math.min(count, ordinary.length); k++) {
    const j = k + Math.floor(rng() * (ordinary.length - k));
    [ordinary[k], ordinary[j]] = [ordinary[j]!, ordinary[k]!];
    out.add(ordinary[k]!);
  }
  return out;
}

function sharedData(...parts: string[]): string {
  return path.resolve(projectRoot(), '..', 'shared', 'data', ...parts);
}

function amlsimExport(): EvalDataset | SkippedDataset {
  const dir = sharedData('amlsim-exports-v2');
  if (!fs.existsSync(path.join(dir, 'transactions.csv'))) return { name: 'amlsim-export', skipped: `skipped: not found at ${dir}` };
  return {
    name: 'amlsim-export',
    kind: 'amlsim-export',
    description: 'AMLSim export (100 accounts, 3 SAR fan-in alerts)',
    external: true,
    tuning: false,
    version: 'aiyazmiran/AMLSim-Exports-v2 @5af874d',
    async prepare() {
      const alerts = fs
        .readFileSync(path.join(dir, 'alert_accounts.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      const file = path.join(dir, 'transactions.csv');
      return {
        file,
        mapArgs: [
          'tx_id=tran_id',
          'from_account=orig_acct',
          'to_account=bene_acct',
          'amount=base_amt',
          'timestamp=tran_timestamp',
          'channel=tx_type',
        ].flatMap((m) => ['--map', m]),
        truth: {
          fraud: new Set(alerts.map((c) => c[2]!)),
          typology: new Map(alerts.map((c) => [c[2]!, c[1]!])),
          victims: new Set(),
          lookalikes: new Set(),
          migrations: null,
          all: await accountsInCsv(file),
        },
      };
    },
  };
}

/** The one-institution view's share of customers (amlsim20k-*-partial). */
export const CUSTOMER_SHARE = 0.4;

/**
 * What a disguised copy changes, so that nothing the analysis does can lean on the public sample's
 * surface: account ids in three opaque formats (phone-like, prefixed hex, UUID-like) instead of
 * small integers, transaction ids as hashes instead of row numbers, amounts 113× (a currency of
 * another magnitude: nothing round stays round), every timestamp 1,530 days and 7 hours later (other
 * weekdays, other hours of the day), and the rows in a seeded shuffle instead of time order. The
 * transfers, their timing relative to each other and the truth are the same.
 */
export const DISGUISE = { amountFactor: 113, shiftMs: 1530 * DAY + 7 * 3_600_000 };

export function disguisedId(id: string): string {
  const h = crypto.createHash('sha256').update(`acctnet-disguise-${id}`).digest('hex');
  const kind = parseInt(h.slice(0, 2), 16) % 3;
  if (kind === 0)
    return `+44 7${BigInt(`0x${h.slice(2, 14)}`)
      .toString()
      .padStart(9, '0')
      .slice(-9)}`;
  if (kind === 1) return `acct_${h.slice(2, 18)}`;
  return `${h.slice(2, 10)}-${h.slice(10, 14)}-4${h.slice(15, 18)}-a${h.slice(19, 22)}-${h.slice(22, 34)}`;
}

/**
 * How an AMLSim-20k copy differs from the sample (none: the sample as given).
 * - `withLegit`: checked-legit accounts in the truth (the shape of a real labelled network);
 * - `disguise`: the copy described at DISGUISE;
 * - `stepMs`: one AMLSim step taken as this long instead of a day;
 * - `customerShare`: one institution's view — a seeded share of the accounts (by a hash of the id) are
 *   its customers and only transfers with a customer on either side are kept (a bank sees its
 *   customers' transfers, not those between two accounts elsewhere); the truth is the accounts left;
 * - `flatAmount`: every amount replaced by this one (a network whose amounts say nothing).
 */
export interface AmlsimVariant {
  withLegit?: boolean;
  disguise?: boolean;
  stepMs?: number;
  customerShare?: number | null;
  flatAmount?: number | null;
}

/** Whether an account of the sample is a customer in the one-institution view (a seeded hash of its id). */
export function isCustomer(rawId: string, share: number): boolean {
  const h = crypto.createHash('sha256').update(`acctnet-eval-customer-${rawId}`).digest();
  return h.readUInt32BE(0) / 2 ** 32 < share;
}

/**
 * An AMLSim-20k sample as a CSV the importer reads: tx id = data row number (rows can be
 * byte-identical); step k → 2020-01-01T00:00Z + k days (k × `stepMs`), spread within the step by a
 * seeded rng; amounts as given, in the base currency. Fraud = isFraud = 1 (fraudStep −1 included;
 * the typology table tells the two apart). `disguise`: the copy described at DISGUISE.
 */
function amlsim20k(sample: 'cycle200' | 'fanin200', variant: AmlsimVariant = {}): EvalDataset | SkippedDataset {
  const { withLegit = false, disguise = false, stepMs = DAY, customerShare = null, flatAmount = null } = variant;
  const name = `amlsim20k-${sample}${withLegit ? '-legit' : ''}${disguise ? '-disguised' : ''}${stepMs !== DAY ? `-${stepMs / 3_600_000}h` : ''}${customerShare !== null ? '-partial' : ''}${flatAmount !== null ? '-flat' : ''}`;
  const dir = sharedData('amlsim-20k', sample);
  if (!fs.existsSync(path.join(dir, 'transactions.csv')) || !fs.existsSync(path.join(dir, 'nodes.csv')))
    return { name, skipped: `skipped: not found at ${dir}` };
  const pattern = sample === 'cycle200' ? 'cycle' : 'fan_in';
  return {
    name,
    kind: name,
    description: `AMLSim 20K ${sample} (${sample === 'cycle200' ? 'tuning' : 'held out'})${withLegit ? ', with legit labels' : ''}${disguise ? ', disguised (ids, amounts, times, row order)' : ''}${stepMs !== DAY ? `, one step = ${stepMs / 3_600_000} hours` : ''}${customerShare !== null ? `, one institution's view (${Math.round(customerShare * 100)}% of accounts its customers; transfers touching one)` : ''}${flatAmount !== null ? ', every amount the same' : ''}`,
    external: true,
    tuning: sample === 'cycle200',
    version: `IBM/AMLSim sample/20K_${sample} @7338a4bc`,
    async prepare(outDir, currency) {
      const file = path.join(outDir, 'transactions.csv');
      const out = fs.createWriteStream(file);
      out.write('tx_id,from_account,to_account,amount,currency,timestamp\n');
      const rng: Rng = createRng(`eval-amlsim20k-time-${sample}`);
      const start = Date.UTC(2020, 0, 1) + (disguise ? DISGUISE.shiftMs : 0);
      const all = new Set<string>();
      const idOf = new Map<string, string>();
      const idFor = (raw: string) => {
        if (!disguise) return raw;
        let id = idOf.get(raw);
        if (id === undefined) idOf.set(raw, (id = disguisedId(raw)));
        return id;
      };
      const lines: string[] = [];
      let row = 0;
      let buffer = '';
      for await (const line of createInterface({ input: fs.createReadStream(path.join(dir, 'transactions.csv')) })) {
        if (row++ === 0 || !line.trim()) continue;
        const [rawFrom, rawTo, rawFileValue, step] = line.split(',');
        // The time rng is drawn for every row, kept or not: a kept row's time is the one it has in the full sample.
        const at = start + Number(step) * stepMs + Math.floor(rng() * stepMs);
        if (customerShare !== null && !isCustomer(rawFrom!, customerShare) && !isCustomer(rawTo!, customerShare)) continue;
        const rawValue = flatAmount !== null ? flatAmount.toFixed(2) : rawFileValue!;
        const [from, to] = [idFor(rawFrom!), idFor(rawTo!)];
        all.add(from);
        all.add(to);
        if (disguise) {
          const cents = Math.round(Number(rawValue) * 100) * DISGUISE.amountFactor;
          const txId = crypto
            .createHash('sha256')
            .update(`acctnet-disguise-tx-${row - 1}`)
            .digest('hex')
            .slice(0, 24);
          lines.push(`${txId},${from},${to},${(cents / 100).toFixed(2)},${currency},${new Date(at).toISOString()}\n`);
          continue;
        }
        buffer += `${row - 1},${from},${to},${rawValue},${currency},${new Date(at).toISOString()}\n`;
        if (buffer.length > 1 << 16) {
          if (!out.write(buffer)) await once(out, 'drain');
          buffer = '';
        }
      }
      if (disguise) {
        // A seeded shuffle (Fisher–Yates): the file is no longer in time order.
        const order = createRng(`eval-amlsim20k-disguise-order-${sample}`);
        for (let k = lines.length - 1; k > 0; k--) {
          const j = Math.floor(order() * (k + 1));
          [lines[k], lines[j]] = [lines[j]!, lines[k]!];
        }
        for (const l of lines) {
          buffer += l;
          if (buffer.length > 1 << 16) {
            if (!out.write(buffer)) await once(out, 'drain');
            buffer = '';
          }
        }
      }
      out.end(buffer);
      await once(out, 'finish');
      const originalOf = new Map([...idOf].map(([raw, id]) => [id, raw]));
      if (originalOf.size !== idOf.size) throw new Error(`${name}: two accounts got the same disguised id`);
      const fraud = new Set<string>();
      const typology = new Map<string, string>();
      const nodes = fs.readFileSync(path.join(dir, 'nodes.csv'), 'utf8').trim().split('\n').slice(1);
      for (const l of nodes) {
        const [raw, isFraud, , fraudStep] = l.split(',');
        const id = disguise ? idOf.get(raw!) : raw!;
        if (isFraud?.trim() !== '1' || id === undefined || !all.has(id)) continue;
        fraud.add(id);
        typology.set(id, Number(fraudStep) === -1 ? `${pattern} (fraudStep -1)` : pattern);
      }
      const truth: EvalTruth = { fraud, typology, victims: new Set(), lookalikes: new Set(), migrations: null, all };
      const original = name.replace(/-disguised$/, '');
      if (withLegit) {
        const legit = checkedLegit(
          new Set([...all].map((id) => originalOf.get(id) ?? id)),
          new Set([...fraud].map((id) => originalOf.get(id) ?? id)),
          fraud.size,
          `eval-legit-checked-${original}`,
        );
        truth.legit = new Set([...legit].map((id) => (disguise ? idOf.get(id)! : id)));
      }
      if (disguise) truth.origin = { dataset: original, idOf: originalOf };
      return { file, mapArgs: [], truth };
    },
  };
}

export const DATASET_KINDS = [
  'world-v1',
  'world-v2',
  'patterns',
  'world-legit',
  'amlsim-export',
  'amlsim20k-cycle200',
  'amlsim20k-fanin200',
  'amlsim20k-cycle200-legit',
  'amlsim20k-fanin200-legit',
  'amlsim20k-fanin200-disguised',
  'amlsim20k-fanin200-6h',
  'amlsim20k-cycle200-partial',
  'amlsim20k-fanin200-partial',
  'amlsim20k-fanin200-flat',
];

/** The datasets selected, in order; unavailable ones as skipped entries (reported, never silently dropped). */
export async function selectDatasets(opts: {
  kinds: readonly string[];
  seeds: readonly number[];
  accounts: number;
  skipAmlsim: boolean;
}): Promise<Array<EvalDataset | SkippedDataset>> {
  const out: Array<EvalDataset | SkippedDataset> = [];
  const want = (k: string) => opts.kinds.includes(k);
  if (want('world-v1'))
    for (const seed of opts.seeds)
      out.push(worldDataset(seed, opts.accounts, 1, (currency) => createWorld(worldOptions(seed, opts.accounts, currency))));
  if (want('world-v2'))
    for (const seed of opts.seeds)
      out.push(
        worldDataset(seed, opts.accounts, 2, (currency) => createWorld({ ...worldOptions(seed, opts.accounts, currency), version: 2 })),
      );
  if (want('patterns'))
    for (const seed of opts.seeds)
      out.push({
        name: `patterns-${seed}-${opts.accounts}`,
        kind: 'patterns',
        description: `pattern world seed ${seed}, ${opts.accounts} accounts`,
        external: false,
        tuning: TUNING_WORLD_SEEDS.includes(seed),
        version: 'dev/synth pattern world (v2 background)',
        prepare: (dir, currency) => prepareWorld(createPatternWorld(worldOptions(seed, opts.accounts, currency)), dir),
      });
  if (want('world-legit')) out.push(legitLabelWorld(opts.seeds[0] ?? 101, opts.accounts));
  const amlsim = [
    ['amlsim-export', amlsimExport],
    ['amlsim20k-cycle200', () => amlsim20k('cycle200')],
    ['amlsim20k-fanin200', () => amlsim20k('fanin200')],
    ['amlsim20k-cycle200-legit', () => amlsim20k('cycle200', { withLegit: true })],
    ['amlsim20k-fanin200-legit', () => amlsim20k('fanin200', { withLegit: true })],
    ['amlsim20k-fanin200-disguised', () => amlsim20k('fanin200', { disguise: true })],
    ['amlsim20k-fanin200-6h', () => amlsim20k('fanin200', { stepMs: 6 * 3_600_000 })],
    ['amlsim20k-cycle200-partial', () => amlsim20k('cycle200', { customerShare: CUSTOMER_SHARE })],
    ['amlsim20k-fanin200-partial', () => amlsim20k('fanin200', { customerShare: CUSTOMER_SHARE })],
    ['amlsim20k-fanin200-flat', () => amlsim20k('fanin200', { flatAmount: 100 })],
  ] as const;
  for (const [kind, make] of amlsim) {
    if (!want(kind)) continue;
    out.push(opts.skipAmlsim ? { name: kind, skipped: 'skipped: --skip-amlsim' } : make());
  }
  return out;
}

export const isSkipped = (d: EvalDataset | SkippedDataset): d is SkippedDataset => 'skipped' in d;
