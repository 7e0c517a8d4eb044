// A 100,000-entry blacklist served as a stream over real HTTP, byte-exact with its published hash.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { BlacklistEntry } from '../../src/analysis/blacklist.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openServices, type TestServices } from '../helpers/services.js';

describe('streamed blacklist', () => {
  let s: TestServices;
  let app: FastifyInstance;
  let keys: Keys;
  let base: string;
  const N = 100_000;

  before(async () => {
    s = await openServices();
    app = await buildTestApp(s);
    keys = await createKeys(s);
    const repo = createBlacklistRepository(s.driver, s.config.neo4j);
    const entries: BlacklistEntry[] = Array.from({ length: N }, (_, k) => ({
      accountId: `+4479${String(k).padStart(8, '0')}`,
      clusterId: k % 10 ? `C${String(k % 997).padStart(6, '0')}` : null,
      score: Math.round((0.5 + (k % 500) / 1000) * 1000) / 1000,
      reasons: k % 3 ? ['FUNDS_FROM_RISKY:91% of inflow from risky accounts'] : ['=cmd|calc', 'LABELLED_FRAUD'],
    }));
    const version = await repo.nextVersionNumber();
    await repo.writeVersion({
      version,
      runId: null,
      source: 'recompute',
      generatedAt: Date.now(),
      entries,
      basedOn: null,
      added: N,
      removed: 0,
    });
    await repo.serve(version);
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app.close();
    await s.close();
  });

  for (const format of ['json', 'csv'] as const) {
    test(`${format}: ${N} entries, streamed, the body hashes to X-Blacklist-SHA256`, async () => {
      const started = performance.now();
      const res = await fetch(`${base}/v1/blacklist?format=${format}`, { headers: bearer(keys.gateway) });
      assert.equal(res.status, 200);
      const hash = createHash('sha256');
      let bytes = 0;
      let chunks = 0;
      const decoder = new TextDecoder();
      let text = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        bytes += chunk.length;
        chunks++;
        text += decoder.decode(chunk, { stream: true });
      }
      const seconds = (performance.now() - started) / 1000;
      assert.equal(hash.digest('hex'), res.headers.get('x-blacklist-sha256'));
      assert.equal(bytes, Number(res.headers.get('content-length')));
      assert.equal(Number(res.headers.get('x-blacklist-count')), N);
      assert.ok(chunks > 1, 'the body arrived in several chunks (streamed)');
      if (format === 'json') {
        const body = JSON.parse(text);
        assert.equal(body.entries.length, N);
        assert.equal(body.entries[0].accountId, '+447900000000');
      } else {
        const lines = text.trimEnd().split('\n');
        assert.equal(lines.length, N + 1);
        assert.equal(lines[1], "+447900000000,,0.5,'=cmd|calc;LABELLED_FRAUD");
      }
      process.stderr.write(`# ${format}: ${N} entries, ${bytes} bytes in ${seconds.toFixed(2)} s\n`);
    });
  }

  test('spreadsheet=true: the same CSV with account ids neutralised too (+4479… → \'+4479…); the gateway CSV keeps them exact', async () => {
    const res = await fetch(`${base}/v1/blacklist?format=csv&spreadsheet=true`, { headers: bearer(keys.investigator) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-blacklist-sha256'), null, 'no hash: these are not the published bytes');
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="blacklist-v\d+-spreadsheet\.csv"/);
    const sheet = (await res.text()).trimEnd().split('\n');
    const exact = (await (await fetch(`${base}/v1/blacklist?format=csv`, { headers: bearer(keys.gateway) })).text()).trimEnd().split('\n');
    assert.equal(sheet.length, N + 1);
    assert.equal(sheet[0], 'account_id,cluster_id,score,reasons');
    assert.equal(sheet[1], "'+447900000000,,0.5,'=cmd|calc;LABELLED_FRAUD");
    for (let k = 1; k <= N; k++) assert.equal(sheet[k], `'${exact[k]}`);
    const json = await fetch(`${base}/v1/blacklist?format=json&spreadsheet=true`, { headers: bearer(keys.investigator) });
    assert.equal(json.status, 400);
    assert.match(((await json.json()) as { message: string }).message, /spreadsheet=true is a CSV download/);
  });
});
