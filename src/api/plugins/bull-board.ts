// The queue dashboard for admins (@bull-board/fastify) at /admin/queues: waiting, active and failed
// jobs of every queue, with their errors. Browsers authenticate with Basic auth, the key as password.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';

export const QUEUE_DASHBOARD = '/admin/queues';

export default async function bullBoard(app: FastifyInstance): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD);
  const rt = app.runtime;
  createBullBoard({
    queues: [new BullMQAdapter(rt.ingestQueue()), new BullMQAdapter(rt.recomputeQueue()), new BullMQAdapter(rt.webhookQueue())],
    serverAdapter,
  });
  await app.register(serverAdapter.registerPlugin() as never, { prefix: QUEUE_DASHBOARD });
}
