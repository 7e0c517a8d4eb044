import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { importLabels } from '../src/labels/label-input.js';
import { createLabelRepository } from '../src/neo4j/repositories/labels.js';
import { tmpDir } from './helpers/env.js';
import { writeFile } from './helpers/data.js';
import { openServices, type TestServices } from './helpers/services.js';

let s: TestServices;
before(async () => {
  s = await openServices();
});
after(async () => {
  await s.close();
});

test('labels import: valid rows stored with source and time, bad rows reported, re-import changes nothing', async () => {
  const repo = createLabelRepository(s.driver, s.config.neo4j);
  const file = writeFile(tmpDir('labels'), 'labels.csv', 'account_id,label,note\nA1,fraud,mule\nA2,LEGIT,\n,fraud,x\nA3,suspicious,\n');
  const first = await importLabels(repo, file, { source: 'file:labels.csv', createdBy: 'tester', maxIdLength: 128 });
  assert.equal(first.created, 2);
  assert.deepEqual(first.rejected, [
    { line: 4, reason: 'missing account_id' },
    { line: 5, reason: 'label "suspicious" must be one of fraud, legit' },
  ]);
  const again = await importLabels(repo, file, { source: 'file:labels.csv', createdBy: 'tester', maxIdLength: 128 });
  assert.equal(again.created, 0);
  assert.equal(again.unchanged, 2);
  const events = await repo.forAccount('A1');
  assert.equal(events.length, 1);
  assert.equal(events[0]!.source, 'file:labels.csv');
  assert.ok(events[0]!.createdAt > Date.now() - 60_000);
  assert.deepEqual([...(await repo.current())].sort(), [
    ['A1', 'fraud'],
    ['A2', 'legit'],
  ]);
  await assert.rejects(
    importLabels(repo, writeFile(tmpDir('labels'), 'bad.csv', 'acct,label\n'), { source: 'x', createdBy: 'y', maxIdLength: 128 }),
    /no account_id column/,
  );
});
