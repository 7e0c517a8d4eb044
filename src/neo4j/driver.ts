import neo4j, { type Driver } from 'neo4j-driver';
import type { Neo4jConfig } from '../config/index.js';

export interface DriverOptions {
  connectionTimeoutMs?: number;
  maxConnectionPoolSize?: number;
  connectionAcquisitionTimeoutMs?: number;
}

export function createDriver(cfg: Neo4jConfig, opts: DriverOptions = {}): Driver {
  return neo4j.driver(cfg.uri, neo4j.auth.basic(cfg.user, cfg.password), {
    maxTransactionRetryTime: cfg.maxRetryTimeMs,
    connectionTimeout: opts.connectionTimeoutMs ?? 10_000,
    connectionAcquisitionTimeout: opts.connectionAcquisitionTimeoutMs ?? 60_000,
    maxConnectionPoolSize: opts.maxConnectionPoolSize ?? 50,
    // Query notifications (deprecations, cartesian products) are for development, not production logs.
    notificationFilter: { minimumSeverityLevel: 'OFF' },
    userAgent: 'acctnet',
  });
}

/** Session options with the configured database, if any. */
export function sessionConfig(cfg: Neo4jConfig, mode: 'READ' | 'WRITE' = 'WRITE') {
  return {
    defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    ...(cfg.database ? { database: cfg.database } : {}),
  };
}
