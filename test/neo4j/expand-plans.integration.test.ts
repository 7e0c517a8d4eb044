// Look-ups that start at known accounts and keep their transfers inside a time window expand from
// those accounts; none answers the window with the TRANSFER(at) range index. On a store whose index
// statistics were sampled empty (a new database filling up) the planner did: for each account, a
// range seek over every transfer in the window, filtered down to that account's — per job of the
// successor watch, a cost that grows with the whole store (docs/decisions.md, "Look-ups from an
// account: expand, never the at index").
import assert from 'node:assert/strict';
import { int } from 'neo4j-driver';
import { after, before, describe, test } from 'node:test';
import { cypher } from '../../src/neo4j/cypher.js';
import { openServices, wipeGraph, type TestServices } from '../helpers/services.js';

interface PlanNode {
  operatorType: string;
  children: PlanNode[];
}
const operators = (plan: PlanNode): string[] => [plan.operatorType.replace(/@.*$/, ''), ...plan.children.flatMap((c) => operators(c))];
const ids = Array.from({ length: 50 }, (_, i) => `pa${i}`);
const window = { from: int(0), to: int(1e12) };
const LOOKUPS: Array<[string, Record<string, unknown>]> = [
  ['watch/candidate-accounts', { ids, ...window }],
  ['watch/last-transfers', { ids, now: int(1e12) }],
  ['watch/live-degrees', { ids, ...window }],
  ['watch/predecessor-relations', { ids, ...window }],
  ['analysis/edges-among', { ids, ...window }],
  ['analysis/transfers-among', { ids, ...window, limit: int(100) }],
  ['analysis/top-counterparties', { id: 'pa1', ...window, limit: int(10) }],
  ['analysis/path-in', { frontier: ids.map((id) => ({ id, before: int(1e12) })), ...window, perAccount: int(5), perPair: int(3) }],
  ['analysis/path-out', { frontier: ids.map((id) => ({ id, after: int(0) })), ...window, perAccount: int(5), perPair: int(3) }],
];

describe('look-ups from accounts (real Neo4j)', () => {
  let s: TestServices;
  before(async () => {
    s = await openServices();
  });
  after(async () => {
    await s?.close();
  });

  const resample = async () => {
    const indexes = await s.driver.executeQuery("SHOW INDEXES YIELD name, type WHERE type = 'RANGE' RETURN name");
    for (const r of indexes.records) await s.driver.executeQuery('CALL db.resampleIndex($name)', { name: r.get('name') as string });
    await s.driver.executeQuery('CALL db.awaitIndexes(60)');
  };
  const check = async (when: string) => {
    for (const [name, params] of LOOKUPS) {
      // A fresh plan from the statistics of now (not one cached by an earlier check).
      await s.driver.executeQuery('CALL db.clearQueryCaches()');
      const r = await s.driver.executeQuery(`EXPLAIN ${cypher(name)}`, params);
      assert.ok(r.summary.plan, `${name}: no plan`);
      const ops = operators(r.summary.plan as PlanNode);
      assert.ok(
        ops.some((o) => /^(Optional)?Expand/.test(o)) && !ops.some((o) => /RelationshipIndex/.test(o)),
        `${name} (${when}): ${ops.join(' ← ')}`,
      );
    }
  };

  test('expand from the accounts on an empty store, at 20,000 transfers with its statistics still empty, and after resampling', async () => {
    await wipeGraph(s.driver);
    await resample();
    await check('empty store');
    await s.driver.executeQuery(
      `UNWIND range(0, 19999) AS i
       MERGE (a:Account {id: 'pa' + (i % 5000)}) MERGE (b:Account {id: 'pb' + (i % 7000)})
       CREATE (a)-[:TRANSFER {txId: 'pt' + i, at: i, amount: i}]->(b)`,
    );
    await check('20,000 transfers, statistics of the empty store');
    await resample();
    await check('20,000 transfers');
  });
});
