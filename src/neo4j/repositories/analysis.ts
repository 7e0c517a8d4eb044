// Read side of the analysis results of the served run.
import type { Driver } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { int, toNumber } from '../convert.js';
import { cypher } from '../cypher.js';
import { txRunner } from '../session.js';

export interface ClusterSummary {
  clusterId: string;
  runId: string;
  size: number;
  type: string;
  score: number;
  reasons: string[];
  notes: string[];
  evidence: Record<string, unknown>;
  members: string[];
  isNew: boolean;
}

export interface MigrationLink {
  from: string;
  to: string;
  score: number;
  fallAt: number;
  riseAt: number;
  runId: string;
  evidence: Record<string, unknown>;
}

export function toCluster(p: Record<string, unknown>): ClusterSummary {
  return {
    clusterId: p.clusterId as string,
    runId: p.runId as string,
    size: toNumber(p.size),
    type: p.type as string,
    score: Number(p.score),
    reasons: (p.reasons as string[]) ?? [],
    notes: (p.notes as string[]) ?? [],
    evidence: typeof p.evidence === 'string' ? JSON.parse(p.evidence) : {},
    members: (p.members as string[]) ?? [],
    isNew: Boolean(p.isNew),
  };
}

export function createAnalysisRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read } = txRunner(driver, cfg);
  return {
    async topClusters(runId: string, limit: number): Promise<ClusterSummary[]> {
      const r = await read((tx) => tx.run(cypher('analysis/top-clusters'), { runId, limit: int(limit) }));
      return r.records.map((x) => toCluster(x.get('cluster')));
    },
    async migrations(runId: string, minScore: number, limit: number): Promise<MigrationLink[]> {
      const r = await read((tx) => tx.run(cypher('analysis/migrations'), { runId, minScore, limit: int(limit) }));
      return r.records.map((x) => ({
        from: x.get('from'),
        to: x.get('to'),
        score: Number(x.get('score')),
        fallAt: toNumber(x.get('fallAt')),
        riseAt: toNumber(x.get('riseAt')),
        runId: x.get('runId'),
        evidence: JSON.parse(x.get('evidence')),
      }));
    },
  };
}

export type AnalysisRepository = ReturnType<typeof createAnalysisRepository>;
