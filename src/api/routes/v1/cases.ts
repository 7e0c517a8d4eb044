import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit } from '../../../neo4j/repositories/audit.js';
import { txRunner } from '../../../neo4j/session.js';
import { buildCase, caseHtml, type CaseSubject } from '../../case-export.js';
import { actorOf, requestRef, requireServed } from '../../context.js';
import { AccountId, errorResponses } from '../../schemas/common.js';
import { ClusterId } from '../../schemas/analysis.js';
import { CaseSchema, type CaseFile } from '../../schemas/case.js';

const Format = Type.Union([Type.Literal('json'), Type.Literal('html')], {
  default: 'json',
  description: 'json (validates against GET /v1/cases/schema) or html (a printable page)',
});

/** File names keep letters, digits, dot, dash and underscore of the id. */
const safe = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);

/**
 * Case export: one file an investigator attaches to a report. Every export writes an audit entry
 * (`case.export`) before the file is sent, and the file names that entry.
 */
const cases: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/cases/schema',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'The JSON Schema (draft 2020-12 compatible) of a case file',
        tags: ['cases'],
        response: { 200: Type.Record(Type.String(), Type.Unknown()), ...errorResponses },
      },
    },
    async () => ({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...JSON.parse(JSON.stringify(CaseSchema)) }),
  );

  const exportCase = async (request: FastifyRequest, reply: FastifyReply, subject: CaseSubject, format: 'json' | 'html') => {
    const snap = await app.readCache.snapshot();
    const served = requireServed(snap.run);
    const body = await buildCase(app, snap, served, subject);
    const actor = actorOf(request);
    const audit = await txRunner(app.runtime.driver(), app.config.neo4j).write((t) =>
      appendAudit(
        t,
        actor,
        'case.export',
        `${subject.kind}:${subject.id}`,
        {
          format,
          runId: served.run.id,
          blacklistVersion: snap.blacklist.servedVersion,
          accounts: body.accounts.length,
          transfers: body.transfers.length,
        },
        requestRef(request),
      ),
    );
    const { format: caseFormat, version, ...rest } = body;
    const file: CaseFile = {
      format: caseFormat,
      version,
      exportedAt: new Date(audit.at).toISOString(),
      exportedBy: { name: actor.name, role: actor.role },
      auditId: audit.id,
      ...rest,
    };
    const name = `case-${subject.kind}-${safe(subject.id)}-${served.run.id}.${format}`;
    reply.header('content-disposition', `attachment; filename="${name}"`);
    // The audit entry's id for a client that shows it (the printable page's text holds account ids too).
    reply.header('x-audit-id', audit.id);
    if (format === 'html') return reply.type('text/html; charset=utf-8').send(caseHtml(file));
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(file, null, 2));
  };

  const responses = {
    200: Type.Union([CaseSchema, Type.String({ description: 'the printable HTML page (format=html)' })]),
    ...errorResponses,
  };

  app.get(
    '/cases/accounts/:id',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'Export a case around an account: it and its largest counterparties, reasons in words, labels, transfers, migrations',
        description: 'Writes a case.export audit entry. Needs a served run (409 before the first one).',
        tags: ['cases'],
        params: Type.Object({ id: AccountId }),
        querystring: Type.Object({ format: Format }),
        response: responses,
      },
    },
    async (request, reply) => exportCase(request, reply, { kind: 'account', id: request.params.id }, request.query.format),
  );

  app.get(
    '/cases/clusters/:id',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'Export a case of a cluster: its members, reasons in words, labels, the transfers among them, migrations',
        description: 'Writes a case.export audit entry. Needs a served run (409 before the first one).',
        tags: ['cases'],
        params: Type.Object({ id: ClusterId }),
        querystring: Type.Object({ format: Format }),
        response: responses,
      },
    },
    async (request, reply) => exportCase(request, reply, { kind: 'cluster', id: request.params.id }, request.query.format),
  );
};

export default cases;
