// Starts the machine's redis-server when none answers on a local REDIS_URL (scripts and demo only).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { pingRedis } from './connection.js';

export async function ensureLocalRedis(url: string, log: (line: string) => void): Promise<void> {
  const first = await pingRedis(url);
  if (first.ok) return;
  const parsed = new URL(url);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(parsed.hostname);
  const haveServer = spawnSync('redis-server', ['--version']).status === 0;
  if (!local || !haveServer) {
    throw new Error(
      `acctnet/redis: no Redis answers at ${url} (${first.message}). Start one (apt-get install redis-server; redis-server --port ${parsed.port || 6379}) or set REDIS_URL to a running Redis.`,
    );
  }
  const port = parsed.port || '6379';
  const dir = fs.existsSync('/var/lib/redis') ? '/var/lib/redis' : fs.mkdtempSync('/tmp/acctnet-redis-');
  const logfile = fs.existsSync('/var/log/redis') ? '/var/log/redis/ci.log' : `${dir}/redis.log`;
  log(`No Redis at ${url}; starting redis-server on port ${port}`);
  const r = spawnSync(
    'redis-server',
    [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '-::1',
      '--port',
      port,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--logfile',
      logfile,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`acctnet/redis: redis-server did not start: ${r.stderr || r.stdout}`);
  for (let i = 0; i < 50; i++) {
    if ((await pingRedis(url)).ok) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`acctnet/redis: started redis-server but ${url} still does not answer (see ${logfile})`);
}
