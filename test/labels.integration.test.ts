import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
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
  // No transfer of A1 or A2 is stored: their labels are kept and counted as on unknown accounts (a typo shows here).
  assert.equal(first.unknownAccounts, 2);
  assert.deepEqual(first.unknownExamples, ['A1', 'A2']);
  await s.driver.executeQuery("CREATE (:Account {id: 'A1', firstSeenAt: 0})");
  const again = await importLabels(repo, file, { source: 'file:labels.csv', createdBy: 'tester', maxIdLength: 128 });
  assert.equal(again.unknownAccounts, 1, 'A1 is known now');
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

test('labels file: of two lines for one account the later wins (same createdAt), across batches and on re-import', async () => {
  const repo = createLabelRepository(s.driver, s.config.neo4j);
  const ids = Array.from({ length: 40 }, (_, k) => `ORD${k}`);
  // Each account: fraud, then a correction to legit; every other account flips back to fraud.
  const lines = ids.flatMap((id, k) => [`${id},fraud,first`, `${id},legit,correction`, ...(k % 2 ? [`${id},fraud,again`] : [])]);
  const file = writeFile(tmpDir('labels'), 'order.csv', `account_id,label,note\n${lines.join('\n')}\n`);
  const expected = new Map(ids.map((id, k) => [id, k % 2 ? 'fraud' : 'legit']));
  const check = async () => {
    const current = await repo.current();
    const some = await repo.currentFor(ids);
    for (const id of ids) {
      assert.equal(current.get(id), expected.get(id), `label in force of ${id}`);
      assert.equal(some.get(id), expected.get(id), `currentFor ${id}`);
    }
    const events = await repo.forAccount('ORD1');
    assert.deepEqual(
      events.slice(0, 3).map((e) => e.note),
      ['again', 'correction', 'first'],
      'newest first, in file order',
    );
  };
  for (const batchSize of [1000, 4]) {
    await importLabels(repo, file, { source: 'file:order.csv', createdBy: 'tester', maxIdLength: 128, batchSize });
    await check();
  }
  // A single account fraud → legit in one call (the API path appends one at a time; the file path many).
  const [first, second] = await repo.append([
    { accountId: 'ORDX', label: 'fraud', note: null, source: 't', createdBy: 't' },
    { accountId: 'ORDX', label: 'legit', note: null, source: 't', createdBy: 't' },
  ]);
  assert.ok(first && second);
  assert.equal((await repo.currentFor(['ORDX'])).get('ORDX'), 'legit');
});

test('labels import: a record with a field too many is rejected with its line and the rows after it are stored; a quoting error stops the import, saying so', async () => {
  const repo = createLabelRepository(s.driver, s.config.neo4j);
  const rows = Array.from({ length: 2500 }, (_, k) => `UR${k},fraud,n${k}`);
  rows.splice(2400, 0, 'URX,fraud,one,too many');
  const file = writeFile(tmpDir('labels'), 'ragged.csv', `account_id,label,note\n${rows.join('\n')}\n`);
  // Batches of 1000: the bad record comes after two have been stored.
  const seen: Array<{ bytesRead: number; bytesTotal: number; created: number }> = [];
  const r = await importLabels(repo, file, { source: 'import', createdBy: 'tester', maxIdLength: 128, onProgress: (p) => seen.push(p) });
  assert.equal(r.created, 2500, 'every readable row, before and after the bad one');
  assert.ok(seen.length >= 3, `progress after each stored batch: ${seen.length}`);
  assert.equal(seen.at(-1)!.bytesRead, seen.at(-1)!.bytesTotal, 'the last report has read the whole file');
  assert.equal(seen.at(-1)!.created, 2500);
  assert.deepEqual(
    r.rejected.map((x) => x.line),
    [2402],
  );
  assert.match(r.rejected[0]!.reason, /unreadable CSV record: .*column/i);
  assert.equal((await repo.currentFor(['UR2499'])).get('UR2499'), 'fraud');
  // A quote left open in the middle would swallow the rows after it: the import stops instead.
  const quoted = writeFile(
    tmpDir('labels'),
    'quote.csv',
    'account_id,label,note\nUQ1,fraud,x\nUQ2,fraud,"oops\nUQ3,fraud,y\nUQ4,legit,z\n',
  );
  await assert.rejects(
    importLabels(repo, quoted, { source: 'import', createdBy: 'tester', maxIdLength: 128 }),
    /cannot be read past a quoting error .*Quote Not Closed.*labels from the lines before it were stored, nothing after/,
  );
  assert.equal((await repo.currentFor(['UQ3', 'UQ4'])).size, 0, 'nothing after the quote was taken for a label');
  await assert.rejects(
    importLabels(repo, tmpDir('labels'), { source: 'import', createdBy: 'tester', maxIdLength: 128 }),
    /is not a file/,
    'a folder is refused with a message, not an unhandled stream error',
  );
});

test("labels import: rejected lines and a quoting error name the file's lines in a CRLF file with multi-line notes (as the transactions import)", async () => {
  const repo = createLabelRepository(s.driver, s.config.neo4j);
  const opts = { source: 'import', createdBy: 'tester', maxIdLength: 128 } as const;
  const crlf = (text: string) => text.replace(/\n/g, '\r\n');
  // Lines: 1 header, 2–3 a note over two lines, 4 a bad label, 5–7 a note over three, 8 a field too many, 9 a good row.
  const body = 'account_id,label,note\nLC1,fraud,"two\nlines"\nLC2,suspicious,x\nLC3,fraud,"a\nb\nc"\nLC4,fraud,x,extra\nLC5,legit,ok\n';
  const r = await importLabels(repo, writeFile(tmpDir('labels'), 'crlf.csv', crlf(body)), opts);
  assert.equal(r.created, 3);
  assert.deepEqual(
    r.rejected.map((x) => x.line),
    [4, 8],
  );
  assert.doesNotMatch(r.rejected[1]!.reason, /on line/, 'no second, differently counted line number in the reason');
  // The same file with LF line ends: the same lines.
  const lf = await importLabels(repo, writeFile(tmpDir('labels'), 'lf.csv', body), opts);
  assert.deepEqual(
    lf.rejected.map((x) => x.line),
    [4, 8],
  );
  // A misplaced quote on line 7, after three CRLFs inside quoted notes (csv-parse alone says line 10).
  await assert.rejects(
    importLabels(
      repo,
      writeFile(
        tmpDir('labels'),
        'crlf-quote.csv',
        crlf('account_id,label,note\nLQ1,fraud,"two\nlines"\nLQ2,fraud,"a\nb\nc"\nLQ3,fr"aud,x\nLQ4,legit,y\n'),
      ),
      opts,
    ),
    /Invalid Opening Quote: .* at line 7,/,
  );
});

test('labels import: mixed line ends, a column named twice, and a Latin-1 id (as the transactions import)', async () => {
  const repo = createLabelRepository(s.driver, s.config.neo4j);
  const opts = { source: 'import', createdBy: 'tester', maxIdLength: 128 } as const;
  const mixed = writeFile(tmpDir('labels'), 'mixed.csv', 'account_id,label,note\r\nLM1,fraud,a\nLM2,legit,b\rLM3,fraud,c\r\n');
  const r = await importLabels(repo, mixed, opts);
  assert.deepEqual([r.created, r.rejected.length], [3, 0]);
  assert.deepEqual([...(await repo.currentFor(['LM1', 'LM2', 'LM3'])).entries()].sort(), [
    ['LM1', 'fraud'],
    ['LM2', 'legit'],
    ['LM3', 'fraud'],
  ]);
  const twice = writeFile(tmpDir('labels'), 'twice.csv', 'account_id,label,label\nLT1,legit,fraud\n');
  await assert.rejects(importLabels(repo, twice, opts), /names label more than once in its header/);
  const latin1 = path.join(tmpDir('labels'), 'latin1.csv');
  fs.writeFileSync(
    latin1,
    Buffer.concat([
      Buffer.from('account_id,label\nL'),
      Buffer.from([0xe9]),
      Buffer.from(',fraud\nL'),
      Buffer.from([0xe8]),
      Buffer.from(',fraud\n'),
    ]),
  );
  const l = await importLabels(repo, latin1, opts);
  assert.equal(l.created, 0);
  assert.deepEqual(
    l.rejected.map((x) => x.reason),
    [
      'account_id holds bytes that are not UTF-8 (is the file Latin-1? convert it to UTF-8)',
      'account_id holds bytes that are not UTF-8 (is the file Latin-1? convert it to UTF-8)',
    ],
  );
});
