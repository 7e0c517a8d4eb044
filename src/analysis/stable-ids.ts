// acctnet/analysis/stable-ids: a community keeps the id of the previous run's cluster it overlaps
// most (Jaccard over members), so bookmarks, the gateway's list and the console do not churn when
// a cluster gains or loses a few members.

export interface StableIdOptions {
  /** Least Jaccard similarity for a community to inherit a previous cluster's id. */
  minJaccard: number;
}

export const STABLE_ID_DEFAULTS: StableIdOptions = { minJaccard: 0.3 };

export function formatClusterId(seq: number): string {
  return `C${String(seq).padStart(6, '0')}`;
}

export function parseClusterSeq(id: string): number {
  const m = /^C(\d+)$/.exec(id);
  return m ? Number(m[1]) : 0;
}

export interface StableIds {
  /** Community number → cluster id. */
  ids: Map<number, string>;
  /** Cluster ids carried over from the previous run. */
  kept: number;
  created: number;
  nextSeq: number;
}

/**
 * @param communities community number → member account ids
 * @param previous account id → the cluster id it had in the previous run
 * @param nextSeq first sequence number free for new ids
 */
export function assignStableIds(
  communities: ReadonlyMap<number, readonly string[]>,
  previous: ReadonlyMap<string, string>,
  nextSeq: number,
  options: Partial<StableIdOptions> = {},
): StableIds {
  const o = { ...STABLE_ID_DEFAULTS, ...options };
  const previousSize = new Map<string, number>();
  for (const id of previous.values()) previousSize.set(id, (previousSize.get(id) ?? 0) + 1);

  const candidates: Array<{ community: number; old: string; jaccard: number; key: string }> = [];
  for (const [community, members] of communities) {
    const overlap = new Map<string, number>();
    for (const m of members) {
      const old = previous.get(m);
      if (old !== undefined) overlap.set(old, (overlap.get(old) ?? 0) + 1);
    }
    const key = [...members].sort()[0] ?? '';
    for (const [old, shared] of overlap) {
      const jaccard = shared / (members.length + previousSize.get(old)! - shared);
      if (jaccard >= o.minJaccard) candidates.push({ community, old, jaccard, key });
    }
  }
  // Best matches first; ties broken by content, never by iteration order.
  candidates.sort((a, b) => b.jaccard - a.jaccard || (a.key < b.key ? -1 : a.key > b.key ? 1 : a.old < b.old ? -1 : 1));
  const ids = new Map<number, string>();
  const taken = new Set<string>();
  for (const c of candidates) {
    if (ids.has(c.community) || taken.has(c.old)) continue;
    ids.set(c.community, c.old);
    taken.add(c.old);
  }
  const kept = ids.size;
  // New ids in a deterministic order: by each community's smallest member id.
  const fresh = [...communities.entries()]
    .filter(([community]) => !ids.has(community))
    .map(([community, members]) => ({ community, key: [...members].sort()[0] ?? '' }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  let seq = nextSeq;
  for (const { community } of fresh) ids.set(community, formatClusterId(seq++));
  return { ids, kept, created: fresh.length, nextSeq: seq };
}
