// npm run eval: install and build if needed, then the evaluation (dev/eval/run-eval.ts).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { bootstrap, root } from './bootstrap.mjs';

bootstrap();
const r = spawnSync(process.execPath, [path.join(root, 'dist', 'dev', 'eval', 'run-eval.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
