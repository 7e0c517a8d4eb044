// The watch's pair keys (real Neo4j): account ids may hold '>', and (a>b, c) and (a, b>c) must not
// share a key — a reject or a confirm of one would reach the other. Stored pairs keyed the old way
// are re-keyed when the schema is applied; pairs whose ids hold no '>' or '\' keep their key.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSuccessorRepository, successorKey } from '../../src/neo4j/repositories/successors.js';
import { applySchema, forgetAppliedSchema } from '../../src/neo4j/schema.js';
import { openServices, type TestServices } from '../helpers/services.js';

test('pair keys: unambiguous for ids holding > or \\, unchanged for every other id', () => {
  assert.notEqual(successorKey('a>b', 'c'), successorKey('a', 'b>c'));
  assert.notEqual(successorKey('a\\', '>b'), successorKey('a\\>', 'b'));
  assert.equal(successorKey('A0001', 'A0002'), 'A0001>A0002');
  assert.equal(successorKey('a>b', 'c'), 'a\\>b>c');
});

describe('stored pair keys are re-keyed with the schema (real Neo4j)', () => {
  let s: TestServices;
  before(async () => {
    s = await openServices();
  });
  after(async () => {
    await s?.close();
  });

  test('a pair stored under the old unescaped key is found under its new key, and the other pair is not', async () => {
    const pairs = [
      { from: 'a>b', to: 'c', key: 'a>b>c' },
      { from: 'x\\y', to: 'z', key: 'x\\y>z' },
      { from: 'P1', to: 'S1', key: 'P1>S1' },
    ];
    await s.driver.executeQuery(
      `UNWIND $pairs AS p CREATE (:Successor {key: p.key, from: p.from, to: p.to, status: 'provisional', score: 0.8, listScore: 0.6,
         fallAt: 0, riseAt: 0, detectedAt: 1, evidence: '{}', listed: false})`,
      { pairs },
    );
    forgetAppliedSchema();
    await applySchema(s.driver, s.config.neo4j);
    await applySchema(s.driver, s.config.neo4j); // idempotent
    const keys = await s.driver.executeQuery('MATCH (n:Successor) RETURN n.from AS from, n.to AS to, n.key AS key ORDER BY key');
    assert.deepEqual(
      keys.records.map((r) => [r.get('from'), r.get('to'), r.get('key')]),
      [
        ['P1', 'S1', 'P1>S1'],
        ['a>b', 'c', 'a\\>b>c'],
        ['x\\y', 'z', 'x\\\\y>z'],
      ],
    );
    const repo = createSuccessorRepository(s.driver, s.config.neo4j);
    const found = await repo.byKeys([
      successorKey('a>b', 'c'),
      successorKey('a', 'b>c'),
      successorKey('x\\y', 'z'),
      successorKey('P1', 'S1'),
    ]);
    assert.deepEqual([...found.values()].map((x) => `${x.from}|${x.to}`).sort(), ['P1|S1', 'a>b|c', 'x\\y|z']);
  });
});
