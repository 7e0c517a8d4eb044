// Publish-guard administration shared by the CLI and the API: approve a held version, pin, unpin,
// roll back. Approve, pin and rollback go through the one publication path (each serving a list is
// a new, higher version unless the version itself can be served as it is); each is audited.
import { Conflict } from '../errors.js';
import { createAuditRepository, type Actor, type AuditEntry, type RequestRef } from '../neo4j/repositories/audit.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { LockTimeout } from '../redis/lock.js';
import { publicationLock, publishVersion, type PublishDeps } from './publish.js';

export interface AdminResult {
  served: number | null;
  previous: number | null;
  pinned: number | null;
  /** The version this action published (approve, pin, rollback), or null when nothing new was served. */
  published: number | null;
  audit: AuditEntry;
}

/** How long an admin action waits for a running publication before it answers 409. */
const ADMIN_WAIT_MS = 60_000;

/** Runs a guard action through the publication path, then audits it. */
export async function administer(
  deps: PublishDeps,
  actor: Actor,
  action: 'blacklist.approve' | 'blacklist.pin' | 'blacklist.unpin' | 'blacklist.rollback',
  version: number | null,
  requestId: RequestRef = null,
): Promise<AdminResult> {
  const blacklist = createBlacklistRepository(deps.driver, deps.config.neo4j);
  let r: { previous: number | null; served: number | null; pinned: number | null; published: number | null };
  try {
    if (action === 'blacklist.unpin') {
      r = await publicationLock(
        deps,
        async () => {
          const state = await blacklist.setPin(null);
          return { previous: state.servedVersion, served: state.servedVersion, pinned: null, published: null };
        },
        { waitMs: ADMIN_WAIT_MS },
      );
    } else {
      const source = action === 'blacklist.approve' ? 'approve' : action === 'blacklist.pin' ? 'pin' : 'rollback';
      const p = await publishVersion(deps, { source, version: version! }, { waitMs: ADMIN_WAIT_MS });
      r = { previous: p.previous, served: p.served, pinned: p.pinned, published: p.publication === 'served' ? p.version : null };
    }
  } catch (err) {
    if (err instanceof LockTimeout) throw new Conflict('another blacklist publication is running; nothing changed: retry in a minute');
    throw err;
  }
  const audit = await createAuditRepository(deps.driver, deps.config.neo4j).append(
    actor,
    action,
    version === null ? 'blacklist' : `blacklist:v${version}`,
    { servedBefore: r.previous, servedAfter: r.served, pinnedAfter: r.pinned, published: r.published },
    requestId,
  );
  return { ...r, audit };
}
