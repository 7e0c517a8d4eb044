// The account page names the run its analysis comes from (runId) and the run the served list was
// built from (blacklist.runId, blacklist.sameRun): while a pin holds a newer run's version they
// differ, and the page says so. Real Neo4j and Redis, two real runs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { administer } from '../../src/blacklist/admin.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';

describe('GET /v1/accounts/:id: which run the analysis and the served list come from', () => {
  let s: AnalysedServices;
  let app: FastifyInstance;
  let keys: Keys;
  before(async () => {
    s = await openAnalysedServices();
    app = await buildTestApp(s);
    keys = await createKeys(s);
  });
  after(async () => {
    await app?.close();
    await s?.close();
  });

  test("while a newer run's version is held, the page says the list is an older run's", async () => {
    const first = s.run;
    assert.equal(first.publication, 'served');
    const listed = (await createBlacklistRepository(s.driver, s.config.neo4j).entries(first.blacklistVersion!))[0]!.accountId;
    const page = async () => {
      const r = await app.inject({ method: 'GET', url: `/v1/accounts/${encodeURIComponent(listed)}`, headers: bearer(keys.investigator) });
      assert.equal(r.statusCode, 200, r.body);
      return r.json() as {
        runId: string;
        blacklist: {
          version: number;
          runId: string | null;
          sameRun: boolean;
          listed: boolean;
          held: { version: number; reason: string | null; listed: boolean } | null;
        };
      };
    };

    const before = await page();
    assert.equal(before.runId, first.runId);
    assert.deepEqual(
      [before.blacklist.version, before.blacklist.runId, before.blacklist.sameRun],
      [first.blacklistVersion, first.runId, true],
    );
    assert.equal(before.blacklist.held, null, 'nothing is held');

    // A pin holds every later run's version: the next run is served for the analysis, not for the list.
    await administer(s.rt.publishDeps(), { keyId: 'test', name: 'test', role: 'admin' }, 'blacklist.pin', first.blacklistVersion);
    const second = await s.recompute();
    assert.equal(second.publication, 'held');
    const during = await page();
    assert.equal(during.runId, second.runId, 'the analysis is the newer run');
    assert.deepEqual(
      [during.blacklist.version, during.blacklist.runId, during.blacklist.sameRun],
      [first.blacklistVersion, first.runId, false],
      "the list is the first run's, and the page says they differ",
    );
    assert.equal(during.blacklist.listed, true);
    // The held version is named, with why and whether it lists the account.
    const heldEntries = await createBlacklistRepository(s.driver, s.config.neo4j).entries(second.blacklistVersion!);
    assert.ok(during.blacklist.held, 'the held version is named');
    assert.equal(during.blacklist.held.version, second.blacklistVersion);
    assert.match(during.blacklist.held.reason ?? '', new RegExp(`version ${first.blacklistVersion} is pinned`));
    assert.equal(
      during.blacklist.held.listed,
      heldEntries.some((e) => e.accountId === listed),
    );
    // And for an account the held version does not list.
    const onHeld = new Set(heldEntries.map((e) => e.accountId));
    const ids = (
      await s.driver.executeQuery('MATCH (a:Account) RETURN a.id AS id ORDER BY id', {}, { database: s.config.neo4j.database })
    ).records.map((r) => r.get('id') as string);
    const other = ids.find((x) => !onHeld.has(x))!;
    const r = await app.inject({ method: 'GET', url: `/v1/accounts/${encodeURIComponent(other)}`, headers: bearer(keys.investigator) });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((r.json() as { blacklist: { held: { listed: boolean } } }).blacklist.held.listed, false);
  });
});
