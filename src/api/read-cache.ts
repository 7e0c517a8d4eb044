// The API's read cache. Two kinds of data:
// - what is served right now (the current run, the served blacklist version): read in one round trip,
//   reused for `ttlMs` (default 1 s) and refreshed at once after this process publishes;
// - results of a run or of a blacklist version, which never change once written: memoised by a key
//   that names the run (id and start time) or the version (number and serving time), in an LRU.
// Labels, overrides and anything else investigators change are never cached.
import { LRUCache } from 'lru-cache';

export interface Clock {
  now(): number;
}

/** Size charged to a result while it loads (its real size is known once it has loaded). */
const PENDING_BYTES = 1024;
/** Charged when a result cannot be serialised to estimate it (never expected: results are plain data). */
const UNKNOWN_BYTES = 64 * 1024;

/**
 * Approximate memory of a loaded result: its JSON text in UTF-16 (two bytes per code unit). Parsed
 * objects take more than their JSON, so this undercounts; the bound is still proportional to what
 * is held, which is what keeps a caller choosing limit/page/pageSize from growing it without end.
 */
export function estimateBytes(value: unknown): number {
  try {
    const text = JSON.stringify(value);
    return Math.max(64, (text?.length ?? 0) * 2);
  } catch {
    return UNKNOWN_BYTES;
  }
}

export class ReadCache<S> {
  private state: { at: number; value: Promise<S> } | null = null;
  private readonly memos: LRUCache<string, { value: Promise<unknown> }> | null;
  private readonly bodies: LRUCache<string, string> | null;
  /** Bodies being built, by key (see body()). */
  private readonly building = new Map<string, Promise<string>>();

  constructor(
    private readonly load: () => Promise<S>,
    private readonly opts: { ttlMs: number; maxEntries: number; maxResultBytes?: number; maxBodyBytes?: number; clock?: Clock },
  ) {
    // Bounded by count and by estimated bytes; a result over a quarter of the bytes is not kept.
    // (Without maxResultBytes — unit tests — only the count bounds it.)
    const maxResultBytes = opts.maxResultBytes;
    this.memos =
      opts.maxEntries <= 0 || maxResultBytes === 0
        ? null
        : maxResultBytes === undefined
          ? new LRUCache({ max: opts.maxEntries })
          : new LRUCache({ max: opts.maxEntries, maxSize: maxResultBytes, maxEntrySize: Math.max(1, Math.floor(maxResultBytes / 4)) });
    // Serialized response bodies, bounded by their size (two bytes per UTF-16 code unit).
    this.bodies =
      (opts.maxBodyBytes ?? 0) > 0
        ? new LRUCache({ maxSize: opts.maxBodyBytes!, sizeCalculation: (body) => Math.max(1, body.length * 2) })
        : null;
  }

  private now(): number {
    return this.opts.clock?.now() ?? Date.now();
  }

  /** What is served, at most ttlMs old. Concurrent callers share one read; a failed read is not kept. */
  snapshot(): Promise<S> {
    const now = this.now();
    if (this.state && this.opts.ttlMs > 0 && now - this.state.at < this.opts.ttlMs) return this.state.value;
    const value = this.load();
    const entry = { at: now, value };
    this.state = entry;
    value.catch(() => {
      if (this.state === entry) this.state = null;
    });
    return value;
  }

  /** Forget the served state (after this process published a version or a run). */
  invalidate(): void {
    this.state = null;
  }

  /**
   * The value for an immutable key, loaded once. The key must name everything the value depends on
   * (run, version, parameters). A failed load is evicted so the next call retries.
   */
  memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.memos) return load();
    const hit = this.memos.get(key);
    if (hit) return hit.value as Promise<T>;
    const value = load();
    const entry = { value };
    const sized = this.opts.maxResultBytes !== undefined;
    this.memos.set(key, entry, sized ? { size: PENDING_BYTES } : {});
    value.then(
      (loaded) => {
        // Charge the loaded size (a new wrapper, so lru-cache re-measures); unless evicted meanwhile.
        if (sized && this.memos!.peek(key) === entry) this.memos!.set(key, { value }, { size: estimateBytes(loaded) });
      },
      () => {
        if (this.memos!.peek(key) === entry) this.memos!.delete(key);
      },
    );
    return value;
  }

  /**
   * A serialized response body for an immutable key (it must also name the labels' state when the
   * body shows labels). Bodies larger than the whole cache are built again by the next request that
   * arrives after the build ended; requests arriving during a build share it.
   */
  async body(key: string, make: () => Promise<string>): Promise<string> {
    const hit = this.bodies?.get(key);
    if (hit !== undefined) return hit;
    // Concurrent requests for one body share one build (a fleet of gateways asking for the same
    // diff at once costs one computation, even for a body too large to keep).
    const building = this.building.get(key);
    if (building) return building;
    const made = make().then((body) => {
      this.bodies?.set(key, body);
      return body;
    });
    this.building.set(key, made);
    try {
      return await made;
    } finally {
      this.building.delete(key);
    }
  }

  get size(): number {
    return this.memos?.size ?? 0;
  }

  /** Estimated bytes held by the result cache (see estimateBytes). */
  get resultBytes(): number {
    return this.memos?.calculatedSize ?? 0;
  }
}
