// Query plans for tests that pin how a look-up is planned (test/neo4j/plans.integration.test.ts).
import assert from 'node:assert/strict';
import type { Driver } from 'neo4j-driver';
import { cypher } from '../../src/neo4j/cypher.js';

interface PlanNode {
  operatorType: string;
  children: PlanNode[];
}
const operators = (plan: PlanNode): string[] => [plan.operatorType.replace(/@.*$/, ''), ...plan.children.flatMap((c) => operators(c))];

/** The operators of a fresh plan of a project query (query caches cleared: a plan from the statistics of now). */
export async function planOperators(driver: Driver, name: string, params: Record<string, unknown>): Promise<string[]> {
  await driver.executeQuery('CALL db.clearQueryCaches()');
  const r = await driver.executeQuery(`EXPLAIN ${cypher(name)}`, params);
  if (!r.summary.plan) throw new Error(`${name}: no plan`);
  return operators(r.summary.plan as PlanNode);
}

/** Samples every range index now: on an emptied store, the statistics of a new database filling up. */
export async function resampleIndexes(driver: Driver): Promise<void> {
  const indexes = await driver.executeQuery("SHOW INDEXES YIELD name, type WHERE type = 'RANGE' RETURN name");
  for (const r of indexes.records) await driver.executeQuery('CALL db.resampleIndex($name)', { name: r.get('name') as string });
  await driver.executeQuery('CALL db.awaitIndexes(60)');
}

/** Asserts that every look-up's fresh plan passes `ok`; the message names the query, the state and the plan. */
export async function assertPlans(
  driver: Driver,
  lookups: ReadonlyArray<[string, Record<string, unknown>]>,
  when: string,
  ok: (operators: string[]) => boolean,
): Promise<void> {
  for (const [name, params] of lookups) {
    const ops = await planOperators(driver, name, params);
    assert.ok(ok(ops), `${name} (${when}): ${ops.join(' ← ')}`);
  }
}
