// The one publication path of the blacklist. Whatever triggers it — a recompute, an override, an
// approval, a pin, a rollback — a version is published here, top to bottom:
//
//   lock (renewed, fenced) → build entries (candidates + overrides in force) → diff against the
//   served version → guard and pin → write the immutable version → serve or hold (one fenced
//   transaction, with the run's switch for a recompute) → ask the webhooks to drain
//   → overrides committed meanwhile? publish again.
//
// Versions only go up: a rollback to v7 publishes a new version with v7's list (its record says
// `restores: 7`); approving a held version serves its list with the overrides in force now.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import { Conflict, NotFound } from '../errors.js';
import { createBlacklistRepository, type BlacklistVersion, type VersionSource } from '../neo4j/repositories/blacklist.js';
import { createRunRepository } from '../neo4j/repositories/runs.js';
import { createWebhookRepository } from '../neo4j/repositories/webhooks.js';
import { txRunner } from '../neo4j/session.js';
import { enqueueDrains, type WebhookJobData } from '../queue/webhook-queue.js';
import type { PublishJobData } from '../queue/publish-queue.js';
import { LockTimeout, withRedisLock, type LockOptions } from '../redis/lock.js';
import { madeByRun, PROVISIONAL_REASON, releaseScore, withProvisional } from '../analysis/blacklist.js';
import { createSuccessorRepository, successorKey } from '../neo4j/repositories/successors.js';
import { runListSettings } from './list-settings.js';
import { markServed } from '../watch/watch-set.js';
import {
  assertEntryIds,
  buildBlacklist,
  diffBlacklists,
  guardDecision,
  keepServedScores,
  sameEntries,
  type BlacklistEntry,
} from './entries.js';

export interface PublishDeps {
  config: Config;
  driver: Driver;
  redis: Redis;
  webhookQueue: Queue<WebhookJobData>;
  /** Retries of the successor watch's publication (publishSuccessors); without it a failure waits for the next publication. */
  publishQueue?: Queue<PublishJobData>;
}

/** A recompute's own records, switched in the same transaction that serves (or holds) its version. */
export interface RunSwitch {
  id: string;
  seq: number;
  /** Records the run's end inside the switch transaction. */
  finish(tx: ManagedTransaction, outcome: RunOutcome): Promise<void>;
}

export interface RunOutcome {
  status: 'succeeded' | 'superseded';
  version: number;
  /** The version is served now (false: held by the guard or a pin, or the run was superseded). */
  served: boolean;
  /** Time to build and write the version (the run's "blacklist" step). */
  buildMs: number;
  entries: number;
  added: number;
  removed: number;
}

export type PublishRequest =
  | {
      source: 'recompute';
      run: RunSwitch;
      candidates: readonly BlacklistEntry[];
      threshold: number;
      /** The run's release score (its params.releaseScore; null: no hysteresis). Absent: from threshold and this process's margin. */
      releaseScore?: number | null;
      /** Provisional successors (keys) the run confirms or expires once its version is served: not inputs of its build. */
      settledSuccessors?: ReadonlySet<string>;
    }
  | { source: 'override' }
  /** The successor watch listed (or an investigator confirmed) a provisional successor. */
  | { source: 'watch' }
  | { source: 'approve' | 'pin' | 'rollback'; version: number };

export interface Publication {
  /** The version this publication wrote or served; null when nothing changed (pin of the served version). */
  version: number | null;
  /** Served before and after. */
  previous: number | null;
  served: number | null;
  pinned: number | null;
  publication: 'served' | 'held' | 'unpublished' | 'unchanged';
  heldBecause: string | null;
  /** Entries of the version, and its change against the version served before. */
  count: number;
  added: number;
  removed: number;
  /** Versions published after this one, in the same lock, for overrides committed while it ran. */
  followUps: number[];
}

/** How long a publication may wait for another one; an override's request waits less (see routes). */
export const PUBLISH_WAIT_MS = 10 * 60_000;
/** The lease of the publication lock; renewed every third of it while held. */
export const PUBLISH_LEASE_MS = 30_000;
const LOCK_KEY = (deps: PublishDeps) => `${deps.config.queue.prefix}:lock:blacklist-publish`;

/**
 * Runs `fn` holding the publication lock with a fresh fence token; every write of the publication
 * checks the token, so a holder whose lease lapsed cannot write once another took over.
 */
export function publicationLock<T>(deps: PublishDeps, fn: (fence: number) => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const blacklist = createBlacklistRepository(deps.driver, deps.config.neo4j);
  return withRedisLock(deps.redis, LOCK_KEY(deps), async () => fn(await blacklist.claimFence()), {
    ttlMs: PUBLISH_LEASE_MS,
    waitMs: PUBLISH_WAIT_MS,
    ...opts,
  });
}

/** Publishes under the lock; waits at most opts.waitMs for it (LockTimeout beyond). */
export async function publishVersion(deps: PublishDeps, request: PublishRequest, opts: LockOptions = {}): Promise<Publication> {
  return publicationLock(deps, (fence) => publishHolding(deps, fence, request), opts);
}

/** The publication itself; the caller holds the lock and `fence` (tests call it to play a stale holder). */
export async function publishHolding(deps: PublishDeps, fence: number, request: PublishRequest): Promise<Publication> {
  const seen = await inputCounters(deps);
  const result = await publishOnce(deps, fence, request);
  return publishFollowUps(deps, fence, seen, result);
}

/** The change counters of the list's stored inputs: overrides, and the successor watch's successors. */
export interface InputCounters {
  overrides: number;
  watch: number;
}

export async function inputCounters(deps: PublishDeps): Promise<InputCounters> {
  const [overrides, watch] = await Promise.all([
    createBlacklistRepository(deps.driver, deps.config.neo4j).overridesCounter(),
    createSuccessorRepository(deps.driver, deps.config.neo4j).inputsCounter(),
  ]);
  return { overrides, watch };
}

/**
 * After a publication, still holding the lock: an override (or a change of the watch's successors)
 * committed since `seen` was read — while this publication read its inputs, or whose own publication
 * waited for the lock and gave up — is published now, by the holder (the override's caller was told
 * "pending"). Each as what it is: an override is served under a pin, the watch's change is held like
 * any other version (issue 13). Both changed: the override first, then the watch (unchanged unless a
 * pin held its successors back).
 */
export async function publishFollowUps(deps: PublishDeps, fence: number, seen: InputCounters, result: Publication): Promise<Publication> {
  let { overrides, watch } = seen;
  for (let k = 0; k < 6; k++) {
    const now = await inputCounters(deps);
    if (now.overrides === overrides && now.watch === watch) break;
    const source = now.overrides !== overrides ? 'override' : 'watch';
    if (source === 'override') overrides = now.overrides;
    else watch = now.watch;
    const next = await publishOnce(deps, fence, { source });
    if (next.version !== null) result.followUps.push(next.version);
    result.served = next.served;
    result.pinned = next.pinned;
  }
  return result;
}

async function publishOnce(deps: PublishDeps, fence: number, request: PublishRequest): Promise<Publication> {
  const { config, driver } = deps;
  const blacklist = createBlacklistRepository(driver, config.neo4j);
  const started = performance.now();
  const state = await blacklist.state();
  const overrides = await blacklist.overrides();
  const servedEntries = state.servedVersion === null ? [] : await blacklist.entries(state.servedVersion);

  // 1. Build: the candidates (a run's scores, or the list a version restores) with the overrides now.
  let entries: BlacklistEntry[];
  let runId: string | null;
  let target: BlacklistVersion | null = null;
  if (request.source === 'recompute') {
    runId = request.run.id;
    entries = keepServedScores(
      buildBlacklist(request.candidates, request.threshold, overrides),
      servedEntries,
      config.analysis.scoreChurnStep,
    );
  } else {
    if (request.source === 'override' || request.source === 'watch') {
      target = state.servedVersion === null ? null : await blacklist.get(state.servedVersion);
    } else {
      target = await blacklist.get(request.version);
      if (!target) throw new NotFound(`no blacklist version ${request.version}`);
      if (target.status === 'writing') throw new Conflict(`version ${request.version} is still being written`);
    }
    runId = target?.runId ?? null;
    entries = target === null ? buildBlacklist([], 0, overrides) : await restoreWithOverrides(deps, target, overrides);
  }
  // Provisional successors are a stored input of every build: an override, an approval or the next
  // run keeps them until a run confirms the link, the link expires or an investigator rejects it.
  const settled = request.source === 'recompute' ? request.settledSuccessors : undefined;
  // While a version is pinned, an override (an admin's act, served under the pin) carries the
  // successors the served list holds already, and no new one: those are held like any other version.
  const servedProvisional = new Set(servedEntries.filter((e) => e.reasons.includes(PROVISIONAL_REASON)).map((e) => e.accountId));
  const carried = state.pinnedVersion !== null && request.source === 'override' ? servedProvisional : null;
  const provisional = (await createSuccessorRepository(driver, config.neo4j).listed()).filter(
    (p) => !settled?.has(successorKey(p.from, p.to)) && (!carried || carried.has(p.to)),
  );
  // The bar and the release score of the run the list comes from (recorded with it), not this
  // process's: an override made through an API started with other settings than the workers must
  // not drop a successor the watch listed (the watch's next publication would put it back).
  const { threshold, release } =
    request.source === 'recompute'
      ? {
          threshold: request.threshold,
          release:
            request.releaseScore !== undefined ? request.releaseScore : releaseScore(request.threshold, config.analysis.listReleaseMargin),
        }
      : await runListSettings(driver, config, runId);
  entries = withProvisional(entries, provisional, overrides, config.watch.chainDepth, threshold, {
    // A successor the served list holds stays while its list score is at or above the release score.
    served: servedProvisional,
    release,
  });

  // Never an entry without an id, whatever built the list (before anything is written).
  assertEntryIds(entries);

  // 2. Guard and pin.
  const pinned = state.pinnedVersion !== null;
  let serve = true;
  let pin = pinned;
  let heldBecause: string | null = null;
  let guard: unknown = null;
  const diff = diffBlacklists(servedEntries, entries);
  if (request.source === 'watch') {
    // Held like any other version while one is pinned; the breaker, not the size guard, bounds it.
    if (pinned) {
      serve = false;
      heldBecause = `version ${state.pinnedVersion} is pinned`;
      guard = { hold: true, reason: heldBecause };
    }
    pin = false;
  } else if (request.source === 'recompute') {
    const servedIds = new Set(servedEntries.map((e) => e.accountId));
    const newlyListed = diff.added.filter((e) => !servedIds.has(e.accountId)).length;
    const decision = guardDecision(
      state.servedVersion === null ? null : servedEntries.length,
      entries.length,
      newlyListed,
      diff.removed.length,
      config.analysis.guard,
    );
    if (pinned || decision.hold) {
      serve = false;
      heldBecause = pinned ? `version ${state.pinnedVersion} is pinned` : decision.reason;
      guard = { ...decision, reason: heldBecause };
    }
    pin = false;
  } else if (request.source === 'approve') {
    if (target!.status !== 'held')
      throw new Conflict(`version ${target!.version} is ${target!.status}, not held: only held versions can be approved`);
    if (pinned) throw new Conflict(`version ${state.pinnedVersion} is pinned; unpin it before approving another`);
  } else if (request.source === 'rollback') {
    if (state.servedVersion !== null && target!.version >= state.servedVersion)
      throw new Conflict(
        `version ${target!.version} is not earlier than the served version ${state.servedVersion}; use pin to serve a newer one`,
      );
    pin = true;
  } else if (request.source === 'pin') {
    pin = true;
  }

  const outcome = (p: Partial<Publication>): Publication => ({
    version: null,
    previous: state.servedVersion,
    served: state.servedVersion,
    pinned: state.pinnedVersion,
    publication: 'unchanged',
    heldBecause: null,
    count: entries.length,
    added: diff.added.length,
    removed: diff.removed.length,
    followUps: [],
    ...p,
  });

  // Nothing to publish: the served list already is this list (a pin of the served version pins it).
  if (request.source !== 'recompute' && state.servedVersion !== null && sameEntries(servedEntries, entries)) {
    if (pin && !pinned)
      await txRunner(driver, config.neo4j).write(async (tx) => {
        await blacklist.assertFence(tx, fence);
        await blacklist.setPin(state.servedVersion, tx);
      });
    return outcome({ pinned: pin ? state.servedVersion : state.pinnedVersion });
  }

  // 3. Write the immutable version — or reuse the target when it is newer than the served one and
  // its list is exactly this one (approving a held version nobody overrode since).
  const reuse =
    target !== null &&
    request.source !== 'override' &&
    request.source !== 'watch' &&
    target.version > (state.servedVersion ?? 0) &&
    sameEntries(await blacklist.entries(target.version), entries);
  const version = reuse ? target!.version : await blacklist.nextVersionNumber();
  if (!reuse)
    await blacklist.writeVersion({
      version,
      runId,
      source: request.source as VersionSource,
      generatedAt: Date.now(),
      entries,
      basedOn: state.servedVersion,
      restores: target && request.source !== 'override' && request.source !== 'watch' ? target.version : null,
      added: diff.added.length,
      removed: diff.removed.length,
      fence,
    });
  const run = {
    buildMs: Math.round(performance.now() - started),
    entries: entries.length,
    added: diff.added.length,
    removed: diff.removed.length,
  };

  // 4. Serve or hold, in one fenced transaction (with the run's switch for a recompute).
  const runs = createRunRepository(driver, config.neo4j);
  const switched = await txRunner(driver, config.neo4j).write(async (tx) => {
    await blacklist.assertFence(tx, fence);
    if (request.source === 'recompute') {
      const later = await runs.laterRuns(request.run.seq, tx);
      if (later > 0) {
        await blacklist.setStatus(version, 'unpublished', tx);
        await request.run.finish(tx, { status: 'superseded', version, served: false, ...run });
        return 'unpublished' as const;
      }
      await runs.setCurrent(request.run.id, Date.now(), tx);
    }
    if (serve) await blacklist.serve(version, { pin }, tx);
    else await blacklist.hold(version, guard, tx);
    // An approved held version whose list was rebuilt (overrides since) is done waiting.
    if (request.source === 'approve' && !reuse) await blacklist.setStatus(target!.version, 'superseded', tx);
    if (request.source === 'recompute') await request.run.finish(tx, { status: 'succeeded', version, served: serve, ...run });
    return serve ? ('served' as const) : ('held' as const);
  });

  // 5. Push: every webhook drains from its acknowledged version to the served one; the successor
  // watch rebuilds its set for the served version.
  if (switched === 'served') {
    await notifyWebhooks(deps);
    await markServed(deps.redis, config.queue.prefix, version).catch(() => {});
  }
  return outcome({
    version,
    served: switched === 'served' ? version : state.servedVersion,
    pinned: switched === 'served' && pin ? version : state.pinnedVersion,
    publication: switched,
    heldBecause: switched === 'held' ? heldBecause : null,
  });
}

/**
 * A version's list again, with the overrides in force now: its run's scores (or, when that run's
 * results were pruned, its own entries without manual ones), overrides applied, and every entry the
 * version holds kept exactly as it was (its score included).
 */
async function restoreWithOverrides(
  deps: PublishDeps,
  target: BlacklistVersion,
  overrides: Awaited<ReturnType<ReturnType<typeof createBlacklistRepository>['overrides']>>,
): Promise<BlacklistEntry[]> {
  const { config, driver } = deps;
  const blacklist = createBlacklistRepository(driver, config.neo4j);
  const own = await blacklist.entries(target.version);
  const { threshold } = await runListSettings(driver, config, target.runId);
  let candidates: BlacklistEntry[] = [];
  if (target.runId) candidates = await blacklist.runCandidates(target.runId, threshold);
  // Manual and provisional entries come from their stored inputs (overrides, successors), not from the old list.
  const ownScored = own.filter(madeByRun);
  if (candidates.length === 0) candidates = ownScored;
  const kept = new Map(ownScored.map((e) => [e.accountId, e]));
  return buildBlacklist(candidates, threshold, overrides).map((e) =>
    e.reasons[0] === 'MANUAL_INCLUDE' ? e : (kept.get(e.accountId) ?? e),
  );
}

/**
 * Asks every webhook that is not paused to drain (deliver from its acknowledged version to the
 * served one; `operator`: the ones an operator resumed or redelivered, drained at once — see
 * enqueueDrains). The publication is committed already: a Redis failure here is logged by the caller's
 * lag metric, not raised — the next publication, a resume or a webhook worker's start drains again.
 */
export async function notifyWebhooks(deps: PublishDeps, opts: { operator?: readonly string[] } = {}): Promise<void> {
  try {
    const hooks = await createWebhookRepository(deps.driver, deps.config.neo4j).list();
    await enqueueDrains(
      deps.webhookQueue,
      hooks.filter((h) => !h.paused).map((h) => h.id),
      opts,
    );
  } catch {
    // See above: never fail a committed publication.
  }
}

/** An override's publication: published now, or pending behind another publication that will include it. */
export type OverridePublication =
  | { status: 'published'; version: number | null; previous: number | null; reason: null }
  | { status: 'pending'; version: null; previous: number | null; reason: string };

/**
 * Publishes after an override was committed; never throws (the override is committed: a 500 now
 * would tell the caller it failed). Waits briefly for the lock; when another publication holds it
 * longer, answers "pending": that holder checks the override counter before it releases the lock
 * and publishes again. Any other failure is "pending" too, with its reason: every later
 * publication builds from the overrides in force.
 */
export async function publishOverride(
  deps: PublishDeps,
  waitMs: number,
  log: (err: Error) => void = () => {},
): Promise<OverridePublication> {
  try {
    const p = await publishVersion(deps, { source: 'override' }, { waitMs });
    return { status: 'published', version: p.followUps.at(-1) ?? p.version ?? p.served, previous: p.previous, reason: null };
  } catch (err) {
    log(err as Error);
    const previous = await createBlacklistRepository(deps.driver, deps.config.neo4j)
      .state()
      .then((s) => s.servedVersion)
      .catch(() => null);
    const reason =
      err instanceof LockTimeout
        ? 'another publication holds the lock; it publishes this change before it releases it'
        : 'the publication failed; the change is part of the next publication (a recompute, or any override)';
    return { status: 'pending', version: null, previous, reason };
  }
}
