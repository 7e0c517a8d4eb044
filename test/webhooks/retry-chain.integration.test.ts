// One retry chain per webhook, against a real receiver, queue and Neo4j: a publication made while a
// chain retries is carried by it, and if the chain runs out of attempts the publication gets a chain
// of its own — the receiver is never left behind a version it would accept
// (src/webhooks/retry-chain.ts). Short chains here: 4 attempts, 300 ms backoff.
import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { createWebhookRepository } from '../../src/neo4j/repositories/webhooks.js';
import { createWebhookWorker } from '../../src/webhooks/webhook-worker.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';
import { testLogger } from '../helpers/env.js';
import { startReceiver } from '../helpers/receiver.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secret = 'whsec_test_0123456789abcdef0123456789abcdef';
type Handler = (body: string, res: http.ServerResponse) => void;

describe('webhook retry chains', () => {
  let s: AnalysedServices;
  let app: FastifyInstance;
  let keys: Keys;
  let worker: Worker;
  let server: http.Server;
  let base: string;
  const handlers: Record<string, Handler> = {};
  let person = 20;

  before(async () => {
    s = await openAnalysedServices({
      ACCTNET_WEBHOOK_ATTEMPTS: '4',
      ACCTNET_WEBHOOK_BACKOFF_MS: '300',
      ACCTNET_WEBHOOK_TIMEOUT_MS: '3000',
      // One delivery at a time (the concurrency test below; the chains have one webhook each).
      ACCTNET_WEBHOOK_CONCURRENCY: '1',
    });
    app = await buildTestApp(s);
    keys = await createKeys(s);
    ({ server, base } = await startReceiver((req, body, res) => handlers[req.url!.slice(1)]!(body, res)));
    worker = createWebhookWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
  });
  after(async () => {
    await worker.close();
    server.close();
    await app.close();
    await s.close();
  });

  const publish = async (): Promise<number> => {
    const id = s.world.truth.filter((x) => x.kind === 'person' && !x.fraud)[person++]!.id;
    const r = await app.inject({
      method: 'POST',
      url: '/v1/blacklist/overrides',
      headers: bearer(keys.investigator),
      payload: { accountId: id, action: 'include', reason: 'retry chain test' },
    });
    return r.json().published.version as number;
  };
  const hook = async (path: string): Promise<string> =>
    (
      await app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(keys.admin), payload: { url: `${base}/${path}`, secret } })
    ).json().webhook.id;
  const caughtUp = async (id: string) => {
    const acked = (await createWebhookRepository(s.driver, s.config.neo4j).get(id))!.ackedVersion;
    const served = (await createBlacklistRepository(s.driver, s.config.neo4j).state()).servedVersion;
    return { acked, served, ok: acked === served };
  };
  const waitCaughtUp = async (id: string, ms: number) => {
    let st = await caughtUp(id);
    for (const end = Date.now() + ms; !st.ok && Date.now() < end; st = await caughtUp(id)) await sleep(100);
    return st;
  };

  test('a publication folded into a chain that runs out gets a chain of its own: delivered once the receiver recovers', async () => {
    const answers: number[] = [];
    let failing = true;
    handlers.a = (_body, res) => {
      const answered = failing ? 500 : 200;
      answers.push(answered);
      res.writeHead(answered).end();
      // A publication between the chain's 2nd and 3rd attempts (it defers to the pending retry)…
      if (answers.length === 2) setTimeout(() => void publish(), 100);
      // …and the receiver recovers just after the chain's 4th and last attempt.
      if (answers.length === 4) failing = false;
    };
    const id = await hook('a');
    await publish();
    const st = await waitCaughtUp(id, 15_000);
    assert.ok(st.ok, `acknowledged ${st.acked}, served ${st.served}; answers ${answers.join(',')}`);
    assert.deepEqual(answers.slice(0, 4), [500, 500, 500, 500], 'the first chain ran out');
    assert.equal(answers.filter((a) => a === 200).length, 1, `one delivery after it recovered (${answers.join(',')})`);
    await app.inject({ method: 'DELETE', url: `/v1/webhooks/${id}`, headers: bearer(keys.admin) });
  });

  test("a publication while the chain's last attempt is in flight gets a whole chain, not one attempt", async () => {
    const answers: number[] = [];
    let failing = true;
    handlers.b = (_body, res) => {
      const n = answers.length + 1;
      if (n === 4) {
        // Hold the chain's last attempt and publish meanwhile: its drain defers to this active job.
        answers.push(500);
        void publish().then(async () => {
          await sleep(500);
          res.writeHead(500).end();
        });
        return;
      }
      const answered = failing ? 500 : 200;
      answers.push(answered);
      res.writeHead(answered).end();
      // The new chain's first attempt fails too; then the receiver recovers (its retry lands).
      if (n === 5) failing = false;
    };
    const id = await hook('b');
    await publish();
    const st = await waitCaughtUp(id, 15_000);
    assert.ok(st.ok, `acknowledged ${st.acked}, served ${st.served}; answers ${answers.join(',')}`);
    assert.equal(answers.filter((a) => a === 200).length, 1, answers.join(','));
    const jobs = await s.rt.webhookQueue().getJobs(['completed', 'failed', 'delayed', 'wait', 'active']);
    for (const j of jobs.filter((j) => j.data.webhookId === id))
      assert.equal(j.opts.attempts, 4, `job ${j.id} (${j.name}) carries the configured attempts`);
    await app.inject({ method: 'DELETE', url: `/v1/webhooks/${id}`, headers: bearer(keys.admin) });
  });

  test('ACCTNET_WEBHOOK_CONCURRENCY: a worker process delivers to that many webhooks at once', async () => {
    let inFlight = 0;
    let most = 0;
    let answered = 0;
    // Receivers that take 600 ms to answer: how many are in flight at once is the worker's concurrency.
    const slow: Handler = (_body, res) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight--;
        answered++;
        res.writeHead(200).end();
      }, 600);
    };
    handlers.c1 = slow;
    handlers.c2 = slow;
    const ids = [await hook('c1'), await hook('c2')];
    const both = async () => {
      for (let k = 0; k < 100 && answered < 2; k++) await sleep(100);
      assert.equal(answered, 2, 'both webhooks were delivered to');
    };
    await publish();
    await both();
    assert.equal(most, 1, 'ACCTNET_WEBHOOK_CONCURRENCY=1: one delivery at a time');
    // The same queue served by a worker set to 2: both deliveries at once.
    await worker.close();
    worker = createWebhookWorker({
      config: { ...s.config, webhooks: { ...s.config.webhooks, concurrency: 2 } },
      driver: s.driver,
      connection: s.rt.redis(),
      log: testLogger(),
    });
    most = 0;
    answered = 0;
    await publish();
    await both();
    assert.equal(most, 2, 'two deliveries at once with 2');
    for (const id of ids) await app.inject({ method: 'DELETE', url: `/v1/webhooks/${id}`, headers: bearer(keys.admin) });
  });
});
