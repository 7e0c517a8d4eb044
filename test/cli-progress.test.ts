// The import's progress: the share of rows settled, not of bytes read (which ran ahead by the queue's backlog).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settledShare } from '../src/cli/progress.js';

test("an import's share is its rows settled over the file's rows (estimated from the bytes read until the end)", () => {
  const p = { bytesTotal: 1000, written: 0, duplicates: 0, rejected: 0 };
  assert.equal(settledShare({ ...p, bytesRead: 0, rowsRead: 0 }), 0);
  // A quarter of the file read (5,000 rows of an estimated 20,000), 500 written: 2.5%, not 25%.
  assert.equal(settledShare({ ...p, bytesRead: 250, rowsRead: 5000, written: 500 }), 0.025);
  // The whole file read and queued, a third settled: a third, not 100%.
  assert.equal(settledShare({ ...p, bytesRead: 1000, rowsRead: 9000, written: 2000, duplicates: 500, rejected: 500 }), 1 / 3);
  assert.equal(settledShare({ ...p, bytesRead: 1000, rowsRead: 9000, written: 8000, duplicates: 500, rejected: 500 }), 1);
  assert.equal(settledShare({ ...p, bytesTotal: 0, bytesRead: 0, rowsRead: 0 }), 1, 'an empty file');
});
