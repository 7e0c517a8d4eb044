// Makes a fresh clone runnable: installs npm packages when node_modules is missing or stale, and
// compiles TypeScript (the server and the console). Plain JavaScript with no dependencies, because it runs before they exist.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    process.stderr.write(`\n${cmd} ${args.join(' ')} failed (exit ${r.status})\n`);
    process.exit(r.status ?? 1);
  }
}

export function ensureInstalled() {
  const lock = path.join(root, 'package-lock.json');
  const stamp = path.join(root, 'node_modules', '.acctnet-lock-sha256');
  const want = crypto.createHash('sha256').update(fs.readFileSync(lock)).digest('hex');
  const have = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : '';
  if (have !== want) {
    // Run as our "prepare" at the end of `npm ci` / `npm install`: npm has just installed from this
    // lock, so record that instead of installing everything a second time.
    if (process.env.npm_lifecycle_event === 'prepare' && ['ci', 'install'].includes(process.env.npm_command ?? '')) {
      fs.writeFileSync(stamp, `${want}\n`);
      return;
    }
    process.stderr.write('Installing npm packages (npm ci)...\n');
    // --ignore-scripts: our own "prepare" (tsc) runs below; no dependency needs an install script.
    run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund']);
    fs.writeFileSync(stamp, `${want}\n`);
  }
}

export function build() {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  run(process.execPath, [tsc, '-p', 'tsconfig.json']);
  // The console: type-checked on its own (DOM types), bundled by esbuild into dist/console.
  run(process.execPath, [tsc, '-p', 'tsconfig.console.json']);
  run(process.execPath, [path.join(root, 'scripts', 'build-console.mjs')]);
}

export function bootstrap() {
  ensureInstalled();
  build();
}

if (import.meta.url === `file://${process.argv[1]}`) bootstrap();
