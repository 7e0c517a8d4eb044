import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { buildBlacklist, compareIds, diffBlacklists, guardDecision, type BlacklistEntry } from '../../src/analysis/blacklist.js';
import { assignStableIds } from '../../src/analysis/stable-ids.js';
import { csvLine, renderCsv, renderJson } from '../../src/blacklist/render.js';

test('stable ids: a community keeps the id of the previous cluster it overlaps most', () => {
  const previous = new Map([
    ['a', 'C000001'],
    ['b', 'C000001'],
    ['c', 'C000001'],
    ['x', 'C000002'],
    ['y', 'C000002'],
  ]);
  const communities = new Map([
    [0, ['a', 'b', 'c', 'd']], // gained a member: keeps C000001
    [1, ['x', 'p', 'q', 'r', 's', 't']], // 1 of 7: too different, new id
    [2, ['m', 'n']], // new
  ]);
  const r = assignStableIds(communities, previous, 3);
  assert.equal(r.ids.get(0), 'C000001');
  assert.equal(r.ids.get(2), 'C000003', 'new ids in order of the smallest member id');
  assert.equal(r.ids.get(1), 'C000004');
  assert.equal(r.kept, 1);
  assert.equal(r.nextSeq, 5);
  // Two communities competing for one old id: the better overlap wins.
  const split = assignStableIds(
    new Map([
      [0, ['a']],
      [1, ['b', 'c']],
    ]),
    previous,
    10,
  );
  assert.equal(split.ids.get(1), 'C000001');
  assert.equal(split.ids.get(0), 'C000010');
});

const e = (accountId: string, score = 0.9, clusterId: string | null = 'C000001'): BlacklistEntry => ({
  accountId,
  clusterId,
  score,
  reasons: ['FUNDS_FROM_RISKY:90% of inflow from risky accounts'],
});

test('overrides: exclude wins over the score, include adds a manual entry with clusterId null', () => {
  const list = buildBlacklist([e('b'), e('a'), e('low', 0.2)], 0.5, [
    { accountId: 'a', action: 'exclude', reason: 'known merchant' },
    { accountId: 'z', action: 'include', reason: 'confirmed mule' },
  ]);
  assert.deepEqual(
    list.map((x) => x.accountId),
    ['b', 'z'],
  );
  assert.deepEqual(list[1], { accountId: 'z', clusterId: null, score: 1, reasons: ['MANUAL_INCLUDE'] });
});

test("the list is sorted by the ids' UTF-8 bytes (code points), as docs/outputs.md says, also for characters above U+FFFF", () => {
  const ids = ['b', 'a', '\u{1F600}x', '\uFF21x', 'A', 'é', '\uE000', 'ab', ''];
  const entries = ids.map((accountId) => ({ accountId, clusterId: null, score: 0.9, reasons: ['LEARNED'] }));
  const listed = buildBlacklist(entries, 0.45, []).map((e) => e.accountId);
  const byBytes = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));
  assert.deepEqual(listed, byBytes);
  // JavaScript's own < puts the emoji (a surrogate pair) before U+FF21; UTF-8 puts it after.
  assert.ok('\u{1F600}x' < '\uFF21x');
  assert.ok(compareIds('\u{1F600}x', '\uFF21x') > 0);
  for (const x of ids)
    for (const y of ids)
      assert.equal(Math.sign(compareIds(x, y)), Math.sign(Buffer.compare(Buffer.from(x), Buffer.from(y))), `${x} vs ${y}`);
});

test('diff: added entries (new or changed) and removed account ids', () => {
  const d = diffBlacklists([e('a'), e('b'), e('c')], [e('a'), e('b', 0.7), e('d')]);
  assert.deepEqual(
    d.added.map((x) => x.accountId),
    ['b', 'd'],
  );
  assert.deepEqual(d.removed, ['c']);
});

test('guard: a version changing size or churn by more than the limit is held', () => {
  const limits = { maxSizeChange: 0.2, maxChurn: 0.2, minServedSize: 10 };
  assert.equal(guardDecision(null, 500, 500, 0, limits).hold, false, 'the first version is served');
  assert.equal(guardDecision(100, 110, 12, 2, limits).hold, false);
  const grow = guardDecision(100, 130, 30, 0, limits);
  assert.equal(grow.hold, true);
  assert.match(grow.reason!, /size 100 → 130 \(30\.0%, limit ±20%\)/);
  const churn = guardDecision(100, 100, 25, 25, limits);
  assert.equal(churn.hold, true);
  assert.match(churn.reason!, /churn 25 added \+ 25 removed = 50\.0%/);
  assert.equal(guardDecision(5, 12, 7, 0, limits).hold, false, 'below minServedSize the guard does not apply');
});

test('CSV: formulas in reasons are neutralised, account ids are kept exactly', () => {
  const line = csvLine({ accountId: '+447900123456', clusterId: null, score: 0.75, reasons: ['=HYPERLINK("http://x")', 'b'] });
  assert.equal(line, '+447900123456,,0.75,"\'=HYPERLINK(""http://x"");b"');
  assert.equal(csvLine({ accountId: 'a,b', clusterId: 'C1', score: 1, reasons: ['-1'] }), '"a,b",C1,1,\'-1');
});

test('rendered bodies: the documented shapes, and the hash of exactly those bytes', () => {
  const entries = [e('a'), e('b', 0.5, null)];
  const json = renderJson(7, Date.UTC(2026, 5, 1), entries);
  const text = json.chunks.join('');
  assert.deepEqual(JSON.parse(text), {
    version: 7,
    generatedAt: '2026-06-01T00:00:00.000Z',
    entries: [
      { accountId: 'a', clusterId: 'C000001', score: 0.9, reasons: ['FUNDS_FROM_RISKY:90% of inflow from risky accounts'] },
      { accountId: 'b', clusterId: null, score: 0.5, reasons: ['FUNDS_FROM_RISKY:90% of inflow from risky accounts'] },
    ],
  });
  assert.equal(json.sha256, createHash('sha256').update(text).digest('hex'));
  assert.equal(json.bytes, Buffer.byteLength(text));
  const csv = renderCsv(entries).chunks.join('');
  assert.equal(csv.split('\n')[0], 'account_id,cluster_id,score,reasons');
  assert.equal(csv.split('\n').length, 4);
});
