// Real Neo4j and Redis for integration tests, and the cleanup each test owes.
import { Redis } from 'ioredis';
import type { Driver } from 'neo4j-driver';
import type { Config } from '../../src/config/index.js';
import { Runtime } from '../../src/runtime.js';
import { testConfig, testLogger } from './env.js';

/** Deletes every node and relationship: the test database holds only what tests make. */
export async function wipeGraph(driver: Driver): Promise<void> {
  const session = driver.session();
  try {
    await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS');
  } finally {
    await session.close();
  }
}

/** Removes every Redis key under a test's BullMQ prefix. */
export async function dropQueuePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export interface TestServices {
  config: Config;
  env: NodeJS.ProcessEnv;
  rt: Runtime;
  driver: Driver;
  close(): Promise<void>;
}

/** A Runtime on the test Neo4j with an empty graph and a private queue prefix. */
export async function openServices(overrides: Record<string, string> = {}): Promise<TestServices> {
  const { config, env } = testConfig(overrides);
  const rt = new Runtime(config, testLogger());
  await rt.ensureRedis();
  const driver = await rt.ensureNeo4j({ autoStart: false });
  await wipeGraph(driver);
  return {
    config,
    env,
    rt,
    driver,
    async close() {
      await wipeGraph(driver).catch(() => {});
      await rt.close();
      await dropQueuePrefix(config.redis.url, config.queue.prefix);
    },
  };
}

export async function countGraph(driver: Driver): Promise<{ accounts: number; transfers: number; amount: number }> {
  const r = await driver.executeQuery(
    'OPTIONAL MATCH (a:Account) WITH count(a) AS accounts OPTIONAL MATCH ()-[t:TRANSFER]->() RETURN accounts, count(t) AS transfers, coalesce(sum(t.amount), 0) AS amount',
  );
  const row = r.records[0]!;
  return { accounts: Number(row.get('accounts')), transfers: Number(row.get('transfers')), amount: Number(row.get('amount')) };
}
