// A time without a zone means UTC everywhere an operator types one (ingest rows, --as-of,
// prune --before, ACCTNET_MIN/MAX_TIMESTAMP), whatever the server's TZ. Run in a child process
// with TZ=America/New_York, where Date.parse itself reads such a value as local time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const mod = (rel: string) => JSON.stringify(new URL(rel, import.meta.url).href);

const script = `
const { isoTimeOption } = await import(${mod('../src/cli/context.js')});
const { loadConfig } = await import(${mod('../src/config/index.js')});
const { parseIsoTime, parseTimestamp } = await import(${mod('../src/ingest/record.js')});
const config = loadConfig({ ACCTNET_MIN_TIMESTAMP: '2000-01-01T00:00:00', ACCTNET_MAX_TIMESTAMP: '2030-01-01 06:30' });
let badOption = null;
try { isoTimeOption('--as-of', 'June 30', '2026-06-30T23:59:59Z'); } catch (err) { badOption = err.message; }
process.stdout.write(JSON.stringify({
  localParse: Date.parse('2026-06-30T12:00:00'),
  asOf: isoTimeOption('--as-of', '2026-06-30T12:00:00', 'x'),
  before: isoTimeOption('--before', '2026-06-30 12:00', 'x'),
  beforeDate: isoTimeOption('--before', '2026-06-30', 'x'),
  withZone: isoTimeOption('--as-of', '2026-06-30T08:00:00-04:00', 'x'),
  ingest: parseTimestamp('2026-06-30T12:00:00', config.ingest).at,
  min: config.ingest.minTimestamp,
  max: config.ingest.maxTimestamp,
  invalid: parseIsoTime('2026-02-30T00:00:00') ?? null,
  badOption,
}));
`;

test('with TZ=America/New_York a zone-less time is read as UTC by --as-of, --before, the config and ingest alike', () => {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, TZ: 'America/New_York' },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  const r = JSON.parse(child.stdout);
  const noon = Date.UTC(2026, 5, 30, 12);
  assert.equal(r.localParse, noon + 4 * 3600_000, 'the child really runs in New York time');
  assert.equal(r.asOf, noon);
  assert.equal(r.before, noon);
  assert.equal(r.beforeDate, Date.UTC(2026, 5, 30));
  assert.equal(r.withZone, noon);
  assert.equal(r.ingest, noon);
  assert.equal(r.min, Date.UTC(2000, 0, 1));
  assert.equal(r.max, Date.UTC(2030, 0, 1, 6, 30));
  assert.equal(r.invalid, null);
  assert.match(r.badOption, /--as-of "June 30": expected an ISO 8601 time, e\.g\. 2026-06-30T23:59:59Z \(without a zone it is UTC\)/);
});
