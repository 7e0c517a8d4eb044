// npm run demo: install what is missing, build, then `acctnet demo` (which fetches and starts Neo4j).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { bootstrap, root } from './bootstrap.mjs';

bootstrap();
const r = spawnSync(process.execPath, [path.join(root, 'bin', 'acctnet.js'), 'demo', ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
