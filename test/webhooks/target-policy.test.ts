// Webhook targets: internal addresses refused at registration and where the delivery connects,
// whatever form the address takes; the allow-list lets named ones through. Real Neo4j and Redis.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { createWebhookRepository } from '../../src/neo4j/repositories/webhooks.js';
import { drainWebhook, postToReceiver } from '../../src/webhooks/deliver.js';
import { canonicalAddress, targetPolicy, WebhookTargetDenied } from '../../src/webhooks/target-policy.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openServices, type TestServices } from '../helpers/services.js';

test('the policy: private, loopback, link-local, mapped and numeric forms refused; public and allow-listed accepted', () => {
  const none = targetPolicy([]);
  for (const address of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.9',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00::5',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a00:1',
    '::127.0.0.1',
    '::ffff:0:127.0.0.1',
    '2002:7f00:1::1',
    '64:ff9b:1::a00:1',
  ]) {
    assert.ok(none.denied(address), `${address} must be refused`);
  }
  assert.match(none.denied('::ffff:7f00:1')!, /loopback/);
  assert.match(none.denied('169.254.169.254')!, /link-local/);
  for (const address of ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '8.8.8.8'])
    assert.equal(none.denied(address), null, address);
  assert.deepEqual(canonicalAddress('::ffff:7f00:1'), { address: '127.0.0.1', family: 'ipv4' });
  const some = targetPolicy(['127.0.0.1', '10.20.0.0/16', '::1']);
  assert.equal(some.denied('127.0.0.1'), null);
  assert.equal(some.denied('::ffff:127.0.0.1'), null, 'the mapped form of an allowed address is allowed');
  assert.equal(some.denied('10.20.3.4'), null);
  assert.ok(some.denied('10.21.0.1'));
  assert.ok(some.denied('127.0.0.2'));
  assert.equal(some.denied('::1'), null);
});

describe('webhook targets (real Neo4j and Redis)', () => {
  let s: TestServices;
  let app: FastifyInstance;
  let keys: Keys;
  let receiver: http.Server;
  let port: number;
  let received = 0;
  before(async () => {
    s = await openServices({ ACCTNET_WEBHOOK_ALLOW_TARGETS: '', ACCTNET_WEBHOOK_ATTEMPTS: '1' });
    app = await buildTestApp(s);
    keys = await createKeys(s);
    receiver = http.createServer((req, res) => {
      received++;
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    port = (receiver.address() as AddressInfo).port;
  });
  after(async () => {
    receiver.close();
    await app.close();
    await s.close();
  });

  test('registration refuses internal targets in any spelling, with the reason', async () => {
    for (const url of [
      `http://127.0.0.1:${port}/hook`,
      `http://2130706433:${port}/hook`, // 127.0.0.1 as one number
      `http://0x7f.1:${port}/hook`,
      `http://[::ffff:127.0.0.1]:${port}/hook`,
      'http://169.254.169.254/latest/meta-data',
      `http://localhost:${port}/hook`,
      'https://10.0.0.8/acctnet',
    ]) {
      const res = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(keys.admin), payload: { url } });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.match(res.json().message, /address; webhooks go to public addresses only unless ACCTNET_WEBHOOK_ALLOW_TARGETS lists it/);
    }
    assert.equal(received, 0);
  });

  test('registration accepts a host name that does not resolve, and says so in warnings', async () => {
    const register = (url: string) => app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(keys.admin), payload: { url } });
    // .invalid never resolves (RFC 6761).
    const res = await register('https://gateway.acctnet-test.invalid/hook');
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().warnings.length, 1);
    assert.match(
      res.json().warnings[0],
      /^gateway\.acctnet-test\.invalid does not resolve from this server \((ENOTFOUND|EAI_AGAIN)\): deliveries fail until it does/,
    );
    // An address needs no resolving: no warning.
    const literal = await register('https://203.0.113.9/hook');
    assert.equal(literal.statusCode, 201, literal.body);
    assert.deepEqual(literal.json().warnings, []);
    for (const r of [res, literal])
      await app.inject({ method: 'DELETE', url: `/v1/webhooks/${r.json().webhook.id}`, headers: bearer(keys.admin) });
  });

  test('delivery checks the address it connects to: a webhook whose name points inside is refused and logged, nothing is sent', async () => {
    // As if the name had resolved publicly at registration and was re-pointed since.
    const webhooks = createWebhookRepository(s.driver, s.config.neo4j);
    const hook = await webhooks.create({
      url: `http://localhost:${port}/hook`,
      description: null,
      secret: 'whsec_test_0123456789abcdef0123456789abcdef',
      createdBy: 'test',
    });
    const blacklist = createBlacklistRepository(s.driver, s.config.neo4j);
    const version = await blacklist.nextVersionNumber();
    await blacklist.writeVersion({
      version,
      runId: null,
      source: 'recompute',
      generatedAt: Date.now(),
      entries: [{ accountId: 'A1', clusterId: 'C1', score: 0.9, reasons: ['X'] }],
      basedOn: null,
      added: 1,
      removed: 0,
    });
    await blacklist.serve(version);
    await assert.rejects(
      drainWebhook({ config: s.config, driver: s.driver, redis: s.rt.redis() }, hook.id, 1),
      /refused: localhost resolves to/,
    );
    const log = await webhooks.deliveries(hook.id, 10);
    assert.equal(log.length, 1);
    assert.equal(log[0]!.ok, false);
    assert.match(log[0]!.error ?? '', /^refused: localhost resolves to (127\.0\.0\.1|::1) is a loopback address/);
    assert.equal(received, 0, 'the receiver was never contacted');

    // A literal address in a mapped form is refused before connecting as well.
    await assert.rejects(postToReceiver(`http://[::ffff:7f00:1]:${port}/`, {}, '{}', 2000, targetPolicy([])), WebhookTargetDenied);
    // Allow-listed: delivered.
    assert.equal(await postToReceiver(`http://127.0.0.1:${port}/`, {}, '{}', 2000, targetPolicy(['127.0.0.1'])), 200);
    assert.equal(received, 1);
  });
});
