// OpenAPI generated from the route schemas (@fastify/swagger), browsable at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export default fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'acctnet API',
          version: '1',
          description:
            'Account network analysis for payment fraud teams. Every route needs "Authorization: Bearer <API key>" except /health and /docs. Roles: admin (everything), investigator, ingest, gateway, metrics (GET /metrics only). Errors are {statusCode, error, message}.',
        },
        components: {
          securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'an acctnet API key (npx acctnet keys create)' } },
        },
        security: [{ apiKey: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'acctnet-docs' },
);
