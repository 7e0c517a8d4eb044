// Authentication and roles on every route. A route declares the roles it admits in its config
// (`config: { roles: ['investigator'] }`; admins are always admitted) or `roles: 'public'`.
// A route without a declaration is refused: forgetting one cannot open a route.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal } from '../../app.js';
import { createKeyRepository, hashKey, type Role } from '../../neo4j/repositories/keys.js';
import { HttpError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: ReadonlyArray<Exclude<Role, 'admin'>> | 'public';
  }
}

/** Positive lookups are cached briefly so a gateway's polling does not cost a Neo4j round trip each. */
const CACHE_TTL_MS = 30_000;

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
    const cache = new Map<string, { principal: Principal; expires: number }>();
    app.decorate('forgetKeys', () => cache.clear());

    app.addHook('onRequest', async (request, reply) => {
      const roles = request.routeOptions.config?.roles;
      if (roles === 'public' || request.is404) return;
      const key = presentedKey(request);
      if (!key) {
        reply.header('www-authenticate', request.url.startsWith('/admin/') ? 'Basic realm="acctnet"' : 'Bearer realm="acctnet"');
        throw new HttpError(
          401,
          'An API key is required: send "Authorization: Bearer <key>" (keys are created with `npx acctnet keys create`)',
        );
      }
      const hash = hashKey(key);
      let principal = cache.get(hash);
      if (!principal || principal.expires < Date.now()) {
        const found = await keys.findByKey(key);
        if (!found || found.revokedAt !== null) {
          cache.delete(hash);
          reply.header('www-authenticate', 'Bearer error="invalid_token"');
          throw new HttpError(401, found ? 'This API key was revoked' : 'Unknown API key');
        }
        principal = { principal: { keyId: found.id, name: found.name, role: found.role }, expires: Date.now() + CACHE_TTL_MS };
        cache.set(hash, principal);
      }
      request.principal = principal.principal;
      if (principal.principal.role === 'admin') return;
      if (!roles || !(roles as readonly string[]).includes(principal.principal.role)) {
        const allowed = ['admin', ...(Array.isArray(roles) ? roles : [])].join(', ');
        throw new HttpError(
          403,
          `This key's role (${principal.principal.role}) may not use ${request.method} ${request.routeOptions.url}; it needs: ${allowed}`,
        );
      }
    });
  },
  { name: 'acctnet-auth', dependencies: ['acctnet-runtime'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    /** Drops cached key lookups (after a revocation in this process). */
    forgetKeys(): void;
  }
}
