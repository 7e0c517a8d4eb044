// Applies cypher/schema/*.cypher (constraints and indexes, all IF NOT EXISTS) and waits for the
// indexes to come online. Safe to run at every start-up.
import type { Driver } from 'neo4j-driver';
import type { Neo4jConfig } from '../config/index.js';
import { cypherStatements, listCypherFiles } from './cypher.js';
import { sessionConfig } from './driver.js';

let applied = new WeakSet<Driver>();

export async function applySchema(driver: Driver, cfg: Neo4jConfig): Promise<void> {
  if (applied.has(driver)) return;
  const session = driver.session(sessionConfig(cfg));
  try {
    for (const file of listCypherFiles('schema')) {
      for (const statement of cypherStatements(file)) {
        await session.run(statement);
      }
    }
    await session.run('CALL db.awaitIndexes(300)');
  } finally {
    await session.close();
  }
  applied.add(driver);
}

/** For tests that drop and re-create the schema. */
export function forgetAppliedSchema(): void {
  applied = new WeakSet<Driver>();
}
