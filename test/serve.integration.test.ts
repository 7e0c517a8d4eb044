// `acctnet serve --port N --host H`: the flags win over PORT / HOST.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { serveEnv } from '../src/cli/commands/serve.js';
import { loadConfig } from '../src/config/index.js';
import { ROOT, testEnv } from './helpers/env.js';
import { dropQueuePrefix } from './helpers/services.js';

const BIN = path.join(ROOT, 'bin', 'acctnet.js');

test('serveEnv: --port and --host override PORT and HOST; bad values say what is expected', () => {
  const config = loadConfig(serveEnv({ PORT: '4000', HOST: '0.0.0.0' }, { port: '5123', host: '::1' }));
  assert.equal(config.http.port, 5123);
  assert.equal(config.http.host, '::1');
  const envOnly = loadConfig(serveEnv({ PORT: '4000', HOST: '0.0.0.0' }, {}));
  assert.deepEqual([envOnly.http.port, envOnly.http.host], [4000, '0.0.0.0']);
  assert.throws(() => serveEnv({}, { port: '70000' }), /--port "70000": expected a TCP port 0\.\.65535/);
  assert.throws(() => serveEnv({}, { port: 'http' }), /--port "http"/);
  assert.throws(() => serveEnv({}, { host: ' ' }), /--host: expected an interface address/);
});

test('the CLI refuses a bad --port with exit code 64 before connecting to anything', () => {
  const r = spawnSync(process.execPath, [BIN, 'serve', '--port', 'nope'], { env: testEnv(), encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 64, r.stderr);
  assert.match(r.stderr, /--port "nope": expected a TCP port/);
});

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

test('acctnet serve --port N --host 127.0.0.1 listens there although PORT and HOST say otherwise', async () => {
  const port = await freePort();
  const env = testEnv({ PORT: '1', HOST: '203.0.113.1' });
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    let status = 0;
    for (let i = 0; i < 240 && child.exitCode === null; i++) {
      status = await fetch(`http://127.0.0.1:${port}/health`).then(
        (res) => res.status,
        () => 0,
      );
      if (status) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(status > 0, `no answer on port ${port}; stderr: ${stderr}`);
  } finally {
    if (child.exitCode === null) process.kill(child.pid!, 'SIGTERM');
    await exited;
    // The API creates its queues at start (their meta keys): leave nothing under the test's prefix.
    const config = loadConfig(env);
    await dropQueuePrefix(config.redis.url, config.queue.prefix);
  }
});
