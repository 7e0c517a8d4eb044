// The CLI runner shows the commands' progress on stderr (docs/evaluation.md), throttled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runNode, stderrRelay } from '../../dev/eval/runner.js';

test('progress-bar lines pass at most once per 10 s per command; the last one held back shows at the end', () => {
  let t = 0;
  const shown: string[] = [];
  const relay = stderrRelay(
    (line) => shown.push(line),
    10_000,
    () => t,
  );
  const at = (seconds: number, chunk: string) => {
    t = seconds * 1000;
    relay.push(chunk);
  };
  at(0, 'import |░░░░░░░░| 0% rows 0\n');
  at(5, 'import |███░░░░░| 30% rows 300\n');
  at(6, 'batch b-1: 2 rejected\n');
  at(10, 'import |█████░░░| 50% rows 500\n');
  at(15, 'import |██████░░| 60% rows 600\n');
  at(18, 'import |███████░| 80% rows 800\n');
  relay.end();
  assert.deepEqual(shown, [
    'import |░░░░░░░░| 0% rows 0',
    'batch b-1: 2 rejected',
    'import |█████░░░| 50% rows 500',
    'import |███████░| 80% rows 800',
  ]);
});

test('a real command: lines split across writes arrive whole, progress included', async () => {
  const script = `
    const w = (s) => process.stderr.write(s);
    w('import |██░░░░| 33%\\n');
    w('import |████░░| 66%\\n');
    w('reading rows.csv\\n');
    w('import |██');
    setTimeout(() => w('████| 100%\\n'), 100);`;
  const shown: string[] = [];
  const r = await runNode(['-e', script], process.env, (line) => shown.push(line));
  assert.equal(r.code, 0);
  assert.deepEqual(shown, ['import |██░░░░| 33%', 'reading rows.csv', 'import |██████| 100%']);
  assert.match(r.stderr, /66%/, 'the whole stderr is still returned');
});
