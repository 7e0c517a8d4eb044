// Regenerates the variables table of docs/configuration.md from src/config (npm run docs:config).
import fs from 'node:fs';
import path from 'node:path';
import { bootstrap, root } from './bootstrap.mjs';

bootstrap();
const { configReference } = await import(path.join(root, 'dist/src/config/index.js'));
const file = path.join(root, 'docs', 'configuration.md');
const text = fs.readFileSync(file, 'utf8');
const start = text.indexOf('| Variable | Default | Meaning |');
const end = text.indexOf('\n\n', start);
fs.writeFileSync(file, `${text.slice(0, start)}${configReference()}${end === -1 ? '\n' : text.slice(end)}`);
process.stderr.write('docs/configuration.md updated\n');
