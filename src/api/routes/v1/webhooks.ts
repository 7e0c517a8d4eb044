import { checkWebhookTarget, targetPolicy, WebhookTargetDenied } from '../../../webhooks/target-policy.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { appendAudit } from '../../../neo4j/repositories/audit.js';
import { createWebhookRepository, newSecret, type Webhook } from '../../../neo4j/repositories/webhooks.js';
import { controlWebhook, type WebhookControl } from '../../../webhooks/control.js';
import { txRunner } from '../../../neo4j/session.js';
import { actorOf, iso, requestRef } from '../../context.js';
import { badRequest, conflict, notFound } from '../../errors.js';
import { errorResponses } from '../../schemas/common.js';
import { Nullable } from '../../schemas/analysis.js';
import { AuditEntrySchema, auditView } from './audit.js';

const WebhookSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Nullable(Type.String()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  rotating: Type.Boolean({ description: 'a previous secret is still valid (deliveries carry both signatures)' }),
  previousSecretExpiresAt: Nullable(Type.String()),
  ackedVersion: Nullable(Type.Integer({ description: 'the last version the receiver answered 2xx for' })),
  ackedAt: Nullable(Type.String()),
  paused: Type.Boolean({ description: 'deliveries are paused (resume sends one diff from ackedVersion)' }),
});
const WebhookWithSecret = Type.Intersect([
  WebhookSchema,
  Type.Object({ secret: Type.String({ description: 'shown once; sign-verify deliveries with it' }) }),
]);
const WebhookId = Type.String({ pattern: '^wh_[0-9a-f]{12}$' });

function view(w: Webhook) {
  const rotating = w.previousSecret !== null && (w.previousSecretExpiresAt ?? 0) > Date.now();
  return {
    id: w.id,
    url: w.url,
    description: w.description,
    createdAt: iso(w.createdAt)!,
    createdBy: w.createdBy,
    rotating,
    previousSecretExpiresAt: rotating ? iso(w.previousSecretExpiresAt) : null,
    ackedVersion: w.ackedVersion,
    ackedAt: iso(w.ackedAt),
    paused: w.paused,
  };
}

async function checkUrl(url: string, allowTargets: readonly string[]): Promise<{ warning: string | null }> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badRequest(`url ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw badRequest('url must be http:// or https://');
  if (u.username || u.password) throw badRequest('url must not carry credentials; the signature authenticates deliveries');
  try {
    return await checkWebhookTarget(u, targetPolicy(allowTargets));
  } catch (err) {
    if (err instanceof WebhookTargetDenied) throw badRequest(err.message);
    throw err;
  }
}

const webhooks: FastifyPluginAsyncTypebox = async (app) => {
  const tx = () => txRunner(app.runtime.driver(), app.config.neo4j);
  const repo = () => createWebhookRepository(app.runtime.driver(), app.config.neo4j);

  app.post(
    '/webhooks',
    {
      config: { roles: [] },
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Register a gateway webhook: every published version is POSTed to it, signed (admin)',
        tags: ['webhooks'],
        body: Type.Object(
          {
            url: Type.String({ minLength: 8, maxLength: 2000 }),
            description: Type.Optional(Type.String({ maxLength: 500 })),
            secret: Type.Optional(Type.String({ minLength: 32, maxLength: 200, description: 'default: a new random secret' })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            webhook: WebhookWithSecret,
            audit: AuditEntrySchema,
            warnings: Type.Array(Type.String(), {
              description: 'what the registration noticed but accepted (a host that does not resolve from the server); empty when none',
            }),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { warning } = await checkUrl(request.body.url, app.config.webhooks.allowTargets);
      const actor = actorOf(request);
      const secret = request.body.secret ?? newSecret();
      const r = await tx().write(async (t) => {
        const webhook = await repo().create(
          { url: request.body.url, description: request.body.description ?? null, secret, createdBy: actor.name },
          t,
        );
        const audit = await appendAudit(t, actor, 'webhook.create', `webhook:${webhook.id}`, { url: webhook.url }, requestRef(request));
        return { webhook, audit };
      });
      if (warning) request.log.warn({ webhook: r.webhook.id }, warning);
      return reply
        .code(201)
        .send({ webhook: { ...view(r.webhook), secret }, audit: auditView(r.audit), warnings: warning ? [warning] : [] });
    },
  );

  app.get(
    '/webhooks',
    {
      config: { roles: [] },
      schema: {
        summary: 'Registered webhooks, secrets not shown, each with its lag behind the served version (admin)',
        tags: ['webhooks'],
        response: {
          200: Type.Object({
            servedVersion: Nullable(Type.Integer()),
            items: Type.Array(
              Type.Intersect([
                WebhookSchema,
                Type.Object({ lag: Type.Integer({ description: 'the served version minus ackedVersion (0: caught up)' }) }),
              ]),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async () => {
      // The same figures as `acctnet webhooks list` and acctnet_webhook_lag_versions.
      const served = (await app.readCache.snapshot()).blacklist.servedVersion;
      return {
        servedVersion: served,
        items: (await repo().list()).map((w) => ({ ...view(w), lag: served === null ? 0 : served - (w.ackedVersion ?? 0) })),
      };
    },
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { roles: [] },
      schema: {
        summary: 'Delete a webhook (admin)',
        tags: ['webhooks'],
        params: Type.Object({ id: WebhookId }),
        response: { 200: Type.Object({ id: Type.String(), audit: AuditEntrySchema }), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const r = await tx().write(async (t) => {
        const removed = await repo().delete(request.params.id, t);
        if (!removed) return null;
        return {
          removed,
          audit: await appendAudit(t, actor, 'webhook.delete', `webhook:${removed.id}`, { url: removed.url }, requestRef(request)),
        };
      });
      if (!r) throw notFound(`No webhook ${request.params.id}`);
      return { id: r.removed.id, audit: auditView(r.audit) };
    },
  );

  app.post(
    '/webhooks/:id/rotate-secret',
    {
      config: { roles: [] },
      bodyLimit: 4096,
      schema: {
        summary: 'Rotate the secret: both are valid (two signatures per delivery) for graceHours (admin)',
        tags: ['webhooks'],
        params: Type.Object({ id: WebhookId }),
        body: Type.Optional(
          Type.Object(
            {
              secret: Type.Optional(Type.String({ minLength: 32, maxLength: 200 })),
              graceHours: Type.Integer({ minimum: 0, maximum: 24 * 30, default: 24 }),
            },
            { additionalProperties: false },
          ),
        ),
        response: { 200: Type.Object({ webhook: WebhookWithSecret, audit: AuditEntrySchema }), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const secret = request.body?.secret ?? newSecret();
      const graceHours = request.body?.graceHours ?? 24;
      const r = await tx().write(async (t) => {
        // A second rotation within the first one's grace would drop the oldest secret at once, while
        // receivers were promised it for graceHours: refused until that grace ends.
        const current = await repo().get(request.params.id, t);
        if (current?.previousSecret && (current.previousSecretExpiresAt ?? 0) > Date.now())
          throw conflict(
            `webhook ${current.id} is already rotating: its previous secret stays valid until ${new Date(current.previousSecretExpiresAt!).toISOString()} (receivers may still use it); rotate again after that`,
          );
        const webhook = await repo().rotateSecret(request.params.id, secret, Date.now() + graceHours * 3_600_000, t);
        if (!webhook) return null;
        return {
          webhook,
          audit: await appendAudit(t, actor, 'webhook.rotate-secret', `webhook:${webhook.id}`, { graceHours }, requestRef(request)),
        };
      });
      if (!r) throw notFound(`No webhook ${request.params.id}`);
      return { webhook: { ...view(r.webhook), secret }, audit: auditView(r.audit) };
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { roles: [] },
      schema: {
        summary: 'Delivery log of a webhook, newest first (admin)',
        tags: ['webhooks'],
        params: Type.Object({ id: WebhookId }),
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                deliveryId: Nullable(Type.String({ description: 'the X-Acctnet-Delivery header: the same on every attempt of a change' })),
                fromVersion: Nullable(Type.Integer()),
                toVersion: Type.Integer(),
                attempt: Type.Integer(),
                at: Type.String(),
                ok: Type.Boolean(),
                httpStatus: Nullable(Type.Integer()),
                error: Nullable(Type.String()),
                durationMs: Type.Integer(),
                mode: Type.String({ description: 'diff or pull' }),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      if (!(await repo().get(request.params.id))) throw notFound(`No webhook ${request.params.id}`);
      const items = await repo().deliveries(request.params.id, request.query.limit);
      return { items: items.map(({ webhookId: _w, ...d }) => ({ ...d, at: iso(d.at)! })) };
    },
  );

  const control = async (request: FastifyRequest, id: string, change: WebhookControl) => {
    const r = await controlWebhook(app.runtime.publishDeps(), actorOf(request), id, change, requestRef(request));
    return { webhook: view(r.webhook), audit: auditView(r.audit) };
  };
  const ControlResult = Type.Object({ webhook: WebhookSchema, audit: AuditEntrySchema });

  app.post(
    '/webhooks/:id/pause',
    {
      config: { roles: [], redis: true },
      schema: {
        summary: 'Pause deliveries to a webhook; its lag grows until resumed (admin)',
        tags: ['webhooks'],
        params: Type.Object({ id: WebhookId }),
        response: { 200: ControlResult, ...errorResponses },
      },
    },
    async (request) => control(request, request.params.id, { action: 'pause' }),
  );

  app.post(
    '/webhooks/:id/resume',
    {
      config: { roles: [], redis: true },
      schema: {
        summary: 'Resume deliveries: one diff from the acknowledged version to the served one (admin)',
        tags: ['webhooks'],
        params: Type.Object({ id: WebhookId }),
        response: { 200: ControlResult, ...errorResponses },
      },
    },
    async (request) => control(request, request.params.id, { action: 'resume' }),
  );

  app.post(
    '/webhooks/:id/redeliver',
    {
      config: { roles: [], redis: true },
      bodyLimit: 1024,
      schema: {
        summary: 'Redeliver from version N: the next delivery carries the diff from N (0: every entry) to the served version (admin)',
        tags: ['webhooks'],
        params: Type.Object({ id: WebhookId }),
        body: Type.Object(
          { fromVersion: Type.Integer({ minimum: 0, maximum: 2 ** 31, description: 'the version the receiver holds (0: none)' }) },
          { additionalProperties: false },
        ),
        response: { 200: ControlResult, ...errorResponses },
      },
    },
    async (request) => {
      return control(request, request.params.id, { action: 'redeliver', fromVersion: request.body.fromVersion });
    },
  );
};

export default webhooks;
