#!/usr/bin/env node
// Compiled by `npm install` (prepare) or `npm run build` into dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('acctnet is not built yet: run `npm install` (or `npm run build`) in the acctnet folder first.\n');
  process.exit(1);
}
await import(main);
