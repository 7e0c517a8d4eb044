// Dual control for unlisting (ACCTNET_OVERRIDE_DUAL_CONTROL), against the real Neo4j and Redis with
// a served list from a real run: off = an exclude is published at once; exclude = it waits for a
// second person, who alone can make it take effect; a rejection leaves the account listed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createKeyRepository } from '../../src/neo4j/repositories/keys.js';
import { buildServer } from '../../src/server.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { ROOT, testLogger, tmpDir } from '../helpers/env.js';

describe('dual control for unlisting (real Neo4j and Redis)', () => {
  let s: AnalysedServices;
  let app: FastifyInstance; // dual control on (from the environment)
  let off: FastifyInstance; // the same store, dual control off
  let keys: Keys;
  let second: string; // a second investigator's key
  let listed: string[];

  const served = async (server = app) => {
    const res = await server.inject({ method: 'GET', url: '/v1/blacklist', headers: bearer(keys.gateway) });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { version: number; entries: Array<{ accountId: string }> };
    return { version: body.version, ids: new Set(body.entries.map((e) => e.accountId)) };
  };
  const exclude = (key: string, accountId: string, server = app) =>
    server.inject({
      method: 'POST',
      url: '/v1/blacklist/overrides',
      headers: bearer(key),
      payload: { accountId, action: 'exclude', reason: 'customer proved the payments were legitimate' },
    });
  const confirm = (key: string, id: string) =>
    app.inject({
      method: 'POST',
      url: `/v1/blacklist/overrides/pending/${id}/confirm`,
      headers: bearer(key),
      payload: { note: 'checked' },
    });
  const reject = (key: string, id: string) =>
    app.inject({
      method: 'POST',
      url: `/v1/blacklist/overrides/pending/${id}/reject`,
      headers: bearer(key),
      payload: { reason: 'not convinced' },
    });
  const audit = async (action: string) => {
    const r = await s.driver.executeQuery('MATCH (a:AuditEntry {action: $action}) RETURN a.actorName AS who, a.target AS target', {
      action,
    });
    return r.records.map((x) => ({ who: x.get('who') as string, target: x.get('target') as string }));
  };

  before(async () => {
    s = await openAnalysedServices({ ACCTNET_OVERRIDE_DUAL_CONTROL: 'exclude' }, { accounts: 500 });
    assert.equal(s.config.overrides.dualControl, 'exclude');
    app = await buildTestApp(s);
    off = await buildServer({ config: { ...s.config, overrides: { dualControl: 'off' } }, runtime: s.rt, logger: testLogger() });
    await off.ready();
    keys = await createKeys(s);
    second = (await createKeyRepository(s.driver, s.config.neo4j).create('investigator', 'second investigator', 'test')).key;
    listed = [...(await served()).ids].sort();
    assert.ok(listed.length >= 6, `the run listed enough accounts to test with (${listed.length})`);
  });
  after(async () => {
    await off?.close();
    await app?.close();
    await s?.close();
  });

  test('off (the default): an exclude is published at once, as before', async () => {
    const account = listed[0]!;
    const before = await served(off);
    const res = await exclude(keys.investigator, account, off);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().published.status, 'published');
    assert.deepEqual(res.json().warnings, [], 'a stored account: no warning');
    // The account's page says who kept it off the list, when and why.
    const page = await off.inject({ method: 'GET', url: `/v1/accounts/${account}`, headers: bearer(keys.investigator) });
    assert.equal(page.statusCode, 200, page.body);
    const o = page.json().blacklist.override;
    assert.equal(o.action, 'exclude');
    assert.equal(o.reason, 'customer proved the payments were legitimate');
    assert.equal(o.createdBy, 'test investigator');
    assert.match(o.createdAt, /^20\d\d-/);
    const after = await served(off);
    assert.equal(after.version, res.json().published.version);
    assert.ok(after.version > before.version);
    assert.ok(!after.ids.has(account), 'the account is off the served list');
    // Put it back for the other tests (removing an exclude relists at once under either setting).
    const back = await app.inject({ method: 'DELETE', url: `/v1/blacklist/overrides/${account}`, headers: bearer(keys.investigator) });
    assert.equal(back.statusCode, 200, back.body);
    assert.ok((await served()).ids.has(account));
    const plain = await off.inject({ method: 'GET', url: `/v1/accounts/${account}`, headers: bearer(keys.investigator) });
    assert.equal(plain.json().blacklist.override, null, 'no override once removed');
  });

  test('exclude: pending until a second investigator confirms; the requester cannot confirm their own', async () => {
    const account = listed[1]!;
    const before = await served();
    const res = await exclude(keys.investigator, account);
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json();
    assert.equal(body.status, 'pending confirmation');
    assert.equal(body.pending.status, 'pending');
    assert.equal(body.pending.accountId, account);
    assert.equal(body.pending.requestedBy, 'test investigator');
    assert.equal(body.audit.action, 'override.request');
    assert.deepEqual(body.warnings, []);
    const id = body.pending.id as string;

    const still = await served();
    assert.equal(still.version, before.version, 'nothing was published');
    assert.ok(still.ids.has(account), 'the account stays listed');
    const overrides = (await app.inject({ method: 'GET', url: '/v1/blacklist/overrides', headers: bearer(keys.investigator) })).json();
    assert.ok(!overrides.items.some((o: { accountId: string }) => o.accountId === account), 'no override in force yet');
    const pending = (await app.inject({ method: 'GET', url: '/v1/blacklist/overrides/pending', headers: bearer(second) })).json();
    assert.equal(pending.dualControl, 'exclude');
    assert.deepEqual(
      pending.items.map((p: { id: string }) => p.id),
      [id],
    );

    assert.equal((await exclude(second, account)).statusCode, 409, 'one open request per account');
    const own = await confirm(keys.investigator, id);
    assert.equal(own.statusCode, 403, own.body);
    assert.match(own.json().message, /a second investigator or an admin must confirm it/);
    assert.equal((await served()).version, before.version, 'the refused confirmation changed nothing');

    const ok = await confirm(second, id);
    assert.equal(ok.statusCode, 200, ok.body);
    const confirmed = ok.json();
    assert.equal(confirmed.pending.status, 'confirmed');
    assert.equal(confirmed.pending.decidedBy, 'second investigator');
    assert.equal(confirmed.published.status, 'published');
    assert.equal(confirmed.audit.action, 'override.confirm');
    const after = await served();
    assert.equal(after.version, confirmed.published.version);
    assert.ok(after.version > before.version);
    assert.ok(!after.ids.has(account), 'the confirmed exclude took the account off the list');
    const inForce = (await app.inject({ method: 'GET', url: '/v1/blacklist/overrides', headers: bearer(keys.investigator) })).json();
    assert.deepEqual(
      inForce.items
        .filter((o: { accountId: string }) => o.accountId === account)
        .map((o: { action: string; createdBy: string; confirmedBy: string }) => [o.action, o.createdBy, o.confirmedBy]),
      [['exclude', 'test investigator', 'second investigator']],
    );
    assert.equal((await confirm(keys.admin, id)).statusCode, 409, 'a decided request cannot be confirmed again');
    assert.deepEqual(
      (await audit('override.confirm')).filter((a) => a.target === `account:${account}`),
      [{ who: 'second investigator', target: `account:${account}` }],
    );
    assert.equal((await audit('override.request')).filter((a) => a.target === `account:${account}`).length, 1);
  });

  test('a rejected request leaves the account listed; the requester withdraws their own', async () => {
    const [a, b] = [listed[2]!, listed[3]!];
    const before = await served();
    const ra = (await exclude(keys.investigator, a)).json();
    const rejected = await reject(second, ra.pending.id);
    assert.equal(rejected.statusCode, 200, rejected.body);
    assert.equal(rejected.json().pending.status, 'rejected');
    assert.equal(rejected.json().pending.note, 'not convinced');
    assert.equal(rejected.json().audit.action, 'override.reject');
    assert.equal((await confirm(second, ra.pending.id)).statusCode, 409, 'a rejected request cannot be confirmed');

    const rb = (await exclude(keys.investigator, b)).json();
    const withdrawn = await reject(keys.investigator, rb.pending.id);
    assert.equal(withdrawn.json().pending.status, 'withdrawn');
    assert.equal(withdrawn.json().audit.action, 'override.withdraw');

    const after = await served();
    assert.equal(after.version, before.version);
    assert.ok(after.ids.has(a) && after.ids.has(b), 'both stay listed');
    const open = (await app.inject({ method: 'GET', url: '/v1/blacklist/overrides/pending', headers: bearer(second) })).json();
    assert.equal(open.items.length, 0);
    const all = (await app.inject({ method: 'GET', url: '/v1/blacklist/overrides/pending?status=all', headers: bearer(second) })).json();
    assert.deepEqual(all.items.map((p: { status: string }) => p.status).sort(), ['confirmed', 'rejected', 'withdrawn']);
  });

  test('an admin confirms; removing an include override (which unlists too) also waits; includes publish at once', async () => {
    const outsider = s.world.truth.find((x) => x.kind === 'person' && !x.fraud && !listed.includes(x.id))!.id;
    const inc = await app.inject({
      method: 'POST',
      url: '/v1/blacklist/overrides',
      headers: bearer(keys.investigator),
      payload: { accountId: outsider, action: 'include', reason: 'confirmed mule' },
    });
    assert.equal(inc.statusCode, 201, inc.body);
    assert.ok((await served()).ids.has(outsider));
    const del = await app.inject({ method: 'DELETE', url: `/v1/blacklist/overrides/${outsider}`, headers: bearer(keys.investigator) });
    assert.equal(del.statusCode, 202, del.body);
    assert.equal(del.json().pending.action, 'delete');
    assert.ok((await served()).ids.has(outsider), 'still listed while the removal waits');
    const ok = await confirm(keys.admin, del.json().pending.id);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().applied.removed, true);
    assert.ok(!(await served()).ids.has(outsider), 'off the list once an admin confirmed');
  });

  test('an account never seen in a transfer: the label and the overrides are kept, and the answer says so', async () => {
    const typo = `${listed[2]!}-typo`;
    const said = new RegExp(
      `^account "${typo}" has no transfer stored \\(yet\\): the (label|override) is kept and applies once the account trades`,
    );
    const label = await app.inject({
      method: 'POST',
      url: '/v1/labels',
      headers: bearer(keys.investigator),
      payload: { accountId: typo, label: 'fraud', source: 'chargeback' },
    });
    assert.equal(label.statusCode, 201, label.body);
    assert.equal(label.json().label.accountId, typo);
    assert.equal(label.json().warnings.length, 1);
    assert.match(label.json().warnings[0], said);
    const known = await app.inject({
      method: 'POST',
      url: '/v1/labels',
      headers: bearer(keys.investigator),
      payload: { accountId: listed[2]!, label: 'fraud', source: 'chargeback' },
    });
    assert.equal(known.statusCode, 201, known.body);
    assert.deepEqual(known.json().warnings, []);

    // An exclude with a typo would leave the meant account listed: said, in the 202 of dual control too.
    const ex = await exclude(keys.investigator, typo);
    assert.equal(ex.statusCode, 202, ex.body);
    assert.match(ex.json().warnings[0], said);
    assert.equal((await reject(keys.investigator, ex.json().pending.id)).statusCode, 200);
    // An include of an account not seen yet is a pre-emptive block: published, and said.
    const inc = await app.inject({
      method: 'POST',
      url: '/v1/blacklist/overrides',
      headers: bearer(keys.investigator),
      payload: { accountId: typo, action: 'include', reason: 'reported by a partner bank' },
    });
    assert.equal(inc.statusCode, 201, inc.body);
    assert.match(inc.json().warnings[0], said);
    assert.ok((await served()).ids.has(typo), 'the pre-emptive block is served');
    const back = await app.inject({ method: 'DELETE', url: `/v1/blacklist/overrides/${typo}`, headers: bearer(keys.investigator) });
    // Removing an include waits for a second person under dual control: withdrawn, for the tests after.
    assert.equal(back.statusCode, 202, back.body);
    assert.equal((await reject(keys.investigator, back.json().pending.id)).statusCode, 200);
  });

  test('CLI: blacklist pending lists the open requests; confirm by the CLI user applies one', async () => {
    const account = listed[4]!;
    const id = (await exclude(keys.investigator, account)).json().pending.id as string;
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), ...args], { env: s.env, encoding: 'utf8', cwd: tmpDir('dual') });
    const listedNow = cli(['blacklist', 'pending', '--json']);
    assert.equal(listedNow.status, 0, listedNow.stderr);
    assert.deepEqual(
      JSON.parse(listedNow.stdout).items.map((p: { id: string }) => p.id),
      [id],
    );
    const confirmed = cli(['blacklist', 'confirm', id, '--note', 'second look']);
    assert.equal(confirmed.status, 0, confirmed.stderr);
    assert.match(confirmed.stderr, new RegExp(`${id} confirmed: ${account} is kept off the list; version \\d+ is served`));
    assert.ok(!(await served()).ids.has(account));
    const again = cli(['blacklist', 'reject', id, '--reason', 'late']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already confirmed by cli:/);
  });
});
