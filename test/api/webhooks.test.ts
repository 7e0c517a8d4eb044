// Signed push to a real local receiver: failures retried with backoff, signatures verified, replays
// rejected, large diffs sent as pull links, two signatures during a secret rotation.
import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { createWebhookRepository } from '../../src/neo4j/repositories/webhooks.js';
import { deliveryId, deliveryIdFor } from '../../src/webhooks/deliver.js';
import { createWebhookWorker } from '../../src/webhooks/webhook-worker.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';
import { testLogger } from '../helpers/env.js';
import { startReceiver } from '../helpers/receiver.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
}

describe('webhooks', () => {
  let s: AnalysedServices;
  let app: FastifyInstance;
  let keys: Keys;
  let worker: Worker;
  let server: http.Server;
  let url: string;
  let base: string;
  const received: Received[] = [];
  let failuresLeft = 0;
  // Requests to /slow go unanswered while this is above zero (the client gives up; see the timeout test).
  let stallsLeft = 0;
  // Requests to /down are answered 500 while this is true (the retry-chain test).
  let downFailing = false;
  const down: Array<{ body: string; answered: number }> = [];
  const secret = 'whsec_test_0123456789abcdef0123456789abcdef';

  before(async () => {
    s = await openAnalysedServices({
      ACCTNET_WEBHOOK_BACKOFF_MS: '150',
      ACCTNET_WEBHOOK_MAX_DIFF: '3',
      ACCTNET_PUBLIC_URL: 'https://acctnet.example.com',
      ACCTNET_WEBHOOK_TIMEOUT_MS: '1500',
    });
    app = await buildTestApp(s);
    keys = await createKeys(s);
    ({ server, base } = await startReceiver((req, body, res) => {
      if (req.url === '/slow' && stallsLeft > 0) {
        stallsLeft--;
        return;
      }
      if (req.url === '/down') {
        const answered = downFailing ? 500 : 200;
        down.push({ body, answered });
        res.writeHead(answered).end();
        return;
      }
      const answered = failuresLeft > 0 ? 503 : 200;
      if (failuresLeft > 0) failuresLeft--;
      received.push({ headers: req.headers, body, answered });
      res.writeHead(answered).end();
    }));
    url = `${base}/acctnet`;
    worker = createWebhookWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
  });
  after(async () => {
    await worker.close();
    server.close();
    await app.close();
    await s.close();
  });

  async function until(check: () => boolean, what: string) {
    for (let k = 0; k < 300 && !check(); k++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(check(), `timed out waiting for ${what}`);
  }

  test('a published version is pushed, signed; after two failures the third attempt lands; the log shows all three', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: bearer(keys.admin),
      payload: { url, secret, description: 'test gateway' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const webhookId = created.json().webhook.id;
    assert.equal(created.json().audit.action, 'webhook.create');
    failuresLeft = 2;
    const outsider = s.world.truth.find((x) => x.kind === 'person' && !x.fraud)!.id;
    const published = (
      await app.inject({
        method: 'POST',
        url: '/v1/blacklist/overrides',
        headers: bearer(keys.investigator),
        payload: { accountId: outsider, action: 'include', reason: 'push test' },
      })
    ).json().published;
    await until(() => received.some((r) => r.answered === 200), 'a successful delivery');
    assert.deepEqual(
      received.map((r) => r.answered),
      [503, 503, 200],
    );
    const ok = received.at(-1)!;
    assert.equal(ok.headers['x-acctnet-version'], String(published.version));
    const check = verifySignature({
      header: ok.headers['x-acctnet-signature'] as string,
      timestamp: ok.headers['x-acctnet-timestamp'] as string,
      rawBody: ok.body,
      secrets: [secret],
    });
    assert.deepEqual(check, { ok: true });
    const body = JSON.parse(ok.body);
    assert.equal(body.fromVersion, published.previous);
    assert.equal(body.toVersion, published.version);
    assert.deepEqual(body.added, [{ accountId: outsider, clusterId: null, score: 1, reasons: ['MANUAL_INCLUDE'] }]);
    assert.deepEqual(body.removed, []);
    // A replay later than five minutes, or with a tampered body, is rejected.
    const later = Number(ok.headers['x-acctnet-timestamp']) + 301;
    assert.equal(
      verifySignature({
        header: ok.headers['x-acctnet-signature'] as string,
        timestamp: ok.headers['x-acctnet-timestamp'] as string,
        rawBody: ok.body,
        secrets: [secret],
        nowSeconds: later,
      }).ok,
      false,
    );
    assert.equal(
      verifySignature({
        header: ok.headers['x-acctnet-signature'] as string,
        timestamp: ok.headers['x-acctnet-timestamp'] as string,
        rawBody: ok.body.replace(outsider, 'X'),
        secrets: [secret],
      }).ok,
      false,
    );
    assert.equal(
      verifySignature({
        header: ok.headers['x-acctnet-signature'] as string,
        timestamp: ok.headers['x-acctnet-timestamp'] as string,
        rawBody: ok.body,
        secrets: ['whsec_wrong_secret_0123456789abcdef'],
      }).ok,
      false,
    );
    // The worker records the attempt after the receiver answered: wait for the third record.
    let log: Array<{ attempt: number; ok: boolean; httpStatus: number }> = [];
    const readLog = async () =>
      (log = (await app.inject({ method: 'GET', url: `/v1/webhooks/${webhookId}/deliveries`, headers: bearer(keys.admin) })).json().items);
    for (let k = 0; k < 100 && (await readLog()).length < 3; k++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(log.map((d) => [d.attempt, d.ok, d.httpStatus]).reverse(), [
      [1, false, 503],
      [2, false, 503],
      [3, true, 200],
    ]);
    await app.inject({ method: 'DELETE', url: `/v1/webhooks/${webhookId}`, headers: bearer(keys.admin) });
  });

  test('during a secret rotation a delivery carries both signatures; a large diff becomes a pull link', async () => {
    received.length = 0;
    const webhookId = (
      await app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(keys.admin), payload: { url, secret } })
    ).json().webhook.id;
    const rotated = (
      await app.inject({
        method: 'POST',
        url: `/v1/webhooks/${webhookId}/rotate-secret`,
        headers: bearer(keys.admin),
        payload: { graceHours: 1 },
      })
    ).json();
    const newSecret = rotated.webhook.secret as string;
    assert.equal(rotated.webhook.rotating, true);
    // A second rotation within the grace would drop the first secret early: refused, saying until when.
    const again = await app.inject({
      method: 'POST',
      url: `/v1/webhooks/${webhookId}/rotate-secret`,
      headers: bearer(keys.admin),
      payload: {},
    });
    assert.equal(again.statusCode, 409, again.body);
    assert.match(again.json().message, /already rotating: its previous secret stays valid until .*rotate again after that/);
    const outsider = s.world.truth.filter((x) => x.kind === 'person' && !x.fraud)[1]!.id;
    await app.inject({
      method: 'POST',
      url: '/v1/blacklist/overrides',
      headers: bearer(keys.investigator),
      payload: { accountId: outsider, action: 'include', reason: 'rotation test' },
    });
    await until(() => received.length >= 1, 'a delivery');
    const d = received[0]!;
    const header = d.headers['x-acctnet-signature'] as string;
    assert.equal(header.split(',').length, 2);
    for (const sec of [secret, newSecret])
      assert.deepEqual(
        verifySignature({ header, timestamp: d.headers['x-acctnet-timestamp'] as string, rawBody: d.body, secrets: [sec] }),
        { ok: true },
      );

    // A diff of more than ACCTNET_WEBHOOK_MAX_DIFF (3 here) entries: the receiver gets a link instead.
    received.length = 0;
    // "Redeliver from version 0": the receiver gets everything, here as a link (more than 3 entries).
    const redeliver = await app.inject({
      method: 'POST',
      url: `/v1/webhooks/${webhookId}/redeliver`,
      headers: bearer(keys.admin),
      payload: { fromVersion: 0 },
    });
    assert.equal(redeliver.statusCode, 200, redeliver.body);
    const ahead = await app.inject({
      method: 'POST',
      url: `/v1/webhooks/${webhookId}/redeliver`,
      headers: bearer(keys.admin),
      payload: { fromVersion: 999_999 },
    });
    assert.equal(ahead.statusCode, 409, 'a version newer than the served one');
    assert.equal(redeliver.json().webhook.ackedVersion, null);
    assert.equal(redeliver.json().audit.action, 'webhook.redeliver');
    // The list says how far each receiver is behind the served version (as the CLI and /metrics).
    const list = (await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(keys.admin) })).json();
    const mine = list.items.find((w: { id: string }) => w.id === webhookId);
    assert.ok(Number.isInteger(list.servedVersion) && list.servedVersion > 0, JSON.stringify(list.servedVersion));
    assert.equal(mine.lag, list.servedVersion - (mine.ackedVersion ?? 0));
    // (A retried delivery of the earlier diff may still arrive: look for the pull link.)
    await until(() => received.some((r) => 'pull' in JSON.parse(r.body)), 'a pull-link delivery');
    const pull = JSON.parse(received.find((r) => 'pull' in JSON.parse(r.body))!.body);
    assert.equal(pull.pull, 'https://acctnet.example.com/v1/blacklist?since=0');
    assert.ok(pull.addedCount > 3);
    assert.equal(pull.added, undefined);
  });

  test('an answer to a delivery moves the acknowledged version only from the version it was built on; a redelivery has its own id', async () => {
    const id = (
      await app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(keys.admin), payload: { url: `${url}?cas`, secret } })
    ).json().webhook.id as string;
    await app.inject({ method: 'POST', url: `/v1/webhooks/${id}/pause`, headers: bearer(keys.admin) });
    const repo = createWebhookRepository(s.driver, s.config.neo4j);
    const acked = async () => (await repo.get(id))!.ackedVersion;
    await repo.setAcked(id, 11);
    await repo.acknowledge(id, 11, 12);
    assert.equal(await acked(), 12, 'a delivery built on the acknowledged version moves it');
    await repo.acknowledge(id, 10, 11);
    assert.equal(await acked(), 12, 'a late answer to an older delivery changes nothing');
    // An operator redelivers from 5 while a delivery 12 → 13 is in flight: its 2xx must not undo that.
    const before = (await repo.get(id))!.redeliveries;
    await repo.setAcked(id, 5);
    await repo.acknowledge(id, 12, 13);
    assert.equal(await acked(), 5, 'the redelivery stands');
    const w = (await repo.get(id))!;
    assert.equal(w.redeliveries, before + 1);
    assert.notEqual(deliveryId(id, 5, 13, w.redeliveries), deliveryId(id, 5, 13, before), 'a redelivery of a change has an id of its own');
    assert.equal(deliveryIdFor(w, 5, 13), `${id}-v5-v13-r${w.redeliveries}`);
    // Once the receiver acknowledged the redelivery, later deliveries are ordinary ones again.
    await repo.acknowledge(id, 5, 13);
    const done = (await repo.get(id))!;
    assert.equal(done.redeliveryPending, false);
    assert.equal(deliveryIdFor(done, 13, 14), `${id}-v13-v14`, 'no -r suffix after the redelivery was acknowledged');
    await app.inject({ method: 'DELETE', url: `/v1/webhooks/${id}`, headers: bearer(keys.admin) });
  });

  test('one retry chain per webhook: publications while the receiver fails add no requests of their own; the newest version lands once it recovers', async () => {
    const webhookId = (
      await app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: bearer(keys.admin),
        payload: { url: url.replace(/\/acctnet$/, '/down'), secret },
      })
    ).json().webhook.id as string;
    assert.equal(worker.concurrency, s.config.webhooks.concurrency, 'ACCTNET_WEBHOOK_CONCURRENCY reaches the worker');
    downFailing = true;
    down.length = 0;
    const started = Date.now();
    let served = 0;
    for (const p of s.world.truth.filter((x) => x.kind === 'person' && !x.fraud).slice(10, 15)) {
      const r = await app.inject({
        method: 'POST',
        url: '/v1/blacklist/overrides',
        headers: bearer(keys.investigator),
        payload: { accountId: p.id, action: 'include', reason: 'retry chain test' },
      });
      served = r.json().published.version;
      await new Promise((r) => setTimeout(r, 150));
    }
    await new Promise((r) => setTimeout(r, 1500));
    // One chain (backoff 150 ms, doubling) makes at most 1 + log2(t / 150 + 1) attempts in t; before
    // the change each of the five publications started a chain of its own (about four times as many).
    const oneChain = 1 + Math.floor(Math.log2((Date.now() - started) / 150 + 1));
    const failed = down.length;
    assert.ok(failed >= 2, `the receiver was tried and retried (${failed})`);
    // One more for a drain that starts in the instant between a failed attempt and its retry's
    // marker: it makes one request, then the two chains merge (the older retry defers to the newer).
    assert.ok(failed <= oneChain + 1, `${failed} requests to the failing receiver, one chain allows ${oneChain}`);
    downFailing = false;
    await until(() => down.some((d) => d.answered === 200), 'a delivery after the receiver recovered');
    await new Promise((r) => setTimeout(r, 500));
    const ok = down.filter((d) => d.answered === 200);
    assert.equal(ok.length, 1, 'one delivery once it recovered');
    assert.equal(JSON.parse(ok[0]!.body).toVersion, served, 'it carries the newest version');
    // Five changes exceed this suite's ACCTNET_WEBHOOK_MAX_DIFF (3): a pull link that counts them.
    assert.equal(JSON.parse(ok[0]!.body).addedCount, 5, 'and every change since the acknowledged version');
    await app.inject({ method: 'DELETE', url: `/v1/webhooks/${webhookId}`, headers: bearer(keys.admin) });
  });

  test('ACCTNET_WEBHOOK_TIMEOUT_MS: a receiver that does not answer in time is recorded as such, and retried', async () => {
    const slowUrl = url.replace(/\/acctnet$/, '/slow');
    const webhookId = (
      await app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(keys.admin), payload: { url: slowUrl, secret } })
    ).json().webhook.id;
    stallsLeft = 1;
    const outsider = s.world.truth.filter((x) => x.kind === 'person' && !x.fraud)[2]!.id;
    await app.inject({
      method: 'POST',
      url: '/v1/blacklist/overrides',
      headers: bearer(keys.investigator),
      payload: { accountId: outsider, action: 'include', reason: 'timeout test' },
    });
    type Delivery = { attempt: number; ok: boolean; error: string | null; durationMs: number };
    let log: Delivery[] = [];
    const readLog = async (): Promise<Delivery[]> =>
      (log = (await app.inject({ method: 'GET', url: `/v1/webhooks/${webhookId}/deliveries`, headers: bearer(keys.admin) })).json().items);
    for (let k = 0; k < 300 && !(await readLog()).some((d) => d.ok); k++) await new Promise((r) => setTimeout(r, 50));
    const [first, second] = log.slice().reverse();
    assert.equal(first?.ok, false, JSON.stringify(log));
    assert.equal(first!.error, 'no answer within 1500 ms');
    // Given up at the configured 1.5 s, not at the default 10 s.
    assert.ok(first!.durationMs >= 1400 && first!.durationMs < 5000, `${first!.durationMs} ms`);
    assert.equal(second?.ok, true, JSON.stringify(log));
    await app.inject({ method: 'DELETE', url: `/v1/webhooks/${webhookId}`, headers: bearer(keys.admin) });
  });
});
