// Managed transactions with the session always closed. executeWrite/executeRead retry transient
// errors (deadlocks, leader switches, a restarting server) for the driver's maxTransactionRetryTime.
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { Neo4jConfig } from '../config/index.js';
import { sessionConfig } from './driver.js';

export type Work<T> = (tx: ManagedTransaction) => Promise<T>;

export interface TxRunner {
  read<T>(work: Work<T>): Promise<T>;
  write<T>(work: Work<T>): Promise<T>;
}

export function txRunner(driver: Driver, cfg: Neo4jConfig): TxRunner {
  return {
    async read<T>(work: Work<T>): Promise<T> {
      const session = driver.session(sessionConfig(cfg, 'READ'));
      try {
        return await session.executeRead(work);
      } finally {
        await session.close();
      }
    },
    async write<T>(work: Work<T>): Promise<T> {
      const session = driver.session(sessionConfig(cfg, 'WRITE'));
      try {
        return await session.executeWrite(work);
      } finally {
        await session.close();
      }
    },
  };
}
