// Money paths on hand-made transfer lists whose answer is known.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { moneyPaths, type MoneyTransfer } from '../../src/analysis/money-paths.js';

const tx = (txId: string, source: string, target: string, at: number, amount: number): MoneyTransfer => ({ txId, source, target, at, amount });

test('money paths: time order, bottleneck strength, distinct account sequences, hop bound', () => {
  const transfers = [
    tx('1', 'a', 'b', 10, 100),
    tx('2', 'b', 'd', 20, 80),
    tx('3', 'b', 'd', 5, 500), // left b before the money arrived
    tx('4', 'a', 'c', 10, 50),
    tx('5', 'c', 'd', 11, 60),
    tx('6', 'a', 'd', 30, 10),
    tx('7', 'd', 'a', 40, 1000), // away from the target
  ];
  const r = moneyPaths(transfers, 'a', 'd', { maxHops: 3, maxPaths: 5 });
  assert.deepEqual(
    r.paths.map((p) => [p.accounts.join(''), p.strength]),
    [
      ['abd', 80],
      ['acd', 50],
      ['ad', 10],
    ],
  );
  assert.deepEqual(
    r.paths[0]!.transfers.map((t) => t.txId),
    ['1', '2'],
  );
  assert.deepEqual(
    moneyPaths(transfers, 'a', 'd', { maxHops: 1 }).paths.map((p) => p.accounts.join('')),
    ['ad'],
  );
  assert.deepEqual(
    moneyPaths(transfers, 'a', 'd', { maxPaths: 1 }).paths.map((p) => p.accounts.join('')),
    ['abd'],
  );
  assert.deepEqual(moneyPaths(transfers, 'd', 'c').paths, []);
  // The same accounts through two transfer choices count once, with the stronger one.
  const twice = moneyPaths([tx('1', 'a', 'b', 1, 5), tx('2', 'a', 'b', 1, 7), tx('3', 'b', 'c', 2, 9)], 'a', 'c');
  assert.deepEqual(
    twice.paths.map((p) => [p.accounts.join(''), p.strength]),
    [['abc', 7]],
  );
  // No account twice on a path.
  const loop = moneyPaths([tx('1', 'a', 'b', 1, 9), tx('2', 'b', 'a', 2, 9), tx('3', 'a', 'c', 3, 9)], 'a', 'c');
  assert.deepEqual(
    loop.paths.map((p) => p.accounts.join('')),
    ['ac'],
  );
  // The step budget stops a search and says so.
  const many: MoneyTransfer[] = [];
  // A dense web whose transfers into the target all came too early: the search tries everything.
  for (let i = 0; i < 29; i++) {
    for (let j = 0; j < 29; j++) if (i !== j) many.push(tx(`${i}-${j}`, `n${i}`, `n${j}`, 1000 + i * 100 + j, 5));
    many.push(tx(`${i}-t`, `n${i}`, 'n29', 0, 5));
  }
  const cut = moneyPaths(many, 'n0', 'n29', { maxHops: 6, maxPaths: 10, maxSteps: 50 });
  assert.equal(cut.truncated, true);
  assert.throws(() => moneyPaths([], 'a', 'a'), /acctnet\/analysis\/money-paths: from and to must differ/);
});
