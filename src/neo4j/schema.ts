// Applies cypher/schema/*.cypher (constraints and indexes, all IF NOT EXISTS; drops of retired
// indexes, IF EXISTS) and waits for the indexes to come online. Safe to run at every start-up.
import type { Driver } from 'neo4j-driver';
import type { Neo4jConfig } from '../config/index.js';
import { cypherStatements, listCypherFiles } from './cypher.js';
import { sessionConfig } from './driver.js';

let applied = new WeakSet<Driver>();

/** `CREATE [RANGE|TEXT|POINT|FULLTEXT|VECTOR] INDEX …`: returns at once and is populated in the background. */
const CREATES_INDEX = /^\s*CREATE\s+(?:\w+\s+)?INDEX\b/i;

export async function applySchema(driver: Driver, cfg: Neo4jConfig): Promise<void> {
  if (applied.has(driver)) return;
  const session = driver.session(sessionConfig(cfg));
  try {
    // Drops of retired indexes, then indexes, then constraints: a constraint's statement waits until
    // its own index is built, so on a filled database (after a bulk import) the plain indexes are
    // built meanwhile: 3.4 s instead of 5.2 s for the whole schema over 1M transfers (medians of four
    // alternated runs, 2026-12-05).
    const statements = listCypherFiles('schema').flatMap((file) => cypherStatements(file));
    const drops = statements.filter((s) => /^\s*DROP\b/i.test(s));
    const indexes = statements.filter((s) => CREATES_INDEX.test(s));
    const rest = statements.filter((s) => !drops.includes(s) && !indexes.includes(s));
    for (const statement of [...drops, ...indexes, ...rest]) {
      await session.run(statement);
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
