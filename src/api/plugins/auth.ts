// Authentication and roles on every route. A route declares the roles it admits in its config
// (`config: { roles: ['investigator'] }`; admins are always admitted) or `roles: 'public'`.
// A route without a declaration is refused: forgetting one cannot open a route.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import fp from 'fastify-plugin';
import type { Principal } from '../../app.js';
import { createKeyRepository, hashKey, type Role } from '../../neo4j/repositories/keys.js';
import { HttpError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: ReadonlyArray<Exclude<Role, 'admin'>> | 'public';
    /**
     * A key this process verified within STALE_MAX_MS is accepted at once and checked again in the
     * background once its cache entry is old (/metrics: Prometheus must still scrape while Neo4j,
     * where keys are stored, is down — that is when the metrics matter).
     */
    staleKeyOk?: boolean;
  }
}

/** Positive lookups are cached briefly so a gateway's polling does not cost a Neo4j round trip each. */
const CACHE_TTL_MS = 30_000;
/** Keys that were not found (or revoked, or expired) are remembered for a minute: repeating one costs no lookup. */
const NEGATIVE_TTL_MS = 60_000;
const NEGATIVE_MAX = 50_000;
/** How long after its last successful check a key stays good on routes with staleKeyOk. */
const STALE_MAX_MS = 3_600_000;
/** Window of ACCTNET_AUTH_FAILURES_PER_MINUTE, and how many client addresses it tracks at most. */
const FAILURE_WINDOW_MS = 60_000;
const FAILURE_ADDRESSES_MAX = 100_000;

export interface AuthStats {
  /** Key lookups sent to Neo4j (cache misses). */
  keyLookups: number;
  /** Requests refused 401 (no key, unknown, revoked or expired). */
  refused: number;
  /** Requests refused 429 because their address had too many failed attempts. */
  limited: number;
}

export function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const [scheme, value] = header.split(/\s+/, 2);
  if (!value) return null;
  if (/^bearer$/i.test(scheme!)) return value.trim();
  // Basic auth (any user name, the key as password) lets a browser reach the queue dashboard.
  if (/^basic$/i.test(scheme!)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : null;
  }
  return null;
}

export default fp(
  async (app: FastifyInstance) => {
    const keys = createKeyRepository(app.runtime.driver(), app.config.neo4j);
    const cache = new Map<string, { principal: Principal; expires: number; keyExpiresAt: number | null }>();
    const unknown = new LRUCache<string, string>({ max: NEGATIVE_MAX, ttl: NEGATIVE_TTL_MS });
    const failures = new LRUCache<string, { count: number; resetAt: number }>({ max: FAILURE_ADDRESSES_MAX, ttl: FAILURE_WINDOW_MS });
    const maxFailures = app.config.http.authFailuresPerMinute;
    const stats: AuthStats = { keyLookups: 0, refused: 0, limited: 0 };
    app.decorate('forgetKeys', () => {
      cache.clear();
      unknown.clear();
    });
    app.decorate('authStats', stats);

    const refuse = (request: FastifyRequest, reply: FastifyReply, message: string, header: string): never => {
      const now = Date.now();
      const seen = failures.get(request.ip);
      if (seen && seen.resetAt > now) seen.count++;
      else failures.set(request.ip, { count: 1, resetAt: now + FAILURE_WINDOW_MS });
      stats.refused++;
      reply.header('www-authenticate', header);
      throw new HttpError(401, message);
    };

    /** Why a looked-up key is refused at `now`, or null when it is good. */
    const problemOf = (found: Awaited<ReturnType<typeof keys.findByKey>>, now: number): string | null =>
      !found
        ? 'Unknown API key'
        : found.revokedAt !== null
          ? 'This API key was revoked'
          : found.expiresAt !== null && found.expiresAt <= now
            ? `This API key expired at ${new Date(found.expiresAt).toISOString()}; ask an admin for a new one`
            : null;
    const remember = (hash: string, found: NonNullable<Awaited<ReturnType<typeof keys.findByKey>>>, now: number): Principal => {
      const principal = { keyId: found.id, name: found.name, role: found.role };
      cache.set(hash, { principal, expires: now + CACHE_TTL_MS, keyExpiresAt: found.expiresAt });
      return principal;
    };
    /** Background check of a key served from an old cache entry: a failure (Neo4j down) keeps the entry. */
    const checking = new Set<string>();
    const checkAgain = (key: string, hash: string) => {
      if (checking.has(hash)) return;
      checking.add(hash);
      stats.keyLookups++;
      keys
        .findByKey(key)
        .then(
          (found) => {
            // A bad key is dropped: its next request is looked up in the foreground and refused there.
            if (problemOf(found, Date.now()) !== null || !found) cache.delete(hash);
            else remember(hash, found, Date.now());
          },
          (err: unknown) => app.log.warn({ err: (err as Error).message }, 'could not check an API key again; the last check stands'),
        )
        .finally(() => checking.delete(hash));
    };

    /**
     * The principal of the presented key, or null when none is presented. Throws 401 for a bad key
     * and 429 for an address with too many failed attempts — before any key lookup.
     */
    const resolve = async (request: FastifyRequest, reply: FastifyReply, required: boolean): Promise<Principal | null> => {
      const key = presentedKey(request);
      if (!key && !required) return null;
      const hash = key ? hashKey(key) : null;
      const now = Date.now();
      let principal = hash ? cache.get(hash) : undefined;
      if (principal && principal.keyExpiresAt !== null && principal.keyExpiresAt <= now) {
        cache.delete(hash!);
        principal = undefined;
      }
      if (principal && principal.expires >= now) return principal.principal;
      // An old entry stays until a lookup replaces or refuses it: a lookup that fails leaves it for staleKeyOk routes.
      if (principal && request.routeOptions.config?.staleKeyOk && now - principal.expires < STALE_MAX_MS - CACHE_TTL_MS) {
        checkAgain(key!, hash!);
        return principal.principal;
      }
      // Before any lookup: an address that keeps failing is refused at no cost. A key this process
      // verified before (its entry is still cached, only too old to trust without a lookup) is no
      // guess: it is looked up again even from such an address, so that a gateway sharing its
      // address with a flood keeps working (docs/api.md).
      const seen = failures.get(request.ip);
      if (!principal && seen && seen.resetAt > now && seen.count >= maxFailures) {
        stats.limited++;
        const wait = Math.max(1, Math.ceil((seen.resetAt - now) / 1000));
        reply.header('retry-after', String(wait));
        throw new HttpError(
          429,
          `Too many requests without a valid API key from this address (${maxFailures} per minute); retry after ${wait} s with a valid key`,
        );
      }
      if (!key || !hash) {
        return refuse(
          request,
          reply,
          'An API key is required: send "Authorization: Bearer <key>" (keys are created with `npx acctnet keys create`)',
          request.url.startsWith('/admin/') ? 'Basic realm="acctnet"' : 'Bearer realm="acctnet"',
        );
      }
      const known = unknown.get(hash);
      if (known !== undefined) return refuse(request, reply, known, 'Bearer error="invalid_token"');
      stats.keyLookups++;
      const found = await keys.findByKey(key);
      const problem = problemOf(found, now);
      if (problem !== null || !found) {
        cache.delete(hash);
        if (found && found.revokedAt === null && found.expiresAt !== null && found.expiresAt <= now) {
          await keys.auditExpiry(found.id, request.id).catch((err: unknown) => request.log.warn({ err }, 'could not audit a key expiry'));
        }
        unknown.set(hash, problem ?? 'Unknown API key');
        return refuse(request, reply, problem ?? 'Unknown API key', 'Bearer error="invalid_token"');
      }
      return remember(hash, found, now);
    };
    app.decorate('optionalPrincipal', (request: FastifyRequest, reply: FastifyReply) => resolve(request, reply, false));

    app.addHook('onRequest', async (request, reply) => {
      const roles = request.routeOptions.config?.roles;
      if (roles === 'public' || request.is404) return;
      const principal = (await resolve(request, reply, true))!;
      request.principal = principal;
      if (principal.role === 'admin') return;
      if (!roles || !(roles as readonly string[]).includes(principal.role)) {
        const allowed = ['admin', ...(Array.isArray(roles) ? roles : [])].join(', ');
        throw new HttpError(
          403,
          `This key's role (${principal.role}) may not use ${request.method} ${request.routeOptions.url}; it needs: ${allowed}`,
        );
      }
    });
  },
  { name: 'acctnet-auth', dependencies: ['acctnet-runtime'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    /** Drops cached key lookups (after a revocation or a key creation in this process). */
    forgetKeys(): void;
    /** Counters of key lookups and refusals (exported on /metrics). */
    authStats: AuthStats;
    /** For public routes that show more to a key holder: the key's principal, null without a key (401/429 for a bad one). */
    optionalPrincipal(request: FastifyRequest, reply: FastifyReply): Promise<Principal | null>;
  }
}
