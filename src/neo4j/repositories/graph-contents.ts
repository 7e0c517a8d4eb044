// What a database holds and who is connected to it: the checks before a bulk back-fill replaces it.
import type { Driver } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { toNumber } from '../convert.js';
import { cypher } from '../cypher.js';
import { txRunner } from '../session.js';

export interface ClientConnection {
  connectionId: string;
  userAgent: string;
  clientAddress: string;
  connectTime: string;
}

export function createGraphContentsRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read } = txRunner(driver, cfg);
  return {
    /** Nodes per label, largest first; empty when the graph holds nothing but the schema. */
    async nodesByLabel(): Promise<Array<{ label: string; nodes: number }>> {
      const r = await read((tx) => tx.run(cypher('ingest/graph-contents')));
      return r.records.map((rec) => ({ label: rec.get('label') as string, nodes: toNumber(rec.get('nodes')) }));
    },

    /** Accounts and transfers stored. */
    async totals(): Promise<{ accounts: number; transfers: number }> {
      const row = (await read((tx) => tx.run(cypher('ingest/graph-totals')))).records[0]!;
      return { accounts: toNumber(row.get('accounts')), transfers: toNumber(row.get('transfers')) };
    },

    /** Every Bolt connection to the server, this driver's own included. */
    async connections(): Promise<ClientConnection[]> {
      const r = await read((tx) => tx.run(cypher('ingest/client-connections')));
      return r.records.map((rec) => ({
        connectionId: rec.get('connectionId') as string,
        userAgent: rec.get('userAgent') as string,
        clientAddress: rec.get('clientAddress') as string,
        connectTime: String(rec.get('connectTime')),
      }));
    },
  };
}

export type GraphContentsRepository = ReturnType<typeof createGraphContentsRepository>;
