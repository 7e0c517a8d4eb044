// How look-ups are planned as a new store fills up, its index statistics still those of the empty
// store (the state in which Neo4j chose the plans below; a cached plan then stays until the
// statistics move enough, so a deployment can keep it for minutes of ingest).
//
// - The ingest write path's look-ups are index seeks. Under a plain `USING INDEX` hint, at about
//   20,000 transfers the planner chose, for `existing-transfers`, a full scan of the txId index per
//   looked-up txId (on a half-million store one 5,000-row job ran for over 7 minutes in
//   bench:ingest); `USING INDEX SEEK` allows only a seek (docs/decisions.md, "Ingest look-ups: seeks only").
// - Look-ups that start at known accounts and keep their transfers inside a time window expand from
//   those accounts; none answers the window with the TRANSFER(at) range index, which the planner
//   did on such a store: for each account a range seek over every transfer in the window, filtered
//   down to that account's — per job of the successor watch, a cost that grows with the whole store
//   (docs/decisions.md, "Look-ups from an account: expand, never the at index").
import { int } from 'neo4j-driver';
import { after, before, describe, test } from 'node:test';
import { assertPlans, resampleIndexes } from '../helpers/plans.js';
import { openServices, wipeGraph, type TestServices } from '../helpers/services.js';

const txIds = Array.from({ length: 5000 }, (_, i) => `pt${i}`);
const INGEST: Array<[string, Record<string, unknown>]> = [
  ['ingest/existing-transfers', { txIds }],
  ['ingest/find-accounts', { ids: txIds, firstAts: txIds.map(() => 1) }],
  ['ingest/chunk-result', { key: 'pk1' }],
];
const ids = Array.from({ length: 50 }, (_, i) => `pa${i}`);
const window = { from: int(0), to: int(1e12) };
const FROM_ACCOUNTS: Array<[string, Record<string, unknown>]> = [
  ['watch/candidate-accounts', { ids, ...window }],
  ['watch/last-transfers', { ids, now: int(1e12) }],
  ['watch/live-degrees', { ids, ...window }],
  ['watch/predecessor-relations', { ids, ...window }],
  ['analysis/edges-among', { ids, ...window }],
  ['analysis/transfers-among', { ids, ...window, limit: int(100) }],
  ['analysis/top-counterparties', { id: 'pa1', ...window, limit: int(10) }],
  ['analysis/neighbors', { ids, exclude: [], limit: int(100) }],
  ['analysis/path-in', { frontier: ids.map((id) => ({ id, before: int(1e12) })), ...window, perAccount: int(5), perPair: int(3) }],
  ['analysis/path-out', { frontier: ids.map((id) => ({ id, after: int(0) })), ...window, perAccount: int(5), perPair: int(3) }],
];
const seeks = (ops: string[]) => ops.some((o) => /IndexSeek$/.test(o)) && !ops.some((o) => /Scan$/.test(o));
// From the known accounts: found by an index seek (never a label or full scan — "expand from every
// account" would pass an Expand-only test), then expanded, with no relationship index in the plan.
const expands = (ops: string[]) =>
  ops.some((o) => /IndexSeek$/.test(o)) &&
  !ops.some((o) => /Scan$/.test(o)) &&
  ops.some((o) => /^(Optional)?Expand/.test(o)) &&
  !ops.some((o) => /RelationshipIndex/.test(o));

/** Adds transfers from..to (ids pt<i>, at = i) between 5,000 senders and 7,000 receivers, and chunk markers. */
const grow = (s: TestServices, from: number, to: number) =>
  s.driver.executeQuery(
    `UNWIND range($from, $to) AS i
     MERGE (a:Account {id: 'pa' + (i % 5000)}) MERGE (b:Account {id: 'pb' + (i % 7000)})
     CREATE (a)-[:TRANSFER {txId: 'pt' + i, at: i, amount: i}]->(b)
     MERGE (:IngestChunk {key: 'pk' + (i % 100)})`,
    { from, to },
  );

describe('look-up plans on a store that fills up (real Neo4j)', () => {
  let s: TestServices;
  before(async () => {
    s = await openServices();
  });
  after(async () => {
    await s?.close();
  });

  test('existing transfers, accounts and chunk markers are index seeks on an empty store and at 20,000 and 60,000 transfers', async () => {
    await wipeGraph(s.driver);
    await resampleIndexes(s.driver);
    await assertPlans(s.driver, INGEST, 'empty store', seeks);
    await grow(s, 0, 19_999);
    await assertPlans(s.driver, INGEST, '20,000 transfers', seeks);
    await grow(s, 20_000, 59_999);
    await assertPlans(s.driver, INGEST, '60,000 transfers', seeks);
  });

  test('look-ups from accounts expand from them on an empty store, at 20,000 transfers with its statistics still empty, and after resampling', async () => {
    await wipeGraph(s.driver);
    await resampleIndexes(s.driver);
    await assertPlans(s.driver, FROM_ACCOUNTS, 'empty store', expands);
    await grow(s, 0, 19_999);
    await assertPlans(s.driver, FROM_ACCOUNTS, '20,000 transfers, statistics of the empty store', expands);
    await resampleIndexes(s.driver);
    await assertPlans(s.driver, FROM_ACCOUNTS, '20,000 transfers', expands);
  });
});
