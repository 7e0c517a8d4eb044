// npm run bench:<name>: install and build if needed, then run dist/bench/<name>.js with the rest of the arguments.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { bootstrap, root } from './bootstrap.mjs';

const [name, ...rest] = process.argv.slice(2);
if (!name) {
  process.stderr.write('usage: node scripts/bench.mjs <ingest|recompute|api|console|learn|analysis|scaling> [options]\n');
  process.exit(64);
}
bootstrap();
const r = spawnSync(process.execPath, [path.join(root, 'dist', 'bench', `${name}.js`), ...rest], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
