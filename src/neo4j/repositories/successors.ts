// Successors found by the watch at ingest: provisional migrations, their listing and the decisions
// of investigators and runs. Every method takes an optional transaction.
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import { PROVISIONAL_REASON } from '../../analysis/blacklist.js';
import type { MigrationEvidence } from '../../analysis/migration.js';
import type { Neo4jConfig } from '../../config/index.js';
import { int, toNumber, toNumberOrNull } from '../convert.js';
import { cypher } from '../cypher.js';
import { optionalTx } from '../session.js';

export type SuccessorStatus = 'provisional' | 'confirmed' | 'rejected' | 'expired' | 'superseded';
export const SUCCESSOR_STATUSES: readonly SuccessorStatus[] = ['provisional', 'confirmed', 'rejected', 'expired', 'superseded'];

export interface Successor {
  key: string;
  from: string;
  to: string;
  status: SuccessorStatus;
  /** The link score (the migration scorer's). */
  score: number;
  /** The predecessor's score × the link score: the successor's score on the list. */
  listScore: number;
  fallAt: number;
  riseAt: number;
  evidence: MigrationEvidence;
  /** Links from the first listed account (1: its direct successor). */
  depth: number;
  /** An input of the list builder (auto-listed or confirmed by an investigator). */
  listed: boolean;
  /** Why a provisional successor is not listed (auto-list off, breaker, predecessor not listed). */
  heldBecause: string | null;
  detectedAt: number;
  updatedAt: number | null;
  autoListedAt: number | null;
  decision: 'confirmed' | 'rejected' | null;
  decidedBy: string | null;
  decidedAt: number | null;
  /** The run that confirmed the link (null until one does). */
  runId: string | null;
  runScore: number | null;
  resolvedAt: number | null;
}

/**
 * One pair's key: `from>to`, with `\` and `>` inside an id escaped by a `\` — ids may hold `>`, and
 * (`a>b`, `c`) and (`a`, `b>c`) must not share a key (a reject or confirm would reach the wrong pair).
 * Ids without either character keep the key they had before the escape (2026-12-06);
 * cypher/schema/010-successor-keys.cypher re-keys the stored pairs whose ids hold one.
 */
const escapeKeyPart = (id: string) => (id.includes('\\') || id.includes('>') ? id.replace(/\\/g, '\\\\').replace(/>/g, '\\>') : id);
export const successorKey = (from: string, to: string) => `${escapeKeyPart(from)}>${escapeKeyPart(to)}`;

function toSuccessor(p: Record<string, unknown>): Successor {
  return {
    key: p.key as string,
    from: p.from as string,
    to: p.to as string,
    status: p.status as SuccessorStatus,
    score: Number(p.score ?? 0),
    listScore: Number(p.listScore ?? 0),
    fallAt: toNumber(p.fallAt ?? 0),
    riseAt: toNumber(p.riseAt ?? 0),
    evidence: typeof p.evidence === 'string' ? (JSON.parse(p.evidence) as MigrationEvidence) : ({} as MigrationEvidence),
    depth: toNumber(p.depth ?? 1),
    listed: p.listed === true,
    heldBecause: (p.heldBecause as string | null) ?? null,
    detectedAt: toNumber(p.detectedAt),
    updatedAt: toNumberOrNull(p.updatedAt),
    autoListedAt: toNumberOrNull(p.autoListedAt),
    decision: (p.decision as Successor['decision']) ?? null,
    decidedBy: (p.decidedBy as string | null) ?? null,
    decidedAt: toNumberOrNull(p.decidedAt),
    runId: (p.runId as string | null) ?? null,
    runScore: p.runScore === null || p.runScore === undefined ? null : Number(p.runScore),
    resolvedAt: toNumberOrNull(p.resolvedAt),
  };
}

export interface RecordedSuccessor {
  status: SuccessorStatus;
  listed: boolean;
  decision: Successor['decision'];
  created: boolean;
  /** The circuit breaker held it: it waits for an investigator, however the hour's count goes down. */
  breakerHeld: boolean;
}

export function createSuccessorRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = optionalTx(driver, cfg);
  type Tx = ManagedTransaction | undefined;
  return {
    async record(
      s: {
        from: string;
        to: string;
        score: number;
        listScore: number;
        fallAt: number;
        riseAt: number;
        evidence: MigrationEvidence;
        depth: number;
      },
      now: number,
      tx?: Tx,
    ): Promise<RecordedSuccessor> {
      const r = await write(tx, (t) =>
        t.run(cypher('watch/record-successor'), {
          key: successorKey(s.from, s.to),
          from: s.from,
          to: s.to,
          score: s.score,
          listScore: s.listScore,
          fallAt: int(s.fallAt),
          riseAt: int(s.riseAt),
          evidence: JSON.stringify(s.evidence),
          depth: int(s.depth),
          now: int(now),
        }),
      );
      const row = r.records[0]!;
      return {
        status: row.get('status') as SuccessorStatus,
        listed: row.get('listed') === true,
        decision: (row.get('decision') as Successor['decision']) ?? null,
        created: row.get('created') === true,
        breakerHeld: row.get('breakerHeld') === true,
      };
    },

    async setListing(key: string, listed: boolean, heldBecause: string | null, autoListedAt: number | null, tx?: Tx): Promise<void> {
      await write(tx, (t) =>
        t.run(cypher('watch/set-listing'), { key, listed, heldBecause, autoListedAt: autoListedAt === null ? null : int(autoListedAt) }),
      );
    },

    /**
     * Accounts a run's served version listed at a data time since `since` that the
     * served version no longer lists: dropped by a later run. Their last listed score, by id, and
     * the data time of the run version that dropped them (of their last listing when not stored).
     */
    async droppedListed(
      served: number,
      since: number,
      tx?: Tx,
    ): Promise<Array<{ id: string; score: number; lastListedAt: number; droppedAt: number }>> {
      const r = await read(tx, (t) =>
        t.run(cypher('watch/dropped-listed'), { served: int(served), since: int(since), provisional: PROVISIONAL_REASON }),
      );
      return r.records.map((x) => {
        const lastListedAt = toNumber(x.get('lastListedAt'));
        return {
          id: x.get('id') as string,
          score: Number(x.get('score')),
          lastListedAt,
          // Never before its last listing (an approved held version carries its older run's data time).
          droppedAt: Math.max(toNumberOrNull(x.get('droppedAt')) ?? lastListedAt, lastListedAt),
        };
      });
    },

    /** Inputs of the list builder: provisional successors that are listed. */
    async listed(tx?: Tx): Promise<Array<{ from: string; to: string; score: number; depth: number }>> {
      const r = await read(tx, (t) => t.run(cypher('watch/listed-successors')));
      return r.records.map((x) => ({
        from: x.get('from') as string,
        to: x.get('to') as string,
        score: Number(x.get('score')),
        depth: toNumber(x.get('depth')),
      }));
    },

    /**
     * A stronger link (`keep`) was recorded: the weaker provisional links nobody decided on to the
     * same successor (`{to}`), or from the same predecessor to other successors (`{from}`), are
     * superseded (off the list, never raised again). Returns those it changed.
     */
    async supersede(
      end: { to: string } | { from: string },
      keep: string,
      score: number,
      now: number,
      tx?: Tx,
    ): Promise<Array<{ key: string; from: string; to: string; score: number; wasListed: boolean }>> {
      const byTo = 'to' in end;
      const r = await write(tx, (t) =>
        t.run(cypher(byTo ? 'watch/supersede-successors' : 'watch/supersede-successors-of'), { ...end, keep, score, now: int(now) }),
      );
      return r.records.map((x) => ({
        key: x.get('key') as string,
        from: 'from' in end ? end.from : (x.get('from') as string),
        to: 'to' in end ? end.to : (x.get('to') as string),
        score: Number(x.get('score')),
        wasListed: x.get('wasListed') === true,
      }));
    },

    /** Per predecessor account, its highest-scored provisional or confirmed link. */
    async bestScoreFrom(froms: readonly string[], tx?: Tx): Promise<Map<string, { to: string; score: number }>> {
      const r = await read(tx, (t) => t.run(cypher('watch/best-predecessor-scores'), { froms: [...froms] }));
      return new Map(r.records.map((row) => [row.get('from') as string, { to: row.get('to') as string, score: Number(row.get('score')) }]));
    },

    /** Per successor account, its highest-scored provisional or confirmed link. */
    async bestScoreFor(tos: readonly string[], tx?: Tx): Promise<Map<string, { from: string; score: number }>> {
      const r = await read(tx, (t) => t.run(cypher('watch/best-successor-scores'), { tos: [...tos] }));
      return new Map(
        r.records.map((row) => [row.get('to') as string, { from: row.get('from') as string, score: Number(row.get('score')) }]),
      );
    },
    async get(from: string, to: string, tx?: Tx): Promise<Successor | null> {
      const r = await read(tx, (t) => t.run(cypher('watch/get-successor'), { key: successorKey(from, to) }));
      const row = r.records[0];
      return row ? toSuccessor(row.get('successor')) : null;
    },

    /** The watch's records of these pairs, by successorKey (absent: the watch never recorded the pair). */
    async byKeys(keys: readonly string[], tx?: Tx): Promise<Map<string, Successor>> {
      if (!keys.length) return new Map();
      const r = await read(tx, (t) => t.run(cypher('watch/successors-by-key'), { keys: [...keys] }));
      return new Map(
        r.records.map((x) => {
          const s = toSuccessor(x.get('successor'));
          return [s.key, s] as const;
        }),
      );
    },

    async list(
      opts: { statuses: readonly SuccessorStatus[]; minScore: number; after: { at: number; key: string } | null; limit: number },
      tx?: Tx,
    ): Promise<Successor[]> {
      const r = await read(tx, (t) =>
        t.run(cypher('watch/list-successors'), {
          statuses: [...opts.statuses],
          minScore: opts.minScore,
          afterAt: opts.after ? int(opts.after.at) : null,
          afterKey: opts.after?.key ?? '',
          limit: int(opts.limit),
        }),
      );
      return r.records.map((x) => toSuccessor(x.get('successor')));
    },

    async decide(key: string, decision: 'confirmed' | 'rejected', by: string, tx?: Tx): Promise<Successor> {
      const r = await write(tx, (t) => t.run(cypher('watch/decide-successor'), { key, decision, by, now: int(Date.now()) }));
      return toSuccessor(r.records[0]!.get('successor'));
    },

    /** After a run: settles the keys of its plan (reconcilePlan) — confirms what it found, expires the rest. */
    async reconcileRun(
      runId: string,
      keys: ReadonlySet<string>,
      tx?: Tx,
    ): Promise<Array<{ key: string; from: string; to: string; outcome: 'confirmed' | 'expired'; wasListed: boolean }>> {
      const r = await write(tx, (t) => t.run(cypher('watch/reconcile-run'), { runId, keys: [...keys], now: int(Date.now()) }));
      return r.records.map((x) => ({
        key: x.get('key') as string,
        from: x.get('from') as string,
        to: x.get('to') as string,
        outcome: x.get('outcome') as 'confirmed' | 'expired',
        wasListed: x.get('wasListed') === true,
      }));
    },

    /** The keys run `runId` settles (reconcileRun): found by it, or not and detected before `expireBefore` (read only: the run's version is built without them). */
    async reconcilePlan(runId: string, expireBefore: number, tx?: Tx): Promise<Set<string>> {
      const r = await read(tx, (t) => t.run(cypher('watch/reconcile-plan'), { runId, expireBefore: int(expireBefore) }));
      return new Set(r.records.map((x) => x.get('key') as string));
    },

    /**
     * Counts a change of the list's stored inputs (the watch's own counter, not the overrides'): a
     * publication in flight publishes again, as the watch, before it releases the lock.
     */
    async bumpInputs(tx?: Tx): Promise<void> {
      await write(tx, (t) => t.run(cypher('watch/bump-inputs')));
    },

    /** The watch's input change counter (see bumpInputs). */
    async inputsCounter(tx?: Tx): Promise<number> {
      const r = await read(tx, (t) => t.run(cypher('watch/inputs-counter')));
      return toNumber(r.records[0]!.get('value'));
    },

    /** Account → when it was listed (data time of the run behind the earliest stored version holding it). */
    /** Pairs an investigator rejected, as successorKey(from, to): a run does not link them either. */
    async rejectedPairs(tx?: Tx): Promise<Set<string>> {
      const r = await read(tx, (t) => t.run(cypher('watch/rejected-pairs')));
      return new Set(r.records.map((x) => successorKey(x.get('from') as string, x.get('to') as string)));
    },

    async listingTimes(ids: readonly string[], tx?: Tx): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      for (let k = 0; k < ids.length; k += 5000) {
        const r = await read(tx, (t) => t.run(cypher('watch/listing-times'), { ids: ids.slice(k, k + 5000) }));
        for (const x of r.records) out.set(x.get('id') as string, toNumber(x.get('at')));
      }
      return out;
    },

    async counts(tx?: Tx): Promise<Array<{ status: string; listed: boolean; n: number }>> {
      const r = await read(tx, (t) => t.run(cypher('watch/counts')));
      return r.records.map((x) => ({ status: x.get('status') as string, listed: x.get('listed') === true, n: toNumber(x.get('n')) }));
    },
  };
}

export type SuccessorRepository = ReturnType<typeof createSuccessorRepository>;
