// Shared pieces of the benchmarks: a dedicated Neo4j instance, machine facts, RSS sampling, medians.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, projectRoot, type Config } from '../src/config/index.js';
import { instanceName, localPaths, startLocalNeo4j, stopLocalNeo4j } from '../src/neo4j/local.js';
import { ensureLocalRedis } from '../src/redis/local.js';

export const ROOT = projectRoot();
export const BENCH_DIR = path.join(ROOT, '.acctnet', 'bench');

export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

const BENCH_NEO4J_PORT = '7689';

/**
 * Benchmarks never touch a user's data: they run on their own managed instance ("bench", port 7689)
 * and wipe it between phases by deleting its data folder.
 */
export function benchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NEO4J_URI;
  const port = process.env.ACCTNET_BENCH_NEO4J_PORT ?? BENCH_NEO4J_PORT;
  return {
    ...env,
    ACCTNET_NEO4J_INSTANCE: instanceName('bench', port, BENCH_NEO4J_PORT),
    ACCTNET_NEO4J_BOLT_PORT: port,
    ACCTNET_NEO4J_HEAP: process.env.ACCTNET_BENCH_NEO4J_HEAP ?? '3g',
    ACCTNET_NEO4J_PAGECACHE: process.env.ACCTNET_BENCH_NEO4J_PAGECACHE ?? '2g',
    NEO4J_PASSWORD: 'acctnet-bench-pw',
    ACCTNET_QUEUE_PREFIX: `bench${process.pid}`,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** Stops the bench Neo4j, deletes its data, starts it empty. Returns a config pointing at it. */
export async function freshNeo4j(env: NodeJS.ProcessEnv): Promise<Config> {
  const managed = loadConfig(env);
  await stopLocalNeo4j(managed, log);
  fs.rmSync(localPaths(managed.localNeo4j).dataDir, { recursive: true, force: true });
  const started = await startLocalNeo4j(managed, log);
  await ensureLocalRedis(managed.redis.url, log);
  return loadConfig({ ...env, NEO4J_URI: started.uri });
}

export async function stopBenchNeo4j(env: NodeJS.ProcessEnv): Promise<void> {
  await stopLocalNeo4j(loadConfig(env), log);
}

export function neo4jPid(env: NodeJS.ProcessEnv): number | undefined {
  const p = localPaths(loadConfig(env).localNeo4j).pidFile;
  return fs.existsSync(p) ? Number(fs.readFileSync(p, 'utf8').trim()) : undefined;
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Peak resident set (VmHWM) of a process, in MiB, or undefined if it is gone. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's peak RSS until it exits (the last reading before exit is the peak). */
export function trackPeak(pid: number): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    const v = peakRssMiB(pid);
    if (v !== undefined) peak = Math.max(peak, v);
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      const v = peakRssMiB(pid);
      if (v !== undefined) peak = Math.max(peak, v);
      return peak;
    },
  };
}

/** CPU seconds (user + system) a process has used so far, or undefined if it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/** Samples a process's CPU time until stopped or it exits; stop() returns the seconds used meanwhile. */
export function trackCpu(pid: number): { stop(): number } {
  const first = cpuSeconds(pid) ?? 0;
  let last = first;
  const timer = setInterval(() => {
    const v = cpuSeconds(pid);
    if (v !== undefined) last = v;
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      const v = cpuSeconds(pid);
      if (v !== undefined) last = v;
      return last - first;
    },
  };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv, opts: { inherit?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), ...args], {
    env,
    stdio: opts.inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
}

export function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 0))));
}
