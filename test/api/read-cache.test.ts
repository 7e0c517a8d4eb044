// The API's read cache on its own: served-state reuse within the TTL, refresh after invalidate, one
// shared read for concurrent callers, failures never kept, immutable memos in a bounded LRU.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { estimateBytes, ReadCache } from '../../src/api/read-cache.js';

function counter() {
  let n = 0;
  return {
    load: async () => ++n,
    get calls() {
      return n;
    },
  };
}

describe('read cache', () => {
  test('the served state is reused within the TTL, read again after it and after invalidate()', async () => {
    let now = 1_000;
    const c = counter();
    const cache = new ReadCache(c.load, { ttlMs: 1000, maxEntries: 10, clock: { now: () => now } });
    assert.equal(await cache.snapshot(), 1);
    now += 999;
    assert.equal(await cache.snapshot(), 1);
    now += 1;
    assert.equal(await cache.snapshot(), 2);
    cache.invalidate();
    assert.equal(await cache.snapshot(), 3);
    assert.equal(c.calls, 3);
  });

  test('TTL 0 reads on every call; concurrent callers within the TTL share one read', async () => {
    const c = counter();
    const fresh = new ReadCache(c.load, { ttlMs: 0, maxEntries: 10 });
    await fresh.snapshot();
    await fresh.snapshot();
    assert.equal(c.calls, 2);
    const d = counter();
    const shared = new ReadCache(d.load, { ttlMs: 60_000, maxEntries: 10 });
    assert.deepEqual(await Promise.all([shared.snapshot(), shared.snapshot(), shared.snapshot()]), [1, 1, 1]);
    assert.equal(d.calls, 1);
  });

  test('a failed read of the served state is not kept', async () => {
    let fail = true;
    const cache = new ReadCache(
      async () => {
        if (fail) throw new Error('neo4j down');
        return 'ok';
      },
      { ttlMs: 60_000, maxEntries: 10 },
    );
    await assert.rejects(cache.snapshot(), /neo4j down/);
    fail = false;
    assert.equal(await cache.snapshot(), 'ok');
  });

  test('memo loads a key once, evicts failures and the least recently used beyond maxEntries', async () => {
    const cache = new ReadCache(async () => null, { ttlMs: 0, maxEntries: 2 });
    let loads = 0;
    const load = (v: string) => async () => {
      loads++;
      return v;
    };
    assert.equal(await cache.memo('a', load('A')), 'A');
    assert.equal(await cache.memo('a', load('other')), 'A');
    assert.equal(loads, 1);
    await assert.rejects(
      cache.memo('bad', async () => {
        throw new Error('no such cluster');
      }),
      /no such cluster/,
    );
    assert.equal(await cache.memo('bad', load('now found')), 'now found');
    await cache.memo('c', load('C'));
    assert.equal(cache.size, 2);
    assert.equal(await cache.memo('a', load('A2')), 'A2', 'a was the least recently used and was evicted');
  });

  test('maxEntries 0 disables memos', async () => {
    const cache = new ReadCache(async () => null, { ttlMs: 0, maxEntries: 0 });
    let loads = 0;
    await cache.memo('k', async () => ++loads);
    await cache.memo('k', async () => ++loads);
    assert.equal(loads, 2);
  });

  test('memos are bounded in bytes: caller-chosen keys cannot grow the cache past maxResultBytes; a result over a quarter is not kept', async () => {
    const cache = new ReadCache(async () => null, { ttlMs: 0, maxEntries: 1_000_000, maxResultBytes: 100_000 });
    const big = (n: number) => async () => 'x'.repeat(n);
    // 1,000 keys (as a client varying limit/page/pageSize would make) of about 2 KB each.
    for (let k = 0; k < 1000; k++) {
      await cache.memo(`clusters:run-1:{"limit":${k}}`, big(1000));
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(cache.resultBytes <= 100_000, `held ${cache.resultBytes} bytes`);
    assert.equal(cache.size, Math.floor(100_000 / estimateBytes('x'.repeat(1000))), 'as many as fit, not 1,000');
    let loads = 0;
    const huge = async () => {
      loads++;
      return 'y'.repeat(20_000); // about 40 KB > 25 KB, a quarter of the bound
    };
    await cache.memo('huge', huge);
    await new Promise((r) => setImmediate(r));
    await cache.memo('huge', huge);
    assert.equal(loads, 2, 'not kept');
    assert.ok(cache.resultBytes <= 100_000);
  });
  test('bodies: kept while they fit; concurrent requests for one key share one build, also of a body too large to keep', async () => {
    const cache = new ReadCache(async () => null, { ttlMs: 0, maxEntries: 10, maxBodyBytes: 1000 });
    let builds = 0;
    const make = (text: string) => async () => {
      builds++;
      await new Promise((r) => setTimeout(r, 20));
      return text;
    };
    const small = await Promise.all([cache.body('s', make('small')), cache.body('s', make('small')), cache.body('s', make('small'))]);
    assert.deepEqual(small, ['small', 'small', 'small']);
    assert.equal(builds, 1, 'one build for three concurrent requests');
    await cache.body('s', make('small'));
    assert.equal(builds, 1, 'kept: no build for a later request');
    builds = 0;
    const large = 'z'.repeat(600); // 1,200 bytes > the 1,000 the cache holds
    const got = await Promise.all(Array.from({ length: 5 }, () => cache.body('l', make(large))));
    assert.ok(got.every((b) => b === large));
    assert.equal(builds, 1, 'concurrent requests share the build of a body too large to keep');
    await cache.body('l', make(large));
    assert.equal(builds, 2, 'not kept: a later request builds it again');
    // A failed build is shared by the requests waiting for it, and not kept.
    let fails = 0;
    const failing = async () => {
      fails++;
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('no version 3');
    };
    const failed = await Promise.allSettled([cache.body('f', failing), cache.body('f', failing)]);
    assert.deepEqual(failed.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(fails, 1);
    assert.equal(await cache.body('f', async () => 'now there'), 'now there');
  });
});
