// What most routes need: the served run (and its window), the caller as an audit actor, money.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../neo4j/repositories/audit.js';
import { createRunRepository, type RunRecord } from '../neo4j/repositories/runs.js';
import { currencyExponent } from '../ingest/record.js';
import type { Config } from '../config/index.js';
import { HttpError } from './errors.js';

const DAY = 86_400_000;

export interface ServedRun {
  run: RunRecord;
  windowFrom: number;
  windowTo: number;
  bucketDays: number;
}

export async function servedRun(app: FastifyInstance): Promise<ServedRun | null> {
  const runs = createRunRepository(app.runtime.driver(), app.config.neo4j);
  const id = await runs.currentRunId();
  if (!id) return null;
  const run = await runs.get(id);
  if (!run || run.asOf === null) return null;
  const windowDays = typeof run.params.windowDays === 'number' ? run.params.windowDays : app.config.analysis.windowDays;
  const bucketDays = typeof run.params.bucketDays === 'number' ? run.params.bucketDays : app.config.analysis.bucketDays;
  return { run, windowFrom: run.asOf - windowDays * DAY + 1, windowTo: run.asOf, bucketDays };
}

export async function requireServedRun(app: FastifyInstance): Promise<ServedRun> {
  const served = await servedRun(app);
  if (!served) throw new HttpError(409, 'No analysis run has completed yet: request one with POST /v1/recomputations');
  return served;
}

export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal;
  return p ? { keyId: p.keyId, name: p.name, role: p.role } : { keyId: 'anonymous', name: 'anonymous', role: 'none' };
}

/** Minor units → major units of the currency. */
export function major(minor: number, currency: string): number {
  return minor / 10 ** currencyExponent(currency);
}

/** Major units in the base currency, or null when there is no rate for the currency. */
export function toBase(config: Config, minor: number, currency: string): number | null {
  const base = config.analysis.baseCurrency;
  const rate = currency === base ? 1 : config.analysis.fxRates[currency];
  return rate === undefined ? null : Math.round(major(minor, currency) * rate * 100) / 100;
}

export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
