// The ingest write path's look-ups plan as index seeks, whatever the store's size. With a plain
// `USING INDEX` hint Neo4j may satisfy the hint with an index *scan* inside the per-row Apply: at
// about 20,000 transfers the planner chose, for `existing-transfers`, a full scan of the txId index
// per looked-up txId (on a half-million store, one 5,000-row job ran for over 7 minutes in
// bench:ingest). `USING INDEX SEEK` allows only a seek (docs/decisions.md, "Ingest look-ups: seeks only").
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cypher } from '../../src/neo4j/cypher.js';
import { openServices, wipeGraph, type TestServices } from '../helpers/services.js';

interface PlanNode {
  operatorType: string;
  children: PlanNode[];
}
const operators = (plan: PlanNode): string[] => [plan.operatorType.replace(/@.*$/, ''), ...plan.children.flatMap((c) => operators(c))];
const ids = Array.from({ length: 5000 }, (_, i) => `pt${i}`);
const LOOKUPS: Array<[string, Record<string, unknown>]> = [
  ['ingest/existing-transfers', { txIds: ids }],
  ['ingest/find-accounts', { ids, firstAts: ids.map(() => 1) }],
  ['ingest/chunk-result', { key: 'pk1' }],
];

describe('ingest look-up plans (real Neo4j)', () => {
  let s: TestServices;
  before(async () => {
    s = await openServices();
  });
  after(async () => {
    await s?.close();
  });

  const check = async (when: string) => {
    for (const [name, params] of LOOKUPS) {
      // A fresh plan from the statistics of now (not one cached by an earlier test).
      await s.driver.executeQuery('CALL db.clearQueryCaches()');
      const r = await s.driver.executeQuery(`EXPLAIN ${cypher(name)}`, params);
      assert.ok(r.summary.plan, `${name}: no plan`);
      const ops = operators(r.summary.plan as PlanNode);
      assert.ok(ops.some((o) => /IndexSeek$/.test(o)) && !ops.some((o) => /Scan$/.test(o)), `${name} (${when}): ${ops.join(' ← ')}`);
    }
  };

  test('existing transfers, accounts and chunk markers are index seeks on an empty store and at 20,000 and 60,000 transfers', async () => {
    await wipeGraph(s.driver);
    // The index statistics of a new store (sampled empty), as when a fresh database fills up: the
    // state in which the scan plan was chosen.
    const indexes = await s.driver.executeQuery("SHOW INDEXES YIELD name, type WHERE type = 'RANGE' RETURN name");
    for (const r of indexes.records) await s.driver.executeQuery('CALL db.resampleIndex($name)', { name: r.get('name') as string });
    await s.driver.executeQuery('CALL db.awaitIndexes(60)');
    await check('empty store');
    let n = 0;
    for (const size of [20_000, 60_000]) {
      for (; n < size; n += 20_000)
        await s.driver.executeQuery(
          `UNWIND range($from, $to) AS i
           MERGE (a:Account {id: 'pa' + (i % 5000)}) MERGE (b:Account {id: 'pb' + (i % 7000)})
           CREATE (a)-[:TRANSFER {txId: 'pt' + i, at: i, amount: i}]->(b)
           MERGE (:IngestChunk {key: 'pk' + (i % 100)})`,
          { from: n, to: n + 19_999 },
        );
      await check(`${size} transfers`);
    }
  });
});
