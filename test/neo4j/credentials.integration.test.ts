// A Neo4j that answers and refuses the credentials is a setting to fix, not an outage to wait out:
// the CLI exits 78 (configuration) naming NEO4J_USER / NEO4J_PASSWORD, not 69 ("unreachable: try
// again later", which scripts retry). Against the real test Neo4j.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, testEnv } from '../helpers/env.js';

test('wrong Neo4j credentials: exit 78 with the settings named; an address where nothing answers: 69', () => {
  const env = testEnv();
  const cli = (extra: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), 'blacklist', 'versions'], {
      env: { ...process.env, ...env, ...extra },
      encoding: 'utf8',
      timeout: 60_000,
    });
  const refused = cli({ NEO4J_URI: env.NEO4J_URI!, NEO4J_PASSWORD: 'not-the-password' });
  assert.equal(refused.status, 78, refused.stderr);
  assert.match(refused.stderr, /refused the credentials .*check NEO4J_USER and NEO4J_PASSWORD/);
  const nowhere = cli({ NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_PASSWORD: 'not-the-password' });
  assert.equal(nowhere.status, 69, nowhere.stderr);
  assert.match(nowhere.stderr, /no Neo4j answers at bolt:\/\/127\.0\.0\.1:1/);
});
