// Accounts a run listed and a later run dropped from the served list. A blocked account that dies
// loses the activity its score rested on, and that is when its successor rises: the successor watch
// keeps such an account as an unlisted predecessor and a run lets it fall at its listing, as it does
// for a listed one (docs/decisions.md, "The watch keeps accounts a run dropped from the list").
import type { LabelValue } from '../analysis/risk.js';
import type { BlacklistRepository } from '../neo4j/repositories/blacklist.js';
import type { SuccessorRepository } from '../neo4j/repositories/successors.js';

export interface DroppedAccount {
  id: string;
  /** Its last listed score. */
  score: number;
  /** The data time of the last version that listed it. */
  lastListedAt: number;
  /** The data time of the run version that dropped it (lastListedAt when that version is not stored). */
  droppedAt: number;
}

/**
 * The accounts a run's served version listed at a data time since `since` and the served version
 * `served` no longer lists, but not those an investigator excluded or labelled legit: they left the
 * list by a person's decision, not by dying.
 */
export async function droppedFromList(
  deps: { blacklist: BlacklistRepository; successors: SuccessorRepository },
  served: number,
  since: number,
  labels: ReadonlyMap<string, LabelValue>,
): Promise<DroppedAccount[]> {
  const dropped = await deps.successors.droppedListed(served, since);
  if (dropped.length === 0) return dropped;
  const excluded = new Set((await deps.blacklist.overrides()).filter((o) => o.action === 'exclude').map((o) => o.accountId));
  return dropped.filter((d) => !excluded.has(d.id) && labels.get(d.id) !== 'legit');
}
