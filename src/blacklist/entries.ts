// What a blacklist version holds, beyond the pure builder in analysis/blacklist.ts: score churn.
import { STILL_LISTED, type BlacklistEntry } from '../analysis/blacklist.js';

export {
  assertEntryIds,
  buildBlacklist,
  diffBlacklists,
  guardDecision,
  type BlacklistEntry,
  type Override,
} from '../analysis/blacklist.js';

/** Reasons whose detail is `<account>:<figure>`: the account is what the reason says, the figure how much. */
const ACCOUNT_REASONS = new Set([
  'MIGRATED_FROM',
  'COORDINATED_BURST',
  'BURST_CENTRE',
  'BURST_SIBLING',
  'COLLECTED_FROM',
  'RELAYED',
  'SAME_AMOUNT_AS',
  'SAME_AMOUNT_COLLECTOR',
]);
/** Reasons whose detail is only figures (shares, scores, counts, the learned model's top features and their values). */
const FIGURE_REASONS = new Set([
  'FUNDS_FROM_RISKY',
  'FUNDS_TO_RISKY',
  'CLUSTER_RISK',
  'PASS_THROUGH',
  'NEW_HIGH_VELOCITY',
  'NO_ORDINARY_ACTIVITY',
  'RELAY_CHAIN',
  'LEARNED',
  'ANOMALY',
]);

/**
 * What a reason says, without how much: its code, and for the reasons about another account that
 * account (`MIGRATED_FROM:A7:0.83` → `MIGRATED_FROM:A7`; the account is everything between the first
 * and the last colon, so ids holding colons or digits stay whole). Any other reason (labels, manual
 * entries, `PROVISIONAL`, `TYPOLOGY:<type>`, codes this function does not know) is compared whole.
 */
export function reasonIdentity(reason: string): string {
  const colon = reason.indexOf(':');
  if (colon < 0) return reason;
  const code = reason.slice(0, colon);
  if (FIGURE_REASONS.has(code)) return code;
  if (ACCOUNT_REASONS.has(code)) {
    const last = reason.lastIndexOf(':');
    return last > colon ? reason.slice(0, last) : reason;
  }
  return reason;
}

/**
 * The same evidence: the same reason identities, `STILL_LISTED` left out — an entry the hysteresis
 * keeps is still listed for the evidence it has; gaining or losing the marker alone is not a change
 * for gateways (an account hovering around the threshold would otherwise be re-sent every night).
 */
function sameEvidence(a: readonly string[], b: readonly string[]): boolean {
  const x = a
    .filter((r) => r !== STILL_LISTED)
    .map(reasonIdentity)
    .sort();
  const y = b
    .filter((r) => r !== STILL_LISTED)
    .map(reasonIdentity)
    .sort();
  return x.length === y.length && x.every((r, k) => r === y[k]);
}

/**
 * Score churn (ACCTNET_SCORE_CHURN_STEP): an entry that is on the served list with the same cluster
 * and the same evidence — the same reasons, whatever their figures (shares, link and model scores,
 * the learned model's top features: they move with every retraining) — and a score within `step` of
 * the served one is kept exactly as served, score and reasons. So a version changes an entry only
 * when it matters, every diff between two versions stays exact (it is computed from stored
 * entries), and diffs compose: v1→v2 plus v2→v3 equals v1→v3. A new reason, a lost one, another
 * account named by one, another cluster, or a move of the step or more is a change, sent whole.
 */
export function keepServedScores(entries: BlacklistEntry[], served: readonly BlacklistEntry[], step: number): BlacklistEntry[] {
  if (step <= 0 || served.length === 0) return entries;
  const before = new Map(served.map((e) => [e.accountId, e]));
  return entries.map((e) => {
    const old = before.get(e.accountId);
    if (old && Math.abs(old.score - e.score) < step && old.clusterId === e.clusterId && sameEvidence(old.reasons, e.reasons)) return old;
    return e;
  });
}

export function sameEntries(a: readonly BlacklistEntry[], b: readonly BlacklistEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x.accountId !== y.accountId || x.clusterId !== y.clusterId || x.score !== y.score || x.reasons.join(';') !== y.reasons.join(';'))
      return false;
  }
  return true;
}
