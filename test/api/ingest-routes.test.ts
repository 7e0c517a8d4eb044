import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Worker } from 'bullmq';
import { createIngestWorker } from '../../src/ingest/ingest-worker.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { testLogger } from '../helpers/env.js';
import { openServices, type TestServices } from '../helpers/services.js';

async function waitForBatch(app: FastifyInstance, keys: Keys, id: string) {
  for (let i = 0; i < 200; i++) {
    const res = await app.inject({ method: 'GET', url: `/v1/ingest/batches/${id}`, headers: bearer(keys.ingest) });
    const body = res.json();
    if (body.state === 'done' || body.state === 'failed') return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('batch did not finish');
}

describe('ingest routes', () => {
  let s: TestServices;
  let app: FastifyInstance;
  let worker: Worker;
  let keys: Keys;
  before(async () => {
    s = await openServices({ ACCTNET_INGEST_BATCH_SIZE: '3', ACCTNET_HTTP_MAX_ROWS: '50' });
    app = await buildTestApp(s);
    keys = await createKeys(s);
    worker = createIngestWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
  });
  after(async () => {
    await worker.close();
    await app.close();
    await s.close();
  });

  test('POST /v1/transactions → 202 with a batch id; the batch route shows progress and rejected rows', async () => {
    const rows = [
      {
        tx_id: 'h1',
        from_account: 'A',
        to_account: 'B',
        amount: '10.00',
        currency: 'EUR',
        timestamp: '2026-02-01T10:00:00Z',
        channel: 'card',
      },
      { tx_id: 'h2', from_account: 'B', to_account: 'C', amount: 12, timestamp: 1769940000000 },
      { tx_id: 'h3', from_account: 'C', to_account: 'A', amount: 'lots', timestamp: '2026-02-01T10:00:00Z' },
      { tx_id: 'h4', from_account: { nested: true }, to_account: 'A', amount: '1', timestamp: '2026-02-01T10:00:00Z' },
      { tx_id: 'h5', from_account: 'C', to_account: 'A', amount: '3.5', timestamp: '2026-02-02' },
    ];
    const res = await app.inject({ method: 'POST', url: '/v1/transactions', payload: rows, headers: bearer(keys.ingest) });
    assert.equal(res.statusCode, 202, res.body);
    const accepted = res.json();
    assert.equal(accepted.rows, 5);
    assert.equal(accepted.jobs, 2);
    assert.equal(accepted.statusUrl, `/v1/ingest/batches/${accepted.batchId}`);

    const report = await waitForBatch(app, keys, accepted.batchId);
    assert.equal(report.state, 'done');
    assert.equal(report.written, 3);
    assert.equal(report.rejected, 2);
    assert.deepEqual(
      report.rejectedRows.map((r: { line: number; reason: string }) => [r.line, r.reason]),
      [
        [2, 'amount "lots" is not a decimal number'],
        [3, 'field from_account must be a string or a number'],
      ],
    );
    assert.deepEqual(
      report.rejectedRows.map((r: { txId: string | null }) => r.txId),
      ['h3', 'h4'],
      'rejected before the worker or by it, each keeps its tx_id',
    );
    const page = await app.inject({
      method: 'GET',
      url: `/v1/ingest/batches/${accepted.batchId}?rejectedLimit=1`,
      headers: bearer(keys.ingest),
    });
    assert.equal(page.json().rejectedRows.length, 1);
    assert.equal(page.json().nextRejectedAfter, 2);
  });

  test('errors are JSON {statusCode, error, message} that say what to fix', async () => {
    const notArray = await app.inject({ method: 'POST', url: '/v1/transactions', payload: { tx_id: 1 }, headers: bearer(keys.ingest) });
    assert.equal(notArray.statusCode, 400);
    assert.deepEqual(Object.keys(notArray.json()).sort(), ['error', 'message', 'statusCode']);
    assert.match(notArray.json().message, /body must be array/);

    const tooMany = await app.inject({
      method: 'POST',
      url: '/v1/transactions',
      payload: Array.from({ length: 51 }, () => ({})),
      headers: bearer(keys.ingest),
    });
    assert.equal(tooMany.statusCode, 400);
    assert.match(tooMany.json().message, /must NOT have more than 50 items/);

    // A value that must be one of a few words names them.
    const label = await app.inject({
      method: 'POST',
      url: '/v1/labels',
      payload: { accountId: 'A1', label: 'Fraud' },
      headers: bearer(keys.investigator),
    });
    assert.equal(label.statusCode, 400);
    assert.equal(label.json().message, 'body/label must be one of: fraud, legit');

    // No JSON Content-Type (curl -d sends a form): the message says which header to send.
    const form = await app.inject({
      method: 'POST',
      url: '/v1/transactions',
      payload: '[{"tx_id":"x"}]',
      headers: { ...bearer(keys.ingest), 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.statusCode, 415);
    assert.match(
      form.json().message,
      /^Unsupported Media Type "application\/x-www-form-urlencoded": send the body as JSON with the header "Content-Type: application\/json"$/,
    );

    const missing = await app.inject({ method: 'GET', url: '/v1/ingest/batches/nope', headers: bearer(keys.ingest) });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().message, 'No ingest batch nope');

    const noRoute = await app.inject({ method: 'GET', url: '/v1/nothing-here', headers: bearer(keys.ingest) });
    assert.equal(noRoute.statusCode, 404);

    const badJson = await app.inject({
      method: 'POST',
      url: '/v1/transactions',
      payload: '[{',
      headers: { 'content-type': 'application/json', ...bearer(keys.ingest) },
    });
    assert.equal(badJson.statusCode, 400);
  });

  test('numeric ids JSON cannot hold exactly are refused with "send ids as strings"; safe integers are kept as text', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/transactions',
      payload:
        '[{"tx_id":"n1","from_account":12345678901234567891,"to_account":"B","amount":"1","timestamp":"2026-02-01"},' +
        '{"tx_id":"n2","from_account":424242,"to_account":"B","amount":"1","timestamp":"2026-02-01"}]',
      headers: { 'content-type': 'application/json', ...bearer(keys.ingest) },
    });
    assert.equal(res.statusCode, 202, res.body);
    const report = await waitForBatch(app, keys, res.json().batchId);
    assert.equal(report.written, 1);
    assert.equal(report.rejectedRows.length, 1);
    assert.match(report.rejectedRows[0].reason, /from_account is the JSON number .* not a safe integer.*send ids as strings/);
    // The rejection is about another field: the row's tx_id is kept with it (a client finds the row by it).
    assert.equal(report.rejectedRows[0].txId, 'n1');

    const label = await app.inject({
      method: 'POST',
      url: '/v1/labels',
      payload: '{"accountId":12345678901234567891,"label":"fraud"}',
      headers: { 'content-type': 'application/json', ...bearer(keys.investigator) },
    });
    assert.equal(label.statusCode, 400, label.body);
    assert.match(label.json().message, /accountId .* send ids as strings/);

    const override = await app.inject({
      method: 'POST',
      url: '/v1/blacklist/overrides',
      payload: '{"accountId":12345678901234567891,"action":"exclude","reason":"customer complaint"}',
      headers: { 'content-type': 'application/json', ...bearer(keys.investigator) },
    });
    assert.equal(override.statusCode, 400, override.body);
    assert.match(override.json().message, /accountId .* send ids as strings/);
  });

  test('labels: POST /v1/labels appends, GET lists, an identical label is not duplicated', async () => {
    const first = await app.inject({
      method: 'POST',
      url: '/v1/labels',
      payload: { accountId: 'A', label: 'fraud', note: 'chargebacks' },
      headers: bearer(keys.investigator),
    });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().created, true);
    const same = await app.inject({
      method: 'POST',
      url: '/v1/labels',
      payload: { accountId: 'A', label: 'fraud', note: 'chargebacks' },
      headers: bearer(keys.investigator),
    });
    assert.equal(same.json().created, false);
    await app.inject({
      method: 'POST',
      url: '/v1/labels',
      payload: { accountId: 'A', label: 'legit' },
      headers: bearer(keys.investigator),
    });
    const list = await app.inject({ method: 'GET', url: '/v1/accounts/A/labels', headers: bearer(keys.investigator) });
    assert.equal(list.json().events.length, 2);
    assert.equal(list.json().current.label, 'legit');
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/labels',
      payload: { accountId: 'A', label: 'maybe' },
      headers: bearer(keys.investigator),
    });
    assert.equal(bad.statusCode, 400);
    // The body's field is accountId (the rules' own word is a file's column, account_id).
    const spaced = await app.inject({
      method: 'POST',
      url: '/v1/labels',
      payload: { accountId: ' A', label: 'fraud' },
      headers: bearer(keys.investigator),
    });
    assert.equal(spaced.statusCode, 400);
    assert.equal(spaced.json().message, 'accountId has control characters or surrounding spaces');
    // A retraction sent without its body says what to send.
    const id = list.json().events[0].id as string;
    const bare = await app.inject({ method: 'DELETE', url: `/v1/labels/${id}`, headers: bearer(keys.investigator) });
    assert.equal(bare.statusCode, 400);
    assert.equal(bare.json().message, 'This request needs a JSON body with reason, sent with the header "Content-Type: application/json"');
  });

  test('GET /health reports Neo4j, Redis and the connected workers (to an admin)', async () => {
    const res = await app.inject({ method: 'GET', url: '/health', headers: bearer(keys.admin) });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.status, 'ok');
    assert.equal(body.neo4j.ok, true);
    assert.equal(body.redis.ok, true);
    assert.ok(body.workers.ingest >= 1);
  });
});
