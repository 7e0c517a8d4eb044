// acctnet/analysis/fusion: one account score from the rules and the learned model, the list and the
// review list, and the words that explain them.
//
// - ACCTNET_LEARNED=on with a trained model: the score is the learned model's calibrated probability
//   (the model reads the rules' score, label proximity along money flows, cluster shape, migration
//   links and the anomaly score as features, so it weighs them by what the labels confirm on this
//   data). A fraud label makes it 1; a legit label caps it at LEGIT_CAP.
// - off, shadow, or too few labels: the score is the rules' score, as before the learned model.
//   In shadow mode the learned list is computed and kept on the run record (shadowCandidates) but
//   not served.
// An account at or above the threshold is listed when it has evidence an investigator can check
// beyond the model (a label, money from or to risky accounts as a relay, a risky cluster, a shape, a
// migration); one whose only evidence is the learned or anomaly score goes to the review list,
// unless its score reaches modelOnlyThreshold.
// Hysteresis: an account a run listed on the served list stays listed (STILL_LISTED) while its score
// is at or above the release score, evidence or not, unless a legit label holds it.
import { STILL_LISTED, type BlacklistEntry } from './blacklist.js';
import type { FeatureColumn } from './feature-table.js';
import { LEARNED_COLUMNS, type LearnedResult } from './learned.js';
import type { LabelValue, RiskResult } from './risk.js';

export const LEGIT_CAP = 0.1;

/**
 * Reason codes that are evidence an investigator can check without the model: a label, money from
 * or to risky accounts, a risky cluster, a flow shape (a cluster's, a burst's, a relay chain's), a
 * migration. The account's own behaviour (PASS_THROUGH, NEW_HIGH_VELOCITY) is not: busy small
 * businesses and payment agents pass money through legitimately, and the model already weighs
 * behaviour.
 */
export const EVIDENCE_CODES: ReadonlySet<string> = new Set([
  'LABELLED_FRAUD',
  'FUNDS_FROM_RISKY',
  'FUNDS_TO_RISKY',
  'MIGRATED_FROM',
  'CLUSTER_RISK',
  'TYPOLOGY',
  'COORDINATED_BURST',
  'BURST_CENTRE',
  'BURST_SIBLING',
  'RELAYED',
  'RELAY_CHAIN',
  'SAME_AMOUNT_AS',
  'SAME_AMOUNT_COLLECTOR',
  'COLLECTED_FROM',
]);

export interface FusionInput {
  ids: readonly string[];
  labels: ReadonlyMap<string, LabelValue>;
  rules: RiskResult;
  learned: LearnedResult;
  clusterOf: ReadonlyArray<string | null>;
  /** Own behaviour, to tell a relay (evidence) from a relative or a shop (not evidence) among those paid by risky accounts. */
  forwardShare: Float64Array;
  ordinary: Float64Array;
  threshold: number;
  modelOnlyThreshold: number;
  /** The model alone reviews or lists an account only with at least this many transfers (inCount + outCount) in the window; 0 or absent: no bar. */
  reviewMinTransfers?: number;
  inCount?: ArrayLike<number>;
  outCount?: ArrayLike<number>;
  /** The list's hysteresis: null (off) or the score a listed account must fall below to leave the list. */
  releaseScore?: number | null;
  /** Accounts a run listed on the served list (manual and provisional entries left out). */
  listedBefore?: ReadonlySet<string>;
}

export interface FusedScores {
  score: Float64Array;
  reasons: string[][];
  candidates: BlacklistEntry[];
  review: BlacklistEntry[];
  shadowCandidates: BlacklistEntry[] | null;
  /** Reasons that get the learned model's explanation (the served ones, or the shadow list's own copies). */
  explain: Array<{ index: number; reasons: string[] }>;
}

const codeOf = (reason: string) => reason.split(':', 1)[0]!;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Money from or to risky accounts: evidence only for an account that behaves like a relay. */
const FLOW_CODES: ReadonlySet<string> = new Set(['FUNDS_FROM_RISKY', 'FUNDS_TO_RISKY']);

/**
 * Evidence an investigator can check without the model. Receiving money from (or paying) a risky
 * account is not evidence by itself — relatives, landlords and shops receive from fraudsters, victims
 * pay them — so it counts only for an account that passes money on (forward share ≥ 0.3) or has
 * next to no ordinary life (ordinary share < 0.2).
 */
export function hasEvidence(reasons: readonly string[], relay = true): boolean {
  return reasons.some((r) => {
    const code = codeOf(r);
    return EVIDENCE_CODES.has(code) && (relay || !FLOW_CODES.has(code));
  });
}

function learnedScores(inp: FusionInput): Float64Array | null {
  const l = inp.learned.score;
  if (!l) return null;
  const n = inp.ids.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const value = inp.labels.get(inp.ids[i]!);
    out[i] = r3(value === 'fraud' ? 1 : value === 'legit' ? Math.min(l[i]!, LEGIT_CAP) : l[i]!);
  }
  return out;
}

function split(
  inp: FusionInput,
  score: Float64Array,
  reasons: string[][],
): { candidates: BlacklistEntry[]; review: BlacklistEntry[]; explain: FusedScores['explain'] } {
  const candidates: BlacklistEntry[] = [];
  const review: BlacklistEntry[] = [];
  const explain: FusedScores['explain'] = [];
  const release = inp.releaseScore ?? null;
  const before = inp.listedBefore;
  const minTransfers = inp.inCount && inp.outCount ? (inp.reviewMinTransfers ?? 0) : 0;
  for (let i = 0; i < score.length; i++) {
    const id = inp.ids[i]!;
    const held = release !== null && before !== undefined && score[i]! >= release && before.has(id) && inp.labels.get(id) !== 'legit';
    if (score[i]! < inp.threshold && !held) continue;
    // The entry shares the reasons array: the explanation added later shows in the entry too (and
    // in the account's result when the model alone may not list or review it).
    explain.push({ index: i, reasons: reasons[i]! });
    const entry = { accountId: id, clusterId: inp.clusterOf[i] ?? null, score: score[i]!, reasons: reasons[i]! };
    const relay = inp.forwardShare[i]! >= 0.3 || inp.ordinary[i]! < 0.2;
    const evidence = hasEvidence(reasons[i]!, relay);
    // Too little history for the model alone (ACCTNET_REVIEW_MIN_TRANSFERS): neither listed nor reviewed on it.
    const judged = evidence || minTransfers === 0 || inp.inCount![i]! + inp.outCount![i]! >= minTransfers;
    if (score[i]! >= inp.threshold && (evidence || (judged && score[i]! >= inp.modelOnlyThreshold))) candidates.push(entry);
    else if (held) {
      reasons[i]!.push(STILL_LISTED);
      candidates.push(entry);
    } else if (judged) review.push(entry);
  }
  const byId = (a: BlacklistEntry, b: BlacklistEntry) => (a.accountId < b.accountId ? -1 : 1);
  return { candidates: candidates.sort(byId), review: review.sort(byId), explain };
}

export function fuseScores(inp: FusionInput): FusedScores {
  const learned = learnedScores(inp);
  const mode = inp.learned.card.mode;
  const reasons = inp.rules.reasons.map((r) => [...r]);
  if (learned && mode === 'on') {
    const { candidates, review, explain } = split(inp, learned, reasons);
    return { score: learned, reasons, candidates, review, shadowCandidates: null, explain };
  }
  const { candidates, review } = split(inp, inp.rules.score, reasons);
  if (learned && mode === 'shadow') {
    // The shadow list explains itself on its own copies: the served entries stay as the rules made them.
    const shadow = split(
      inp,
      learned,
      reasons.map((r) => [...r]),
    );
    return { score: inp.rules.score, reasons, candidates, review, shadowCandidates: shadow.candidates, explain: shadow.explain };
  }
  return { score: inp.rules.score, reasons, candidates, review, shadowCandidates: null, explain: [] };
}

/** Columns whose value means nothing to an investigator on its own (a random walk's mass, log PageRank): shown by rank only. */
const RANK_ONLY = new Set(['fraud_downstream', 'fraud_upstream', 'legit_proximity', 'pagerank']);
/** Natural-log ratios: shown as a factor (×0.05 = a twentieth of the earlier rate). */
const LOG_RATIO = new Set(['velocity_change', 'fan_ratio']);
/** 0/1 columns: yes or no. */
const YES_NO = new Set(['cluster_flow_shape', 'hub']);

/**
 * One feature of the learned model's top contributions in words: its text, its value in the unit an
 * investigator can check, and where the account stands among all accounts (`share`: the share of
 * accounts with a value at least as high).
 */
export function featurePhrase(column: { name: string; text: string; unit: string; log?: boolean }, value: number, share: number): string {
  const top = share < 0.01 ? '1' : String(Math.ceil(share * 100));
  if (RANK_ONLY.has(column.name))
    return share <= 0.5
      ? `${column.text}: top ${top}% of accounts`
      : `${column.text}: low (bottom ${Math.max(1, Math.ceil((1 - share) * 100))}%)`;
  const rank = share <= 0.5 ? ` (top ${top}%)` : '';
  if (YES_NO.has(column.name)) return `${column.text}: ${value >= 0.5 ? 'yes' : 'no'}`;
  if (LOG_RATIO.has(column.name)) {
    const factor = Math.exp(value);
    return `${column.text.replace(/ \(log ratio\)$/, '')} ×${factor >= 10 ? Math.round(factor) : factor >= 0.1 ? factor.toFixed(2) : factor.toPrecision(1)}${rank}`;
  }
  return `${column.text} ${display(column, value)}${rank}`;
}

function display(column: { unit: string; log?: boolean }, value: number): string {
  const raw = column.log ? Math.expm1(value) : value;
  switch (column.unit as FeatureColumn['unit']) {
    case 'share':
      return `${Math.round(raw * 100)}%`;
    case 'count':
    case 'days':
      return `${Math.round(raw)}`;
    case 'amount':
      return `${Math.round(raw).toLocaleString('en-US')}`;
    case 'hours':
      return `${raw.toFixed(1)} h`;
    default:
      return `${Math.round(raw * 100) / 100}`;
  }
}

/**
 * Adds the learned model's explanation to the reasons of every account at or above the threshold:
 * `LEARNED:<score>:<feature> <value> (top N%) | …` — the three features that raised its score most
 * (path contributions of the trees), each with the account's value and where it stands among all
 * accounts, joined with ` | ` (not `;`: the CSV list joins an entry's reasons with `;`) — and
 * `ANOMALY:<score>:unlike its peers` when the anomaly score is high.
 */
export function explainLearned(learned: LearnedResult, fused: FusedScores): void {
  const { model, x, score } = learned;
  if (!model || !score) return;
  const d = x.cols;
  const sorted = new Map<number, Float64Array>();
  const topShare = (k: number, value: number) => {
    let col = sorted.get(k);
    if (!col) {
      const values: number[] = [];
      for (let i = 0; i < x.rows; i++) {
        const v = x.data[i * d + k]!;
        if (v === v) values.push(v);
      }
      col = Float64Array.from(values).sort();
      sorted.set(k, col);
    }
    // Share of accounts with a value at least this high.
    let lo = 0;
    let hi = col.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (col[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return col.length ? (col.length - lo) / col.length : 1;
  };
  for (const { index: i, reasons } of fused.explain) {
    const contributions = model.contributions(x, i);
    const top = Array.from(contributions, (c, k) => ({ c, k }))
      .filter((t) => t.c > 0 && x.data[i * d + t.k] === x.data[i * d + t.k])
      .sort((a, b) => b.c - a.c)
      .slice(0, 3)
      .map(({ k }) => {
        const column = LEARNED_COLUMNS[k]!;
        const value = x.data[i * d + k]!;
        return featurePhrase(column, value, topShare(k, value));
      });
    if (top.length) reasons.push(`LEARNED:${r3(score[i]!)}:${top.join(' | ')}`);
    const anomaly = learned.anomaly[i]!;
    if (anomaly >= 0.6) reasons.push(`ANOMALY:${r3(anomaly)}:unlike its peers`);
  }
}
