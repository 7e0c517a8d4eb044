// The import's progress: the share of rows settled, not of bytes read (which ran ahead by the queue's backlog).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetryNotices, retryWindowMs, settledShare } from '../src/cli/progress.js';

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

test('the retry window of the default settings is the documented ~68 minutes', () => {
  assert.equal(retryWindowMs(13, 1000), 4_095_000);
  assert.equal(retryWindowMs(1, 1000), 0, 'one attempt: no retry');
});

test('an import logs one line when its jobs start retrying (with the error, or without it after a second) and one when none retries', () => {
  const n = new RetryNotices({ attempts: 13, backoffMs: 1000 });
  assert.equal(n.update({ retryingChunks: 0, retryReason: null }, 0), undefined, 'nothing before any retry');
  assert.equal(n.update({ retryingChunks: 2, retryReason: null }, 100), undefined, 'waits for the error a moment');
  const start = n.update({ retryingChunks: 3, retryReason: 'Failed to connect to server\nmore' }, 300);
  assert.equal(
    start,
    'retrying: 3 ingest jobs are retrying after a failed attempt (Failed to connect to server). The import waits: each job is retried with a doubling backoff for up to 68 min (ACCTNET_JOB_ATTEMPTS=13, ACCTNET_JOB_BACKOFF_MS=1000) before it fails for good with its rows kept',
  );
  assert.equal(n.update({ retryingChunks: 4, retryReason: 'x' }, 400), undefined, 'once per episode');
  assert.equal(
    n.update({ retryingChunks: 0, retryReason: null }, 500),
    'retries cleared: no ingest job of this import waits for a retry now',
  );
  assert.equal(n.update({ retryingChunks: 0, retryReason: null }, 600), undefined);
  // A new episode whose error is not known after a second is still announced.
  assert.equal(n.update({ retryingChunks: 1, retryReason: null }, 10_000), undefined);
  assert.match(
    n.update({ retryingChunks: 1, retryReason: null }, 11_000) ?? '',
    /^retrying: 1 ingest job is retrying after a failed attempt\. The import waits/,
  );
});
