// What a blacklist version holds, beyond the pure builder in analysis/blacklist.ts: score churn.
import type { BlacklistEntry } from '../analysis/blacklist.js';

export {
  assertEntryIds,
  buildBlacklist,
  diffBlacklists,
  guardDecision,
  type BlacklistEntry,
  type Override,
} from '../analysis/blacklist.js';

/**
 * Score churn (ACCTNET_SCORE_CHURN_STEP): an entry that is on the served list with the same cluster
 * and reasons and a score within `step` of the served one keeps the served score. So a version
 * changes an entry only when it matters, every diff between two versions stays exact (it is computed
 * from stored entries), and diffs compose: v1→v2 plus v2→v3 equals v1→v3.
 */
export function keepServedScores(entries: BlacklistEntry[], served: readonly BlacklistEntry[], step: number): BlacklistEntry[] {
  if (step <= 0 || served.length === 0) return entries;
  const before = new Map(served.map((e) => [e.accountId, e]));
  return entries.map((e) => {
    const old = before.get(e.accountId);
    if (
      old &&
      old.score !== e.score &&
      Math.abs(old.score - e.score) < step &&
      old.clusterId === e.clusterId &&
      old.reasons.join(';') === e.reasons.join(';')
    )
      return { ...e, score: old.score };
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
