// Publish-guard administration shared by the CLI and the API: approve a held version, pin, unpin,
// roll back. Each returns what changed so callers can audit it.
import { createAuditRepository, type Actor, type AuditEntry } from '../neo4j/repositories/audit.js';
import { createBlacklistRepository, type BlacklistRepository, type BlacklistState } from '../neo4j/repositories/blacklist.js';
import { notifyServed, publishLock, type PublishDeps } from './publish.js';

export class BlacklistAdminError extends Error {
  constructor(
    message: string,
    readonly statusCode: 404 | 409,
  ) {
    super(message);
    this.name = 'BlacklistAdminError';
  }
}

async function mustExist(repo: BlacklistRepository, version: number) {
  const v = await repo.get(version);
  if (!v) throw new BlacklistAdminError(`no blacklist version ${version}`, 404);
  if (v.status === 'writing') throw new BlacklistAdminError(`version ${version} is still being written`, 409);
  return v;
}

export interface AdminResult {
  served: number | null;
  previous: number | null;
  pinned: number | null;
  audit: AuditEntry;
}

/**
 * Runs a guard action under the publication lock, audits it, and pushes the newly served version
 * to the webhooks.
 */
export async function administer(
  deps: PublishDeps,
  actor: Actor,
  action: 'blacklist.approve' | 'blacklist.pin' | 'blacklist.unpin' | 'blacklist.rollback',
  version: number | null,
  requestId: string | null = null,
): Promise<AdminResult> {
  const repo = createBlacklistRepository(deps.driver, deps.config.neo4j);
  const result = await publishLock(deps, async () => {
    const before = await repo.state();
    if (action === 'blacklist.approve') await approveVersion(repo, version!);
    else if (action === 'blacklist.pin') await pinVersion(repo, version!);
    else if (action === 'blacklist.rollback') await rollbackTo(repo, version!);
    else await unpin(repo);
    const after = await repo.state();
    if (after.servedVersion !== null && after.servedVersion !== before.servedVersion)
      await notifyServed(deps, before.servedVersion, after.servedVersion);
    return { before, after };
  });
  const audit = await createAuditRepository(deps.driver, deps.config.neo4j).append(
    actor,
    action,
    version === null ? 'blacklist' : `blacklist:v${version}`,
    { servedBefore: result.before.servedVersion, servedAfter: result.after.servedVersion, pinnedAfter: result.after.pinnedVersion },
    requestId,
  );
  return { served: result.after.servedVersion, previous: result.before.servedVersion, pinned: result.after.pinnedVersion, audit };
}

/** Serves a version the guard held. Refused while another version is pinned. */
export async function approveVersion(repo: BlacklistRepository, version: number): Promise<{ served: number; previous: number | null }> {
  const v = await mustExist(repo, version);
  const state = await repo.state();
  if (v.status !== 'held')
    throw new BlacklistAdminError(`version ${version} is ${v.status}, not held: only held versions can be approved`, 409);
  if (state.pinnedVersion !== null)
    throw new BlacklistAdminError(`version ${state.pinnedVersion} is pinned; unpin it before approving another`, 409);
  const r = await repo.serve(version);
  return { served: r.servedVersion, previous: r.previous };
}

/** Serves a version and pins it: later runs produce held versions until unpinned. */
export async function pinVersion(repo: BlacklistRepository, version: number): Promise<{ served: number; previous: number | null }> {
  await mustExist(repo, version);
  const r = await repo.serve(version, { pin: true });
  return { served: r.servedVersion, previous: r.previous };
}

export async function unpin(repo: BlacklistRepository): Promise<BlacklistState> {
  return repo.setPin(null);
}

/** Goes back to an earlier version and pins it so the next scheduled run does not undo the rollback. */
export async function rollbackTo(repo: BlacklistRepository, version: number): Promise<{ served: number; previous: number | null }> {
  const state = await repo.state();
  if (state.servedVersion !== null && version >= state.servedVersion) {
    throw new BlacklistAdminError(
      `version ${version} is not earlier than the served version ${state.servedVersion}; use pin to serve a newer one`,
      409,
    );
  }
  return pinVersion(repo, version);
}
