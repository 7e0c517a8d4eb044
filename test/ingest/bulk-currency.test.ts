// `import --bulk --currency CODE`: the CLI hands the file's currency to the bulk conversion, whose
// import files then carry it on every row that names none. Run through the CLI against a server
// acctnet does not manage (NEO4J_URI) that does not answer: --bulk then converts and keeps the files
// without stopping or loading anything, so no Neo4j is needed to read what would be imported.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { transferFromLine } from '../../src/ingest/bulk-files.js';
import type { BulkSummary } from '../../src/ingest/bulk-import.js';
import { writeFile } from '../helpers/data.js';
import { closedPort, ROOT, tmpDir } from '../helpers/env.js';

test('import --bulk --currency: a file without a currency column is converted with that currency on every row', async () => {
  const dir = tmpDir('bulk-currency');
  const file = writeFile(
    dir,
    'eur.csv',
    [
      'txn_ref,payer,payee,amount_eur,booked_at',
      'bc1,BC-A,BC-B,10.00,2026-01-01T10:00:00Z',
      'bc2,BC-A,BC-C,20.50,2026-01-01T11:00:00Z',
      'bc3,BC-C,BC-B,0.99,2026-01-02T09:30:00Z',
    ].join('\n') + '\n',
  );
  const map = ['tx_id=txn_ref', 'from_account=payer', 'to_account=payee', 'amount=amount_eur', 'timestamp=booked_at'].flatMap((m) => [
    '--map',
    m,
  ]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEO4J_URI: `bolt://127.0.0.1:${await closedPort()}`,
    NEO4J_PASSWORD: 'unused-nothing-answers',
    ACCTNET_DEFAULT_CURRENCY: 'USD',
    LOG_LEVEL: 'silent',
  };
  delete env.NEO4J_DATABASE;
  const convert = (out: string, extra: string[]) => {
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin', 'acctnet.js'), 'import', file, ...map, '--bulk', '--bulk-dir', out, '--json', ...extra],
      {
        env,
        encoding: 'utf8',
        cwd: dir,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /No Neo4j answers at bolt:\/\/127\.0\.0\.1:\d+: its database could not be checked/);
    const summary = JSON.parse(r.stdout) as BulkSummary;
    assert.equal(summary.mode, 'files-only');
    assert.equal(summary.written, 3);
    assert.equal(summary.rejected, 0);
    const [header, ...lines] = fs.readFileSync(summary.files.transfers, 'utf8').trimEnd().split('\n');
    assert.match(header!, /,currency,/);
    return lines.map(transferFromLine).map((t) => [t.txId, t.amount, t.currency]);
  };

  assert.deepEqual(
    convert(path.join(dir, 'with-currency'), ['--currency', 'eur']),
    [
      ['bc1', 1000, 'EUR'],
      ['bc2', 2050, 'EUR'],
      ['bc3', 99, 'EUR'],
    ],
    'every row takes the file currency (upper-cased), amounts in its minor units',
  );
  // Without it the rows take the deployment's default: the flag is what made them euros.
  assert.deepEqual(
    convert(path.join(dir, 'without'), []).map(([, , currency]) => currency),
    ['USD', 'USD', 'USD'],
  );
});
