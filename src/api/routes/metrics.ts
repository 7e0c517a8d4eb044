import type { FastifyPluginAsync } from 'fastify';

const metrics: FastifyPluginAsync = async (app) => {
  app.get(
    '/metrics',
    {
      // Scrapes go on while Neo4j (where keys are stored) is down: acctnet_metrics_source_up says so.
      config: { roles: ['metrics'], staleKeyOk: true },
      schema: {
        summary: 'Prometheus metrics (a metrics-role key, or an admin key: Prometheus sends it as a bearer token)',
        tags: ['operations'],
        produces: ['text/plain'],
      } as never,
    },
    async (_request, reply) => {
      reply.type(app.metrics.contentType);
      return app.metrics.metrics();
    },
  );
};

export default metrics;
