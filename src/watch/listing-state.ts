// What investigators and scripts are told about a watch successor's listing: whether S is on the
// served list now, and if it is not, why. The stored `listed` flag says what the watch or an
// investigator asked for (an input of the list builder); the list builder still leaves such a
// successor out while its predecessor is not listed, when A's score × the link falls below the
// threshold, past the chain depth, under an exclude override, and a pinned version holds every new
// one. Shown as stored, a confirm of a successor whose predecessor is not listed said "listed" while
// gateways never got it (docs/decisions.md, "Issue 13 — `listed` says what gateways hold").
import type { Driver } from 'neo4j-driver';
import { provisionalListScore } from '../analysis/blacklist.js';
import type { Config } from '../config/index.js';
import { runListSettings } from '../blacklist/list-settings.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import type { Successor } from '../neo4j/repositories/successors.js';

/** The successors with `listed` and `heldBecause` as the served list has them (see the header). */
export async function withServedListing(driver: Driver, config: Config, items: readonly Successor[]): Promise<Successor[]> {
  if (items.length === 0) return [];
  const repo = createBlacklistRepository(driver, config.neo4j);
  const state = await repo.state();
  const version = state.servedVersion;
  const ids = [...new Set(items.flatMap((s) => [s.from, s.to]))];
  const entries = version === null ? new Map<string, { score: number }>() : await repo.entriesFor(version, ids);
  // The bar the served version's run judged its list by (publications use it, not this process's).
  // Read only when a successor's reason needs it (rare: an account's page asks for this every time).
  let threshold: number | undefined;
  const servedThreshold = async () =>
    (threshold ??= (await runListSettings(driver, config, version === null ? null : ((await repo.get(version))?.runId ?? null))).threshold);
  const out: Successor[] = [];
  for (const s of items) {
    if (s.status === 'rejected') {
      out.push({ ...s, listed: false });
      continue;
    }
    // On the served list: as a provisional entry, or already for its own evidence (a run's or a manual entry).
    if (entries.has(s.to)) {
      out.push({ ...s, listed: true, heldBecause: null });
      continue;
    }
    // Not listed, and nobody asked for it: the stored reason (auto-list off, the breaker…) stands.
    if (!s.listed) {
      out.push(s);
      continue;
    }
    const predecessor = entries.get(s.from);
    const listScore = predecessor ? provisionalListScore(predecessor.score, s.score) : null;
    let why: string;
    if (version === null) why = 'no blacklist version is served yet';
    else if (state.pinnedVersion !== null)
      why = `version ${state.pinnedVersion} is pinned: new listings are held like any other version until it is unpinned`;
    else if (!predecessor)
      why = 'the predecessor is not on the served list: a provisional successor is listed only while its predecessor is';
    else if (listScore! < (await servedThreshold()))
      why = `its list score ${listScore} (the predecessor's served score × the link score) is below ACCTNET_BLACKLIST_THRESHOLD=${threshold} (the served run's)`;
    else if (s.depth > config.watch.chainDepth) why = `the chain is deeper than ACCTNET_WATCH_CHAIN_DEPTH=${config.watch.chainDepth}`;
    else if ((await repo.override(s.to))?.action === 'exclude') why = 'an exclude override holds it off the list';
    else why = 'not on the served list yet: its publication is pending (or was held by the guard)';
    out.push({ ...s, listed: false, heldBecause: why });
  }
  return out;
}

/** withServedListing over a map by pair key (the watch's records of a page of a run's links). */
export async function servedListingByKey(
  driver: Driver,
  config: Config,
  byKey: ReadonlyMap<string, Successor>,
): Promise<Map<string, Successor>> {
  return new Map((await withServedListing(driver, config, [...byKey.values()])).map((s) => [s.key, s]));
}
