// A redis-server of the test's own, on its own port, that the test may kill and start again (Redis
// outages); the shared Redis is never touched. The test keeps the child it started and ends exactly it.
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';

/** A port in [from, from + span): two tests running at once rarely pick the same one. */
export function ownRedisPort(from: number, span: number): number {
  return from + Math.floor(Math.random() * span);
}

/** Starts redis-server on `port` without persistence; resolve readiness with redisReady. */
export function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
    stdio: 'ignore',
  });
}

/** Waits (at most 10 s) until the redis-server on `port` answers PING. */
export async function redisReady(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      probe.disconnect();
    }
  }
}

/** Kills exactly the redis-server the test started, and waits until it is gone. */
export async function stopRedis(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
