import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BlacklistEntry } from '../../../analysis/blacklist.js';
import { Readable } from 'node:stream';
import { administer } from '../../../blacklist/admin.js';
import { accountIdProblem } from '../../../labels/label-input.js';
import { confirmPending, pendingView, rejectPending, removeOverride, setOverride } from '../../../blacklist/overrides.js';
import { spreadsheetCsv, type BlacklistFormat } from '../../../blacklist/render.js';
import { createBlacklistRepository, type BlacklistVersion, type PendingStatus } from '../../../neo4j/repositories/blacklist.js';
import { actorOf, iso, requestRef, unknownAccountWarnings, WarningsSchema } from '../../context.js';
import { decodeCursor, encodeCursor } from '../../cursor.js';
import { badRequest, notFound } from '../../errors.js';
import { numericIdProblem } from '../../../ingest/record.js';
import { AccountId, errorResponses } from '../../schemas/common.js';
import { Nullable } from '../../schemas/analysis.js';
import { AuditEntrySchema, auditView } from './audit.js';

const EntrySchema = Type.Object({
  accountId: Type.String(),
  clusterId: Nullable(Type.String()),
  score: Type.Number(),
  reasons: Type.Array(Type.String()),
});
const DiffSchema = Type.Object({
  fromVersion: Type.Integer(),
  toVersion: Type.Integer(),
  added: Type.Array(EntrySchema),
  removed: Type.Array(Type.String()),
});
const ListSchema = Type.Object({ version: Type.Integer(), generatedAt: Type.String(), entries: Type.Array(EntrySchema) });

const VersionSchema = Type.Object({
  version: Type.Integer(),
  status: Type.String({ description: 'writing, ready, served, held, superseded, unpublished' }),
  source: Type.String({ description: 'recompute, override, watch (a provisional successor), approve, pin or rollback' }),
  runId: Nullable(Type.String()),
  createdAt: Type.String(),
  generatedAt: Type.String(),
  servedAt: Nullable(Type.String()),
  count: Type.Integer(),
  added: Nullable(Type.Integer()),
  removed: Nullable(Type.Integer()),
  diffFrom: Nullable(Type.Integer()),
  restores: Nullable(Type.Integer({ description: 'approve, pin, rollback: the version whose list this one serves again' })),
  sha256Json: Nullable(Type.String()),
  sha256Csv: Nullable(Type.String()),
  guard: Type.Unknown({ description: 'why a held version was held' }),
  pinned: Type.Boolean(),
});

function versionView(v: BlacklistVersion, pinned: number | null) {
  return {
    version: v.version,
    status: v.status,
    source: v.source,
    runId: v.runId,
    createdAt: iso(v.createdAt)!,
    generatedAt: iso(v.generatedAt)!,
    servedAt: iso(v.servedAt),
    count: v.count,
    added: v.added,
    removed: v.removed,
    diffFrom: v.diffFrom,
    restores: v.restores,
    sha256Json: v.sha256Json,
    sha256Csv: v.sha256Csv,
    guard: v.guard,
    pinned: pinned === v.version,
  };
}

/** 304 carries no body: no Content-Length or Content-Type of one (strict clients would wait for it). */
function notModified(reply: FastifyReply) {
  return reply.code(304).removeHeader('content-type').removeHeader('content-length').send();
}

/** ?format wins; otherwise the Accept header: text/csv → CSV, anything else → JSON. */
function wantedFormat(request: { query: { format?: BlacklistFormat }; headers: FastifyRequest['headers'] }): BlacklistFormat {
  if (request.query.format) return request.query.format;
  const accept = request.headers.accept ?? '';
  const csv = /text\/csv/i.test(accept);
  const json = /application\/json/i.test(accept);
  if (csv && json) return accept.toLowerCase().indexOf('text/csv') < accept.toLowerCase().indexOf('application/json') ? 'csv' : 'json';
  return csv ? 'csv' : 'json';
}

/**
 * Whether the Accept header admits a JSON answer: absent, application/json, application/* or
 * * / * (with a q above 0). A diff (?since=) is JSON only: `Accept: text/csv` alone is refused as
 * format=csv is, never answered with JSON it did not ask for.
 */
function acceptsJson(accept: string | undefined): boolean {
  if (!accept || !accept.trim()) return true;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    if (type !== 'application/json' && type !== 'application/*' && type !== '*/*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** The newest version an If-None-Match names ("v12-json", W/"v12-since-11"…); 0 for none. */
function etagVersion(header: string | undefined): number {
  let max = 0;
  for (const m of (header ?? '').matchAll(/"v(\d{1,12})-/g)) max = Math.max(max, Number(m[1]));
  return max;
}

interface ListQuery {
  since?: number | string;
  format?: string;
  spreadsheet?: boolean | string;
}

/**
 * The ETag `GET /v1/blacklist` answers with for the served `version` (the one its 304 compares):
 * per version and format, per pair for `?since=`. Takes the query parsed (the route) or raw (the
 * rate limiter's hook, before validation): null for a query that is not plainly valid.
 */
function listEtag(request: { query: unknown; headers: FastifyRequest['headers'] }, version: number): string | null {
  const q = (request.query ?? {}) as ListQuery;
  const since = typeof q.since === 'string' ? (/^\d{1,10}$/.test(q.since) ? Number(q.since) : NaN) : q.since;
  if (since !== undefined && !Number.isSafeInteger(since)) return null;
  if (q.format !== undefined && q.format !== 'json' && q.format !== 'csv') return null;
  const spreadsheet =
    q.spreadsheet === true || q.spreadsheet === 'true'
      ? true
      : q.spreadsheet === undefined || q.spreadsheet === false || q.spreadsheet === 'false'
        ? false
        : null;
  if (spreadsheet === null) return null;
  if (since !== undefined) return `"v${version}-since-${since}"`;
  const format = wantedFormat({ query: { format: q.format as BlacklistFormat | undefined }, headers: request.headers });
  return spreadsheet ? `"v${version}-${format}-spreadsheet"` : `"v${version}-${format}"`;
}

/**
 * A gateway's conditional poll that this process answers 304 from its cached state (no database
 * round trip): `GET /v1/blacklist` whose If-None-Match holds the ETag of the version served. Such
 * polls are not counted by the per-key rate limit (src/app.ts): a fleet sharing one key may poll
 * every second from many instances. The served version is the read cache's (at most
 * ACCTNET_API_STATE_TTL_MS old); when it cannot be read, the request is counted.
 */
export async function isFreePoll(app: FastifyInstance, request: FastifyRequest): Promise<boolean> {
  const header = request.headers['if-none-match'];
  if (request.method !== 'GET' || request.routeOptions.url !== '/v1/blacklist' || !header) return false;
  try {
    const version = (await app.readCache.snapshot()).blacklist.servedVersion;
    const etag = version === null ? null : listEtag(request, version);
    return etag !== null && etagMatches(header, etag);
  } catch {
    return false;
  }
}

const blacklist: FastifyPluginAsyncTypebox = async (app) => {
  const repo = () => createBlacklistRepository(app.runtime.driver(), app.config.neo4j);

  app.get(
    '/blacklist',
    {
      config: { roles: ['gateway', 'investigator'] },
      schema: {
        summary: 'The served blacklist (JSON or CSV), or the diff since a version',
        description:
          'Format by ?format= or Accept (text/csv or application/json). Streamed. ETag per version and format ("v12-json", "v12-csv"; Vary: Accept); If-None-Match answers 304. ' +
          'X-Blacklist-Version, X-Blacklist-Count and X-Blacklist-SHA256 (of the exact body, computed at publish). ?since=N answers {fromVersion, toVersion, added, removed} instead.',
        tags: ['blacklist'],
        querystring: Type.Object({
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
          since: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31, description: 'a version the caller holds (0: none)' })),
          spreadsheet: Type.Optional(
            Type.Boolean({
              description:
                'CSV for people opening it in a spreadsheet: account ids starting with = + - @ get a leading quote too. Not for gateways (those ids are no longer exact); no SHA-256 header.',
            }),
          ),
        }),
        response: {
          200: {
            description: 'The list (application/json or text/csv: account_id,cluster_id,score,reasons), or with ?since= the diff',
            content: { 'application/json': { schema: Type.Union([ListSchema, DiffSchema]) }, 'text/csv': { schema: Type.String() } },
          },
          304: { description: 'Not modified (If-None-Match matched the ETag)', type: 'null' },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const r = repo();
      // The served version as the API's read cache knows it (at most ACCTNET_API_STATE_TTL_MS old);
      // a version never changes once written, so its record is cached: a gateway's poll answered
      // 304 costs no database round trip.
      let snap = await app.readCache.snapshot();
      // A gateway asking about a version newer than the cached one was just pushed it (a worker
      // published it, not this process): read the served state again rather than answer from the
      // older one — a diff to the old version, a 400 for its since=, or the old body for its ETag.
      const asked = Math.max(request.query.since ?? 0, etagVersion(request.headers['if-none-match']));
      if (asked > (snap.blacklist.servedVersion ?? 0)) {
        app.readCache.invalidate();
        snap = await app.readCache.snapshot();
      }
      const servedVersion = snap.blacklist.servedVersion;
      if (servedVersion === null) throw notFound('No blacklist version is served yet');
      const served = (await app.readCache.memo(`version:${snap.versionKey}`, () => r.get(servedVersion)))!;
      reply.header('vary', 'Accept');
      reply.header('cache-control', 'no-cache');
      reply.header('x-blacklist-version', String(served.version));
      const since = request.query.since;
      if (since !== undefined) {
        // A diff is JSON (added and removed entries); asking for it as CSV is asking for something else.
        if (request.query.format === 'csv' || request.query.spreadsheet || (!request.query.format && !acceptsJson(request.headers.accept)))
          throw badRequest(
            'since= answers a JSON diff: leave out format=csv and spreadsheet and accept application/json (not Accept: text/csv alone), or pull the full list without since',
          );
        if (since > served.version) throw badRequest(`since=${since} is newer than the served version ${served.version}`);
        const etag = listEtag(request, served.version)!;
        reply.header('etag', etag);
        if (etagMatches(request.headers['if-none-match'], etag)) return notModified(reply);
        // Computed once per version pair and stored (versions never change) — above
        // STORED_DIFF_LIMIT changes only its counts are stored, so the body is also kept in this
        // process's body cache (while it fits ACCTNET_API_CACHE_BYTES), and concurrent requests
        // for one pair (a gateway fleet after a large change) share one computation.
        const body = await app.readCache.body(`blacklist-diff:${since}:${snap.versionKey}`, async () => {
          const diff = await r.diff(since, served.version, { full: true });
          if (!diff) throw notFound(`No blacklist version ${since}: pull the full list`);
          const entry = (e: BlacklistEntry) => ({ accountId: e.accountId, clusterId: e.clusterId, score: e.score, reasons: e.reasons });
          return JSON.stringify({
            fromVersion: since,
            toVersion: served.version,
            added: (diff.added ?? []).map(entry),
            removed: diff.removed ?? [],
          });
        });
        return reply.type('application/json; charset=utf-8').send(body);
      }
      const format = wantedFormat(request);
      if (request.query.spreadsheet) {
        if (format !== 'csv') throw badRequest('spreadsheet=true is a CSV download: use it with format=csv');
        const etag = listEtag(request, served.version)!;
        reply.header('etag', etag);
        if (etagMatches(request.headers['if-none-match'], etag)) return notModified(reply);
        reply.header('x-blacklist-count', String(served.count));
        reply.header('content-disposition', `attachment; filename="blacklist-v${served.version}-spreadsheet.csv"`);
        reply.type('text/csv; charset=utf-8');
        return reply.send(Readable.from(spreadsheetCsv(r.body(served.version, 'csv'))) as never);
      }
      const etag = listEtag(request, served.version)!;
      reply.header('etag', etag);
      if (etagMatches(request.headers['if-none-match'], etag)) return notModified(reply);
      reply.header('x-blacklist-count', String(served.count));
      reply.header('x-blacklist-sha256', (format === 'json' ? served.sha256Json : served.sha256Csv) ?? '');
      const bytes = format === 'json' ? served.bytesJson : served.bytesCsv;
      if (bytes !== null) reply.header('content-length', String(bytes));
      reply.type(format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8');
      // A stream: fastify pipes it without serialising, so 1M entries never sit in memory.
      return reply.send(Readable.from(r.body(served.version, format)) as never);
    },
  );

  app.get(
    '/blacklist/versions',
    {
      config: { roles: ['gateway', 'investigator'] },
      schema: {
        summary: 'Blacklist versions, newest first',
        tags: ['blacklist'],
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
        response: {
          200: Type.Object({
            servedVersion: Nullable(Type.Integer()),
            pinnedVersion: Nullable(Type.Integer()),
            items: Type.Array(VersionSchema),
            nextCursor: Nullable(Type.String()),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const r = repo();
      const state = await r.state();
      const before =
        decodeCursor(request.query.cursor, (v): v is { before: number } => typeof v.before === 'number')?.before ?? Number.MAX_SAFE_INTEGER;
      const list = await r.list(before, request.query.limit);
      const last = list[list.length - 1];
      return {
        servedVersion: state.servedVersion,
        pinnedVersion: state.pinnedVersion,
        items: list.map((v) => versionView(v, state.pinnedVersion)),
        nextCursor: list.length === request.query.limit && last ? encodeCursor({ before: last.version }) : null,
      };
    },
  );

  app.get(
    '/blacklist/versions/:version',
    {
      config: { roles: ['gateway', 'investigator'] },
      schema: {
        summary: 'One version: status, size, change, hashes, why it was held',
        tags: ['blacklist'],
        params: Type.Object({ version: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) }),
        response: { 200: VersionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const r = repo();
      const v = await r.get(request.params.version);
      if (!v) throw notFound(`No blacklist version ${request.params.version}`);
      return versionView(v, (await r.state()).pinnedVersion);
    },
  );

  const OverrideSchema = Type.Object({
    accountId: Type.String(),
    action: Type.String(),
    reason: Type.String(),
    createdBy: Type.String(),
    createdAt: Type.String(),
    confirmedBy: Type.Optional(Nullable(Type.String({ description: 'the second person who confirmed it (dual control)' }))),
  });
  const PublishedSchema = Type.Object({
    status: Type.Union([Type.Literal('published'), Type.Literal('pending')], {
      description: 'published: served now in `version`; pending: the change is committed and the running publication publishes it',
    }),
    version: Nullable(Type.Integer({ description: 'the served version holding the change (null while pending)' })),
    previous: Nullable(Type.Integer()),
    reason: Nullable(Type.String({ description: 'why publication is pending' })),
  });
  const PendingSchema = Type.Object({
    id: Type.String(),
    accountId: Type.String(),
    action: Type.Union([Type.Literal('exclude'), Type.Literal('delete')], {
      description: 'exclude: keep the account off the list; delete: remove its include override',
    }),
    reason: Type.String(),
    requestedBy: Type.String(),
    requestedAt: Type.String(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('rejected'), Type.Literal('withdrawn')]),
    decidedBy: Nullable(Type.String()),
    decidedAt: Nullable(Type.String()),
    note: Nullable(Type.String({ description: "the confirmer's note or the rejection's reason" })),
  });
  const PendingConfirmationSchema = Type.Object({
    status: Type.Literal('pending confirmation', {
      description: 'dual control (ACCTNET_OVERRIDE_DUAL_CONTROL=exclude): nothing is published until a second person confirms',
    }),
    pending: PendingSchema,
    audit: AuditEntrySchema,
  });
  // This server's configuration decides (dual control, and what publication reads).
  const publishDeps = () => ({ ...app.runtime.publishDeps(), config: app.config });
  const publishLog = (request: FastifyRequest, what: string) => (err: Error) =>
    request.log.warn({ err: err.message }, `${what} committed, publication pending`);

  app.get(
    '/blacklist/overrides',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'Overrides in force',
        tags: ['blacklist'],
        response: { 200: Type.Object({ items: Type.Array(OverrideSchema) }), ...errorResponses },
      },
    },
    async () => ({ items: (await repo().overrides()).map((o) => ({ ...o, createdAt: iso(o.createdAt)! })) }),
  );

  app.post(
    '/blacklist/overrides',
    {
      config: { roles: ['investigator'], redis: true },
      bodyLimit: 16 * 1024,
      // Before schema validation, which would turn a JSON number into its (already rounded) text.
      preValidation: async (request) => {
        const problem = numericIdProblem('accountId', (request.body as { accountId?: unknown } | null)?.accountId);
        if (problem) throw badRequest(problem);
      },
      schema: {
        summary: 'Force an account onto (include) or off (exclude) the list — published at once, kept by every later run',
        description:
          'Publishes a new served version within seconds, without a recompute. A forced entry has clusterId null and the reason MANUAL_INCLUDE. Under dual control (ACCTNET_OVERRIDE_DUAL_CONTROL=exclude) an exclude answers 202 "pending confirmation" and publishes nothing until a second person confirms it.',
        tags: ['blacklist'],
        body: Type.Object(
          {
            accountId: AccountId,
            action: Type.Union([Type.Literal('include'), Type.Literal('exclude')]),
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ override: OverrideSchema, published: PublishedSchema, audit: AuditEntrySchema, warnings: WarningsSchema }),
          202: Type.Object({ ...PendingConfirmationSchema.properties, warnings: WarningsSchema }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { accountId, action, reason } = request.body;
      // As a label's: an id with spaces or control characters would be sent to every gateway as is
      // and match no account there.
      const idProblem = accountIdProblem(accountId, app.config.ingest.maxIdLength);
      if (idProblem) throw badRequest(idProblem.replace('account_id', 'accountId'));
      const r = await setOverride(
        publishDeps(),
        actor,
        { accountId, action, reason },
        requestRef(request),
        publishLog(request, 'override'),
      );
      // An exclude whose id has a typo leaves the meant account listed; an include of an account not
      // seen yet is a pre-emptive block: both are kept, both are said.
      const warnings = await unknownAccountWarnings(app, accountId, 'override');
      if (r.kind === 'pending confirmation') {
        return reply.code(202).send({ status: r.kind, pending: pendingView(r.pending), audit: auditView(r.audit), warnings });
      }
      app.readCache.invalidate();
      return reply.code(201).send({
        override: { accountId, action, reason, createdBy: actor.name, createdAt: iso(r.createdAt)!, confirmedBy: null },
        published: r.published,
        audit: auditView(r.audit),
        warnings,
      });
    },
  );

  app.delete(
    '/blacklist/overrides/:accountId',
    {
      config: { roles: ['investigator'], redis: true },
      schema: {
        summary: "Remove an account's override — published at once",
        description:
          'Under dual control the removal of an include override (which can take the account off the list) answers 202 "pending confirmation" instead.',
        tags: ['blacklist'],
        params: Type.Object({ accountId: AccountId }),
        response: {
          200: Type.Object({
            removed: Type.Object({ accountId: Type.String(), action: Type.String(), reason: Type.String() }),
            published: PublishedSchema,
            audit: AuditEntrySchema,
          }),
          202: PendingConfirmationSchema,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { accountId } = request.params;
      const r = await removeOverride(
        publishDeps(),
        actorOf(request),
        accountId,
        requestRef(request),
        publishLog(request, 'override removal'),
      );
      if (!r) throw notFound(`No override for account ${accountId}`);
      if (r.kind === 'pending confirmation') {
        return reply.code(202).send({ status: r.kind, pending: pendingView(r.pending), audit: auditView(r.audit) });
      }
      app.readCache.invalidate();
      return reply.code(200).send({ removed: r.removed, published: r.published, audit: auditView(r.audit) });
    },
  );

  app.get(
    '/blacklist/overrides/pending',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'Override requests waiting for a second person (dual control), or all of them with status=all',
        tags: ['blacklist'],
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union(
              ['pending', 'confirmed', 'rejected', 'withdrawn', 'all'].map((x) => Type.Literal(x)),
              { default: 'pending' },
            ),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: {
          200: Type.Object({
            dualControl: Type.Union([Type.Literal('off'), Type.Literal('exclude')], { description: 'ACCTNET_OVERRIDE_DUAL_CONTROL' }),
            items: Type.Array(PendingSchema),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const status = (request.query.status ?? 'pending') as PendingStatus | 'all';
      const items = await repo().pendingOverrides(status === 'all' ? null : status, request.query.limit ?? 100);
      return { dualControl: app.config.overrides.dualControl, items: items.map(pendingView) };
    },
  );

  app.post(
    '/blacklist/overrides/pending/:id/confirm',
    {
      config: { roles: ['investigator'], redis: true },
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Confirm an override request: it takes effect and is published (a second person only: never the requester)',
        tags: ['blacklist'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        body: Type.Optional(
          Type.Object({ note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) }, { additionalProperties: false }),
        ),
        response: {
          200: Type.Object({
            pending: PendingSchema,
            applied: Type.Object({
              action: Type.String(),
              previousAction: Type.Optional(Nullable(Type.String())),
              removed: Type.Optional(Type.Boolean({ description: 'delete: false when the include override was gone already' })),
            }),
            published: PublishedSchema,
            audit: AuditEntrySchema,
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const r = await confirmPending(
        publishDeps(),
        actorOf(request),
        request.params.id,
        request.body?.note ?? null,
        requestRef(request),
        publishLog(request, 'confirmed override'),
      );
      app.readCache.invalidate();
      return { pending: pendingView(r.pending), applied: r.applied, published: r.published, audit: auditView(r.audit) };
    },
  );

  app.post(
    '/blacklist/overrides/pending/:id/reject',
    {
      config: { roles: ['investigator'] },
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Reject an override request (its requester withdraws it): nothing changes on the list',
        tags: ['blacklist'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ pending: PendingSchema, audit: AuditEntrySchema }), ...errorResponses },
      },
    },
    async (request) => {
      const r = await rejectPending(publishDeps(), actorOf(request), request.params.id, request.body.reason, requestRef(request));
      return { pending: pendingView(r.pending), audit: auditView(r.audit) };
    },
  );

  const AdminResultSchema = Type.Object({
    servedVersion: Nullable(Type.Integer()),
    previousVersion: Nullable(Type.Integer()),
    pinnedVersion: Nullable(Type.Integer()),
    publishedVersion: Nullable(
      Type.Integer({ description: 'the version this action served: new (restores the one named) or the held one itself' }),
    ),
    audit: AuditEntrySchema,
  });
  const adminRoute = async (
    request: FastifyRequest,
    action: 'blacklist.approve' | 'blacklist.pin' | 'blacklist.unpin' | 'blacklist.rollback',
    version: number | null,
  ) => {
    const r = await administer(app.runtime.publishDeps(), actorOf(request), action, version, requestRef(request));
    app.readCache.invalidate();
    return {
      servedVersion: r.served,
      previousVersion: r.previous,
      pinnedVersion: r.pinned,
      publishedVersion: r.published,
      audit: auditView(r.audit),
    };
  };

  app.post(
    '/blacklist/versions/:version/approve',
    {
      config: { roles: [], redis: true },
      schema: {
        summary: 'Serve a version the publish guard held (admin)',
        tags: ['blacklist admin'],
        params: Type.Object({ version: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) }),
        response: { 200: AdminResultSchema, ...errorResponses },
      },
    },
    async (request) => adminRoute(request, 'blacklist.approve', request.params.version),
  );

  app.post(
    '/blacklist/pin',
    {
      config: { roles: [], redis: true },
      bodyLimit: 1024,
      schema: {
        summary: 'Serve a version and keep it: later runs produce held versions until unpinned (admin)',
        tags: ['blacklist admin'],
        body: Type.Object({ version: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) }, { additionalProperties: false }),
        response: { 200: AdminResultSchema, ...errorResponses },
      },
    },
    async (request) => adminRoute(request, 'blacklist.pin', request.body.version),
  );

  app.delete(
    '/blacklist/pin',
    {
      config: { roles: [], redis: true },
      schema: {
        summary: 'Unpin: the next run may publish again, subject to the guard (admin)',
        tags: ['blacklist admin'],
        response: { 200: AdminResultSchema, ...errorResponses },
      },
    },
    async (request) => adminRoute(request, 'blacklist.unpin', null),
  );

  app.post(
    '/blacklist/rollback',
    {
      config: { roles: [], redis: true },
      bodyLimit: 1024,
      schema: {
        summary: 'Serve an earlier version again and pin it (admin)',
        tags: ['blacklist admin'],
        body: Type.Object({ version: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) }, { additionalProperties: false }),
        response: { 200: AdminResultSchema, ...errorResponses },
      },
    },
    async (request) => adminRoute(request, 'blacklist.rollback', request.body.version),
  );
};

export default blacklist;
