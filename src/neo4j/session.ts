// Managed transactions with the session always closed. executeWrite/executeRead retry transient
// errors (deadlocks, leader switches, a restarting server) for the driver's maxTransactionRetryTime.
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { Neo4jConfig } from '../config/index.js';
import { fromDriverError } from '../errors.js';
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
      } catch (err) {
        throw fromDriverError(err);
      } finally {
        await session.close();
      }
    },
    async write<T>(work: Work<T>): Promise<T> {
      const session = driver.session(sessionConfig(cfg, 'WRITE'));
      try {
        return await session.executeWrite(work);
      } catch (err) {
        throw fromDriverError(err);
      } finally {
        await session.close();
      }
    },
  };
}

/**
 * One style for repository methods: each takes an optional transaction. Given one, the method runs
 * in it (the caller commits); without one, the method runs in its own managed transaction.
 */
export interface Tx {
  read<T>(tx: ManagedTransaction | undefined, work: Work<T>): Promise<T>;
  write<T>(tx: ManagedTransaction | undefined, work: Work<T>): Promise<T>;
}

export function optionalTx(driver: Driver, cfg: Neo4jConfig): Tx {
  const own = txRunner(driver, cfg);
  return {
    read: (tx, work) => (tx ? work(tx) : own.read(work)),
    write: (tx, work) => (tx ? work(tx) : own.write(work)),
  };
}
