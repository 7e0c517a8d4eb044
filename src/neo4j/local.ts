// The managed local Neo4j: Neo4j 5.26 Community fetched from Maven Central with Maven and run as a
// real server (org.neo4j.server.CommunityEntryPoint) with Bolt on 127.0.0.1. See docs/neo4j-local.md.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Config, LocalNeo4jConfig, Neo4jConfig } from '../config/index.js';
import { Misconfigured } from '../errors.js';
import { createDriver } from './driver.js';

export interface LocalPaths {
  libDir: string;
  instanceDir: string;
  confDir: string;
  dataDir: string;
  logsDir: string;
  runDir: string;
  pidFile: string;
  consoleLog: string;
}

type Log = (line: string) => void;

export function localPaths(local: LocalNeo4jConfig): LocalPaths {
  const instanceDir = path.join(local.home, 'instances', local.instance);
  return {
    libDir: path.join(local.home, 'lib', local.version),
    instanceDir,
    confDir: path.join(instanceDir, 'conf'),
    dataDir: path.join(instanceDir, 'data'),
    logsDir: path.join(instanceDir, 'logs'),
    runDir: path.join(instanceDir, 'run'),
    pidFile: path.join(instanceDir, 'neo4j.pid'),
    consoleLog: path.join(instanceDir, 'logs', 'console.log'),
  };
}

export class LocalNeo4jError extends Error {
  constructor(message: string) {
    super(`acctnet/neo4j-local: ${message}`);
    this.name = 'LocalNeo4jError';
  }
}

/** Downloads the server jars once per version with `mvn dependency:copy-dependencies`. */
export function ensureNeo4jJars(config: Config, log: Log): string {
  const { libDir } = localPaths(config.localNeo4j);
  const marker = path.join(libDir, '.complete');
  if (fs.existsSync(marker)) return libDir;
  const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (mvn.error || mvn.status !== 0) {
    throw new LocalNeo4jError(
      'Maven (mvn) is needed to fetch Neo4j from Maven Central and was not found. Install it (apt-get install maven) or set NEO4J_URI to a Neo4j you run yourself.',
    );
  }
  const pom = path.join(config.projectRoot, 'scripts', 'neo4j', 'pom.xml');
  const staging = `${libDir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(libDir), { recursive: true });
  log(`Fetching Neo4j ${config.localNeo4j.version} Community from Maven Central (about 125 MB, first run only)...`);
  const started = Date.now();
  const result = spawnSync(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      pom,
      `-Dneo4j.version=${config.localNeo4j.version}`,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, JAVA_HOME: findJavaHome(config.localNeo4j) } },
  );
  if (result.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    const out = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').slice(-15).join('\n');
    throw new LocalNeo4jError(`Maven could not fetch Neo4j ${config.localNeo4j.version}:\n${out}`);
  }
  const jars = fs.readdirSync(staging).filter((f) => f.endsWith('.jar'));
  if (!jars.some((j) => j.startsWith(`neo4j-${config.localNeo4j.version}`))) {
    throw new LocalNeo4jError(`Maven finished but ${staging} holds no neo4j-${config.localNeo4j.version}.jar`);
  }
  fs.writeFileSync(path.join(staging, '.complete'), `${jars.length} jars\n`);
  fs.rmSync(libDir, { recursive: true, force: true });
  fs.renameSync(staging, libDir);
  log(`Fetched ${jars.length} jars in ${((Date.now() - started) / 1000).toFixed(1)} s into ${libDir}`);
  return libDir;
}

function javaMajor(javaBin: string): number | undefined {
  const r = spawnSync(javaBin, ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) return undefined;
  const major = Number(m[1]);
  return major === 1 ? Number(m[2]) : major;
}

/** A JDK Neo4j 5.26 supports (17 or 21). Java 25 is installed here too and must not be picked. */
export function findJavaHome(local: LocalNeo4jConfig): string {
  const candidates: string[] = [];
  if (local.javaHome) {
    // A configured JDK is used or refused, never passed over for another one.
    if (!fs.existsSync(path.join(local.javaHome, 'bin', 'java')))
      throw new LocalNeo4jError(`ACCTNET_JAVA_HOME=${local.javaHome} has no bin/java; point it at a Java 17 or 21 JDK (or unset it)`);
    candidates.push(local.javaHome);
  }
  const jvmRoot = '/usr/lib/jvm';
  if (fs.existsSync(jvmRoot)) {
    for (const name of fs.readdirSync(jvmRoot).sort()) candidates.push(path.join(jvmRoot, name));
  }
  const tried: string[] = [];
  for (const home of candidates) {
    const bin = path.join(home, 'bin', 'java');
    if (!fs.existsSync(bin)) continue;
    const major = javaMajor(bin);
    tried.push(`${home} (${major ?? 'unknown'})`);
    if (major === 17 || major === 21) return home;
    if (home === local.javaHome) {
      throw new LocalNeo4jError(`ACCTNET_JAVA_HOME=${home} is Java ${major}; Neo4j 5.26 needs Java 17 or 21`);
    }
  }
  throw new LocalNeo4jError(
    `no Java 17 or 21 found (tried: ${tried.join(', ') || 'none'}). Install openjdk-17-jre-headless or set ACCTNET_JAVA_HOME.`,
  );
}

function writeConf(local: LocalNeo4jConfig, paths: LocalPaths): void {
  for (const dir of [paths.confDir, paths.dataDir, paths.logsDir, paths.runDir]) fs.mkdirSync(dir, { recursive: true });
  // Written on every start so a changed port or page cache takes effect; data stays untouched.
  const conf = [
    '# Written by acctnet (src/neo4j/local.ts) on every start; edit ACCTNET_NEO4J_* instead.',
    'server.default_listen_address=127.0.0.1',
    'server.bolt.enabled=true',
    `server.bolt.listen_address=127.0.0.1:${local.boltPort}`,
    'server.bolt.tls_level=DISABLED',
    'server.http.enabled=false',
    'server.https.enabled=false',
    `server.directories.data=${paths.dataDir}`,
    `server.directories.logs=${paths.logsDir}`,
    `server.directories.run=${paths.runDir}`,
    `server.directories.plugins=${path.join(paths.instanceDir, 'plugins')}`,
    `server.directories.import=${path.join(paths.instanceDir, 'import')}`,
    `server.memory.pagecache.size=${local.pagecache}`,
    'dbms.security.auth_enabled=true',
    'dbms.usage_report.enabled=false',
    // Keep transaction logs small: this is a single local server, backups are dumps (docs/operations.md).
    'db.tx_log.rotation.retention_policy=2 files',
    'db.tx_log.rotation.size=64M',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(paths.confDir, 'neo4j.conf'), conf);
}

function neo4jEnv(paths: LocalPaths, javaHome: string): NodeJS.ProcessEnv {
  return { ...process.env, NEO4J_HOME: paths.instanceDir, NEO4J_CONF: paths.confDir, JAVA_HOME: javaHome };
}

/** The JVM flags of Neo4j 5's default server.jvm.additional that matter on Java 17. */
function jvmArgs(local: LocalNeo4jConfig): string[] {
  return [
    `-Xms${local.heap}`,
    `-Xmx${local.heap}`,
    '-XX:+UseG1GC',
    '-XX:-OmitStackTraceInFastThrow',
    '-XX:+UnlockExperimentalVMOptions',
    '-XX:+TrustFinalNonStaticFields',
    '-XX:+DisableExplicitGC',
    '-Djdk.nio.maxCachedBufferSize=1024',
    '-Dio.netty.tryReflectionSetAccessible=true',
    '-Djdk.tls.ephemeralDHKeySize=2048',
    '-Djdk.tls.rejectClientInitiatedRenegotiation=true',
    '-XX:FlightRecorderOptions=stackdepth=256',
    '-XX:+UnlockDiagnosticVMOptions',
    '-XX:+DebugNonSafepoints',
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '--add-opens=java.base/java.io=ALL-UNNAMED',
    '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
    '--enable-native-access=ALL-UNNAMED',
    '-Dlog4j2.disable.jmx=true',
    '-Dfile.encoding=UTF-8',
  ];
}

export function readPid(paths: LocalPaths): number | undefined {
  try {
    const pid = Number(fs.readFileSync(paths.pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An exited child that its parent has not reaped yet still answers kill(0): a zombie is not alive.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export type Connectivity = { ok: true } | { ok: false; code: string | undefined; message: string };

export async function checkConnectivity(neo4j: Neo4jConfig): Promise<Connectivity> {
  const driver = createDriver({ ...neo4j, maxRetryTimeMs: 0 }, { connectionTimeoutMs: 3000 });
  try {
    await driver.verifyConnectivity(neo4j.database ? { database: neo4j.database } : {});
    return { ok: true };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { ok: false, code: e.code, message: e.message ?? String(err) };
  } finally {
    await driver.close();
  }
}

export function unauthorized(c: Connectivity): boolean {
  return !c.ok && (c.code ?? '').includes('Security');
}

export interface StartResult {
  pid: number | undefined;
  alreadyRunning: boolean;
  uri: string;
  startedInMs: number;
}

export async function startLocalNeo4j(config: Config, log: Log): Promise<StartResult> {
  const local = config.localNeo4j;
  const paths = localPaths(local);
  const neo4jCfg: Neo4jConfig = { ...config.neo4j, uri: `bolt://127.0.0.1:${local.boltPort}` };
  const started = Date.now();
  const existing = readPid(paths);
  if (existing && isAlive(existing)) {
    const c = await checkConnectivity(neo4jCfg);
    if (c.ok) return { pid: existing, alreadyRunning: true, uri: neo4jCfg.uri, startedInMs: 0 };
    if (unauthorized(c)) throw passwordMismatch(paths);
    log(`Neo4j process ${existing} exists but does not answer yet; waiting for it`);
    await waitForBolt(neo4jCfg, existing, paths, local.startTimeoutMs, log);
    return { pid: existing, alreadyRunning: true, uri: neo4jCfg.uri, startedInMs: Date.now() - started };
  }
  if (await portInUse(local.boltPort)) {
    const c = await checkConnectivity(neo4jCfg);
    if (c.ok) {
      throw new LocalNeo4jError(
        `a Neo4j that acctnet did not start already answers on 127.0.0.1:${local.boltPort}. Use it with NEO4J_URI=${neo4jCfg.uri}, or pick another ACCTNET_NEO4J_BOLT_PORT.`,
      );
    }
    throw new LocalNeo4jError(`port ${local.boltPort} is taken by another program; set ACCTNET_NEO4J_BOLT_PORT to a free port`);
  }

  const libDir = ensureNeo4jJars(config, log);
  const javaHome = findJavaHome(local);
  writeConf(local, paths);
  const java = path.join(javaHome, 'bin', 'java');
  const classpath = `${libDir}/*`;
  const env = neo4jEnv(paths, javaHome);

  if (!fs.existsSync(path.join(paths.dataDir, 'dbms', 'auth.ini')) && !fs.existsSync(path.join(paths.dataDir, 'databases', 'system'))) {
    // First start: neo4j-admin dbms set-initial-password, run from the same jars.
    runAdminTool(config, ['dbms', 'set-initial-password', config.neo4j.password]);
    log('Initial password set from NEO4J_PASSWORD');
  }

  fs.mkdirSync(paths.logsDir, { recursive: true });
  const out = fs.openSync(paths.consoleLog, 'a');
  const child = spawn(
    java,
    [
      ...jvmArgs(local),
      '-cp',
      classpath,
      'org.neo4j.server.CommunityEntryPoint',
      `--home-dir=${paths.instanceDir}`,
      `--config-dir=${paths.confDir}`,
      '--console-mode',
    ],
    { env, detached: true, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  if (!child.pid) throw new LocalNeo4jError(`could not start ${java}`);
  fs.writeFileSync(paths.pidFile, `${child.pid}\n`);
  child.unref();
  log(
    `Starting Neo4j ${local.version} (pid ${child.pid}, bolt 127.0.0.1:${local.boltPort}, heap ${local.heap}, page cache ${local.pagecache})`,
  );
  await waitForBolt(neo4jCfg, child.pid, paths, local.startTimeoutMs, log);
  log(`Neo4j answers on ${neo4jCfg.uri} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return { pid: child.pid, alreadyRunning: false, uri: neo4jCfg.uri, startedInMs: Date.now() - started };
}

function passwordMismatch(paths: LocalPaths): Misconfigured {
  return new Misconfigured(
    `acctnet/neo4j-local: the local Neo4j rejected NEO4J_PASSWORD: its data folder (${paths.dataDir}) was initialised with another password. Set NEO4J_PASSWORD to that password, or stop it and delete ${paths.instanceDir} to start empty.`,
  );
}

async function waitForBolt(neo4jCfg: Neo4jConfig, pid: number, paths: LocalPaths, timeoutMs: number, log: Log): Promise<void> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let last: Connectivity = { ok: false, code: undefined, message: 'not tried' };
  let said = started;
  while (Date.now() < deadline) {
    // A slow start (a first start, a small machine) says it is still waiting, every 15 s.
    if (Date.now() - said >= 15_000) {
      said = Date.now();
      log(
        `still waiting for Neo4j to answer on ${neo4jCfg.uri} (${Math.round((said - started) / 1000)} s of at most ${Math.round(timeoutMs / 1000)} s)`,
      );
    }
    if (!isAlive(pid)) {
      throw new LocalNeo4jError(
        `Neo4j (pid ${pid}) exited during start-up. Last lines of ${paths.consoleLog}:\n${tail(paths.consoleLog, 25)}`,
      );
    }
    last = await checkConnectivity(neo4jCfg);
    if (last.ok) return;
    if (unauthorized(last)) throw passwordMismatch(paths);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new LocalNeo4jError(
    `Neo4j did not answer on ${neo4jCfg.uri} within ${timeoutMs} ms (last error: ${last.ok ? '' : last.message}). Last lines of ${paths.consoleLog}:\n${tail(paths.consoleLog, 25)}`,
  );
}

/**
 * Runs neo4j-admin (org.neo4j.cli.AdminTool) against a stopped managed instance, e.g.
 * `database import full` for the benchmarks' bulk loads.
 */
export function runAdminTool(config: Config, args: string[]): string {
  const local = config.localNeo4j;
  const paths = localPaths(local);
  const libDir = ensureNeo4jJars(config, () => {});
  const javaHome = findJavaHome(local);
  writeConf(local, paths);
  const r = spawnSync(path.join(javaHome, 'bin', 'java'), ['-Xmx2g', '-cp', `${libDir}/*`, 'org.neo4j.cli.AdminTool', ...args], {
    env: neo4jEnv(paths, javaHome),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new LocalNeo4jError(`neo4j-admin ${args.slice(0, 3).join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

/** runAdminTool without blocking, handing each output line over as it comes (the importer's progress). */
export function runAdminToolAsync(config: Config, args: string[], onLine: (line: string) => void = () => {}): Promise<string> {
  const local = config.localNeo4j;
  const paths = localPaths(local);
  const libDir = ensureNeo4jJars(config, () => {});
  const javaHome = findJavaHome(local);
  writeConf(local, paths);
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(javaHome, 'bin', 'java'), ['-Xmx2g', '-cp', `${libDir}/*`, 'org.neo4j.cli.AdminTool', ...args], {
      env: neo4jEnv(paths, javaHome),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let partial = '';
    const take = (d: Buffer) => {
      const text = d.toString('utf8');
      output = (output + text).slice(-200_000);
      const lines = (partial + text).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', (err) => reject(new LocalNeo4jError(`could not run neo4j-admin: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (partial.trim()) onLine(partial);
      if (code === 0) resolve(output);
      else
        reject(
          new LocalNeo4jError(`neo4j-admin ${args.slice(0, 3).join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.slice(-6000)}`),
        );
    });
  });
}

export async function stopLocalNeo4j(config: Config, log: Log, timeoutMs = 90_000): Promise<boolean> {
  const paths = localPaths(config.localNeo4j);
  const pid = readPid(paths);
  if (!pid || !isAlive(pid)) {
    fs.rmSync(paths.pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (isAlive(pid)) {
    log(`Neo4j (pid ${pid}) did not stop within ${timeoutMs} ms; killing it`);
    process.kill(pid, 'SIGKILL');
    const killDeadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 100));
  }
  fs.rmSync(paths.pidFile, { force: true });
  return true;
}

export interface LocalStatus {
  managed: boolean;
  uri: string;
  pid: number | undefined;
  processRunning: boolean;
  answering: boolean;
  error: string | undefined;
}

/** Whether a Neo4j answers at NEO4J_URI (or the managed one), plus the managed process if any. */
export async function neo4jStatus(config: Config): Promise<LocalStatus> {
  const paths = localPaths(config.localNeo4j);
  const pid = config.neo4j.managed ? readPid(paths) : undefined;
  const c = await checkConnectivity(config.neo4j);
  return {
    managed: config.neo4j.managed,
    uri: config.neo4j.uri,
    pid,
    processRunning: pid !== undefined && isAlive(pid),
    answering: c.ok,
    error: c.ok ? undefined : c.message,
  };
}

/**
 * A managed instance's name: `base` on its default port, `base-<port>` on another, so that two
 * evaluations (or benchmarks) on different ports in one checkout keep their own data folders and
 * pid files — each stops and wipes only its own instance between datasets.
 */
export function instanceName(base: string, port: string, defaultPort: string): string {
  return port === defaultPort ? base : `${base}-${port}`;
}
