// acctnet/analysis/blacklist: accounts above the threshold with their cluster, score and reasons,
// investigator overrides applied; diffs between versions; the publish guard.

export interface BlacklistEntry {
  accountId: string;
  /** null for accounts outside any cluster (hubs, isolated) and for manual entries. */
  clusterId: string | null;
  /** 0..1 */
  score: number;
  reasons: string[];
}

export interface Override {
  accountId: string;
  action: 'include' | 'exclude';
  reason: string;
}

/**
 * The reason of an entry a run keeps on the list below the threshold or without evidence: a run
 * listed it before and its score has not fallen below the release score (ACCTNET_LIST_RELEASE_MARGIN).
 */
export const STILL_LISTED = 'STILL_LISTED';

/** An entry a run made (not a manual entry, not a provisional successor): what a run's list is rebuilt from, and what its hysteresis keeps. */
export function madeByRun(e: BlacklistEntry): boolean {
  return e.reasons[0] !== 'MANUAL_INCLUDE' && !e.reasons.includes(PROVISIONAL_REASON);
}

/** The list's release score: threshold − ACCTNET_LIST_RELEASE_MARGIN (3 decimals), or null when the margin is off. */
export function releaseScore(threshold: number, margin: number | null): number | null {
  return margin === null ? null : Math.max(0, Math.round((threshold - margin) * 1000) / 1000);
}

/**
 * The list's order: account ids by Unicode code point, which is the byte order of their UTF-8 (what
 * docs/outputs.md promises a gateway that merges or binary-searches the file). JavaScript's `<`
 * compares UTF-16 units, which differs for ids mixing characters above U+FFFF (surrogate pairs) with
 * U+E000–U+FFFF.
 */
export function compareIds(x: string | null | undefined, y: string | null | undefined): number {
  // An entry without an id sorts first (the publication path refuses it afterwards, saying so).
  const a = x ?? '';
  const b = y ?? '';
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate stands for a code point above U+FFFF: after anything from U+E000 up.
    if (xs !== ys && (xs ? y : x) >= 0xe000) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Candidates at or above the threshold (or kept by the run's hysteresis: STILL_LISTED), overrides applied. */
export function buildBlacklist(candidates: Iterable<BlacklistEntry>, threshold: number, overrides: Iterable<Override>): BlacklistEntry[] {
  const byAccount = new Map<string, BlacklistEntry>();
  for (const e of candidates) if (e.score >= threshold || e.reasons.includes(STILL_LISTED)) byAccount.set(e.accountId, e);
  for (const o of overrides) {
    if (o.action === 'exclude') byAccount.delete(o.accountId);
    else byAccount.set(o.accountId, { accountId: o.accountId, clusterId: null, score: 1, reasons: ['MANUAL_INCLUDE'] });
  }
  return [...byAccount.values()].sort((a, b) => compareIds(a.accountId, b.accountId));
}

/**
 * A list must never reach gateways with an entry that has no account id (a gateway would block a
 * blank id, or an account's block would silently be missing): the publication path refuses it.
 */
export function assertEntryIds(entries: readonly BlacklistEntry[]): void {
  const bad = entries.filter((e) => typeof e.accountId !== 'string' || e.accountId.trim() === '').length;
  if (bad)
    throw new Error(
      `refusing to publish: ${bad} of ${entries.length} blacklist entries have no account id (an analysis fault; nothing was published)`,
    );
}

export interface BlacklistDiff {
  added: BlacklistEntry[];
  removed: string[];
}

/** What a gateway holding `from` must add and remove to hold `to` (entries whose score or reasons changed are re-sent as added). */
export function diffBlacklists(from: readonly BlacklistEntry[], to: readonly BlacklistEntry[]): BlacklistDiff {
  const before = new Map(from.map((e) => [e.accountId, e]));
  const after = new Set(to.map((e) => e.accountId));
  const added = to.filter((e) => {
    const old = before.get(e.accountId);
    return !old || old.clusterId !== e.clusterId || old.score !== e.score || old.reasons.join(';') !== e.reasons.join(';');
  });
  const removed = from.filter((e) => !after.has(e.accountId)).map((e) => e.accountId);
  return { added, removed };
}

export interface GuardLimits {
  /** Largest relative change of the list's size, e.g. 0.2 for ±20%. */
  maxSizeChange: number;
  /** Largest share of entries added or removed relative to the served list. */
  maxChurn: number;
  /** Below this many served entries the guard does not apply (a young list changes a lot). */
  minServedSize: number;
}

export const GUARD_DEFAULTS: GuardLimits = { maxSizeChange: 0.2, maxChurn: 0.2, minServedSize: 20 };

export interface GuardDecision {
  hold: boolean;
  sizeChange: number;
  churn: number;
  reason: string | null;
}

export function guardDecision(
  servedSize: number | null,
  candidateSize: number,
  added: number,
  removed: number,
  limits: GuardLimits = GUARD_DEFAULTS,
): GuardDecision {
  if (servedSize === null) return { hold: false, sizeChange: 0, churn: 0, reason: null };
  const base = Math.max(servedSize, 1);
  const sizeChange = (candidateSize - servedSize) / base;
  const churn = (added + removed) / base;
  if (servedSize < limits.minServedSize) return { hold: false, sizeChange, churn, reason: null };
  const reasons: string[] = [];
  if (Math.abs(sizeChange) > limits.maxSizeChange)
    reasons.push(`size ${servedSize} → ${candidateSize} (${(sizeChange * 100).toFixed(1)}%, limit ±${limits.maxSizeChange * 100}%)`);
  if (churn > limits.maxChurn)
    reasons.push(
      `churn ${added} added + ${removed} removed = ${(churn * 100).toFixed(1)}% of the served list (limit ${limits.maxChurn * 100}%)`,
    );
  return { hold: reasons.length > 0, sizeChange, churn, reason: reasons.length ? reasons.join('; ') : null };
}

/** A successor the watch listed ahead of a run (auto-listed, or confirmed by an investigator). */
export interface ProvisionalListing {
  from: string;
  to: string;
  /** The link score. */
  score: number;
}

/** A provisional successor's score on a list: its predecessor's score there × the link score (3 decimals). */
export function provisionalListScore(predecessorScore: number, linkScore: number): number {
  return Math.round(predecessorScore * linkScore * 1000) / 1000;
}

/** The second reason of every provisional entry (after `MIGRATED_FROM:<A>:<link score>`). */
export const PROVISIONAL_REASON = 'PROVISIONAL';

/**
 * Adds the provisional successors to a built list: S enters with score = its predecessor's score on
 * this list × the link score and reasons [`MIGRATED_FROM:<A>:<link>`, `PROVISIONAL`], as long as
 * its predecessor is on the list (followed `maxDepth` links deep: A → S1 → S2), S is not on it
 * already (a run's or a manual entry stands), no exclude override holds S, and that score reaches
 * `threshold` (as a run lists: a link a run confirms must not take S off the list) — or, for an S
 * the served list holds already (`stay.served`), the release score (`stay.release`: the list's
 * hysteresis, as for a run's entries).
 */
export function withProvisional(
  entries: readonly BlacklistEntry[],
  provisional: readonly ProvisionalListing[],
  overrides: Iterable<Override>,
  maxDepth: number,
  threshold = 0,
  stay?: { served: ReadonlySet<string>; release: number | null },
): BlacklistEntry[] {
  if (provisional.length === 0) return [...entries];
  const excluded = new Set<string>();
  for (const o of overrides) if (o.action === 'exclude') excluded.add(o.accountId);
  const byAccount = new Map(entries.map((e) => [e.accountId, e]));
  for (let depth = 0; depth < maxDepth; depth++) {
    const round = new Map<string, BlacklistEntry>();
    for (const p of provisional) {
      if (byAccount.has(p.to) || excluded.has(p.to) || p.to === p.from) continue;
      const predecessor = byAccount.get(p.from);
      if (!predecessor) continue;
      const score = provisionalListScore(predecessor.score, p.score);
      const bar = stay && stay.release !== null && stay.served.has(p.to) ? Math.min(threshold, stay.release) : threshold;
      if (score < bar) continue;
      const entry = {
        accountId: p.to,
        clusterId: null,
        score,
        reasons: [`MIGRATED_FROM:${p.from}:${Math.round(p.score * 100) / 100}`, PROVISIONAL_REASON],
      };
      const best = round.get(p.to);
      if (!best || entry.score > best.score) round.set(p.to, entry);
    }
    if (round.size === 0) break;
    for (const [id, e] of round) byAccount.set(id, e);
  }
  return [...byAccount.values()].sort((a, b) => compareIds(a.accountId, b.accountId));
}
