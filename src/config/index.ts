// The module that reads the settings from process.env; everything else receives a typed Config. (Three
// reads elsewhere, documented in docs/configuration.md: the CLI's LOG_LEVEL check and ACCTNET_DEBUG, and
// serve's --host / --port over HOST / PORT.)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ISO_CURRENCY_EXPONENTS } from '../ingest/currencies.js';
import { ConfigError, defineVar, MAX_CURRENCY_EXPONENT, parsers as p, read, type VarSpec } from './vars.js';

export { ConfigError } from './vars.js';

/** Repository root: dist/src/config/index.js → three levels up; src/config/index.ts → two. */
export function projectRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const parts = here.split(path.sep);
  const distAt = parts.lastIndexOf('dist');
  return distAt >= 0 ? parts.slice(0, distAt).join(path.sep) || '/' : path.resolve(here, '..', '..');
}

const NEO4J_VERSION = '5.26.30';
const LOCAL_DEFAULT_PASSWORD = 'acctnet-local-dev';

export const VARS = {
  // --- Neo4j -----------------------------------------------------------------------------------
  neo4jUri: defineVar({
    name: 'NEO4J_URI',
    expected: 'a bolt://, neo4j://, bolt+s:// or neo4j+s:// URI',
    doc: 'Neo4j to use. Unset: the managed local Neo4j started by `acctnet neo4j start` (bolt://127.0.0.1:ACCTNET_NEO4J_BOLT_PORT).',
    parse: p.url(['bolt', 'neo4j', 'bolt+s', 'neo4j+s', 'bolt+ssc', 'neo4j+ssc']),
  }),
  neo4jUser: defineVar({
    name: 'NEO4J_USER',
    default: 'neo4j',
    expected: 'a user name',
    doc: 'Neo4j user, with NEO4J_URI. Without NEO4J_URI only neo4j is accepted (the managed local Neo4j has only its built-in user; another one stops start-up with a message).',
    parse: p.nonEmpty,
  }),
  neo4jPassword: defineVar({
    name: 'NEO4J_PASSWORD',
    expected: 'a password of at least 8 characters',
    doc: `Neo4j password. Required when NEO4J_URI is set. For the managed local Neo4j it defaults to "${LOCAL_DEFAULT_PASSWORD}" and is set as the initial password at first start.`,
    secret: true,
    parse: (raw: string) => {
      if (raw.length < 8) throw new Error('too short');
      return raw;
    },
  }),
  neo4jDatabase: defineVar({
    name: 'NEO4J_DATABASE',
    expected: 'a database name',
    doc: 'Database to use (unset: the server default, "neo4j").',
    parse: p.nonEmpty,
  }),
  neo4jHome: defineVar({
    name: 'ACCTNET_NEO4J_HOME',
    default: '.neo4j',
    expected: 'a directory path',
    doc: 'Where the managed local Neo4j keeps its jars, configuration and data (relative to the project root).',
    parse: p.nonEmpty,
  }),
  neo4jInstance: defineVar({
    name: 'ACCTNET_NEO4J_INSTANCE',
    default: 'default',
    expected: 'a name of letters, digits, - or _',
    doc: 'Managed instance name; each has its own data folder under ACCTNET_NEO4J_HOME/instances (the tests use "test").',
    parse: (raw: string) => {
      if (!/^[A-Za-z0-9_-]{1,40}$/.test(raw)) throw new Error('bad name');
      return raw;
    },
  }),
  neo4jBoltPort: defineVar({
    name: 'ACCTNET_NEO4J_BOLT_PORT',
    default: '7687',
    expected: 'a TCP port 1024..65535',
    doc: 'Bolt port of the managed local Neo4j (bound to 127.0.0.1 only).',
    parse: p.int(1024, 65535),
  }),
  neo4jHeap: defineVar({
    name: 'ACCTNET_NEO4J_HEAP',
    default: '2g',
    expected: 'a size such as 2g',
    doc: 'JVM heap (-Xms and -Xmx) of the managed local Neo4j.',
    parse: p.memorySize,
  }),
  neo4jPagecache: defineVar({
    name: 'ACCTNET_NEO4J_PAGECACHE',
    default: '1g',
    expected: 'a size such as 1g',
    doc: 'server.memory.pagecache.size of the managed local Neo4j.',
    parse: p.memorySize,
  }),
  neo4jVersion: defineVar({
    name: 'ACCTNET_NEO4J_VERSION',
    default: NEO4J_VERSION,
    expected: 'a 5.26.x version on Maven Central',
    doc: 'Neo4j server version fetched from Maven Central for the managed local Neo4j.',
    parse: (raw: string) => {
      if (!/^5\.26\.\d+$/.test(raw)) throw new Error('only the 5.26 LTS line is supported');
      return raw;
    },
  }),
  javaHome: defineVar({
    name: 'ACCTNET_JAVA_HOME',
    expected: 'a JDK 17 or 21 directory',
    doc: 'JDK that runs the managed local Neo4j (set: used or refused, never passed over for another). Unset: the first Java 17 or 21 under /usr/lib/jvm (JAVA_HOME and PATH are not consulted). Neo4j 5.26 does not run on Java 25.',
    parse: p.nonEmpty,
  }),
  neo4jStartTimeoutMs: defineVar({
    name: 'ACCTNET_NEO4J_START_TIMEOUT_MS',
    default: '120000',
    expected: 'milliseconds 5000..900000',
    doc: 'How long a start of the managed local Neo4j waits for Bolt to answer (`acctnet neo4j start`, and `serve`, `worker` or any command that starts it).',
    parse: p.int(5000, 900000),
  }),
  neo4jMaxRetryTimeMs: defineVar({
    name: 'ACCTNET_NEO4J_MAX_RETRY_MS',
    default: '30000',
    expected: 'milliseconds 0..600000',
    doc: "Driver's maxTransactionRetryTime: how long one write retries transient errors (deadlocks, a leader switch) before the job fails and BullMQ retries it with backoff. The API retries for at most 2 s (a request answers 503 rather than wait: docs/operations.md, Outages).",
    parse: p.int(0, 600000),
  }),

  // --- Redis and queues ------------------------------------------------------------------------
  redisUrl: defineVar({
    name: 'REDIS_URL',
    default: 'redis://127.0.0.1:6379',
    expected: 'a redis:// or rediss:// URL',
    doc: 'Redis for the BullMQ queues. Needs maxmemory-policy noeviction (and appendonly yes to survive a restart).',
    parse: p.url(['redis', 'rediss']),
  }),
  queuePrefix: defineVar({
    name: 'ACCTNET_QUEUE_PREFIX',
    default: 'acctnet',
    expected: 'letters, digits, - or _ (no ":")',
    doc: 'BullMQ key prefix; separate deployments (and every test) use their own.',
    parse: (raw: string) => {
      if (!/^[A-Za-z0-9_-]{1,60}$/.test(raw)) throw new Error('bad prefix');
      return raw;
    },
  }),
  lockDurationMs: defineVar({
    name: 'ACCTNET_LOCK_DURATION_MS',
    default: '30000',
    expected: 'milliseconds 1000..600000',
    doc: 'BullMQ job lock. A worker that dies loses its lock after this long and the job is retried elsewhere.',
    parse: p.int(1000, 600000),
  }),
  stalledIntervalMs: defineVar({
    name: 'ACCTNET_STALLED_INTERVAL_MS',
    default: '30000',
    expected: 'milliseconds 1000..600000',
    doc: 'How often workers look for stalled jobs (jobs whose worker died).',
    parse: p.int(1000, 600000),
  }),
  jobAttempts: defineVar({
    name: 'ACCTNET_JOB_ATTEMPTS',
    default: '13',
    expected: 'an integer 1..100',
    doc: 'Attempts per ingest job before it lands in the failed set. With the default backoff the 12 retries wait 1, 2, 4 … 2,048 s: 68 minutes in all, so a job outlasts an hour of Neo4j being away. Fixed on each job when it is queued: set it on the processes that queue ingest jobs (API, `import`, `batches retry`), not only on workers.',
    parse: p.int(1, 100),
  }),
  jobBackoffMs: defineVar({
    name: 'ACCTNET_JOB_BACKOFF_MS',
    default: '1000',
    expected: 'milliseconds 10..600000',
    doc: 'First retry delay of a failed ingest job; doubles on every attempt (recompute, webhook and publication jobs have their own retry rules: ACCTNET_WEBHOOK_BACKOFF_MS for webhooks). Fixed on each job when it is queued, as ACCTNET_JOB_ATTEMPTS.',
    parse: p.int(10, 600000),
  }),

  // --- Ingest ----------------------------------------------------------------------------------
  workerConcurrency: defineVar({
    name: 'ACCTNET_WORKER_CONCURRENCY',
    default: '2',
    expected: 'an integer 1..64',
    doc: 'Ingest jobs a worker process runs at once.',
    parse: p.int(1, 64),
  }),
  ingestBatchSize: defineVar({
    name: 'ACCTNET_INGEST_BATCH_SIZE',
    default: '5000',
    expected: 'an integer 1..50000',
    doc: 'Rows per ingest job (one Neo4j transaction).',
    parse: p.int(1, 50000),
  }),
  ingestMaxPending: defineVar({
    name: 'ACCTNET_INGEST_MAX_PENDING',
    default: '8',
    expected: 'an integer 1..1000',
    doc: 'Back-pressure: `import` stops reading while this many of its jobs wait or run.',
    parse: p.int(1, 1000),
  }),
  importRedisWaitMs: defineVar({
    name: 'ACCTNET_IMPORT_REDIS_WAIT_MS',
    default: '120000',
    expected: 'an integer 1000..86400000 (milliseconds)',
    doc: '`import`: how long Redis may stay unreachable before the import stops (exit 69) with what was enqueued, what Neo4j holds, the batch id and how to finish (run the same import again: rows already stored count as duplicates). A Redis that comes back sooner — even empty, after a restart without persistence — is caught up: lost jobs are enqueued again.',
    parse: p.int(1000, 86400000),
  }),
  defaultCurrency: defineVar({
    name: 'ACCTNET_DEFAULT_CURRENCY',
    default: 'USD',
    expected: 'an ISO 4217 currency code or a code named in ACCTNET_CURRENCY_EXPONENTS',
    doc: 'Currency of rows that have none (e.g. the AMLSim export).',
    parse: p.currencyCode,
  }),
  currencyExponents: defineVar({
    name: 'ACCTNET_CURRENCY_EXPONENTS',
    default: '',
    expected: `CODE:decimals pairs of non-ISO codes, e.g. ETH:9,PTS:0 (decimals 0..${MAX_CURRENCY_EXPONENT})`,
    doc: "Currencies that are not ISO 4217 (crypto assets, loyalty points) and their decimal places; rows in them are accepted like ISO ones. Amounts are stored exactly as integer minor units below 2^53, so a code with d decimals holds at most (2^53 - 1) / 10^d units per transfer (ETH:9 → 9,007,199.254740991); larger amounts are rejected with that reason. ISO codes cannot be redefined. Read by whatever ingests (workers, `acctnet import --bulk`) and by runs, which record them: the API shows a run's amounts with the run's (its own before the first run, and for runs recorded before 2026-12-07).",
    parse: p.currencyExponents,
  }),
  maxAmount: defineVar({
    name: 'ACCTNET_MAX_AMOUNT',
    default: '1000000000',
    expected: 'a number of major units 1..1e13',
    doc: 'Amounts above this (in major units of their currency) are rejected as absurd.',
    parse: p.number(1, 1e13),
  }),
  maxIdLength: defineVar({
    name: 'ACCTNET_MAX_ID_LENGTH',
    default: '128',
    expected: 'an integer 8..1024',
    doc: 'Longest accepted account id or tx_id.',
    parse: p.int(8, 1024),
  }),
  minTimestamp: defineVar({
    name: 'ACCTNET_MIN_TIMESTAMP',
    default: '1990-01-01T00:00:00Z',
    expected: 'an ISO 8601 date (without a zone: UTC)',
    doc: 'Earliest plausible transfer time; earlier ones are rejected (it also catches epoch seconds sent as milliseconds). ISO 8601; without a zone it is UTC, as in ingest.',
    parse: p.isoDate,
  }),
  maxTimestamp: defineVar({
    name: 'ACCTNET_MAX_TIMESTAMP',
    default: '2100-01-01T00:00:00Z',
    expected: 'an ISO 8601 date (without a zone: UTC)',
    doc: 'Latest plausible transfer time. ISO 8601; without a zone it is UTC, as in ingest.',
    parse: p.isoDate,
  }),
  maxFutureHours: defineVar({
    name: 'ACCTNET_MAX_FUTURE_HOURS',
    default: '24',
    expected: 'off or an integer 0..8760',
    doc: "A transfer dated more than this many hours after the clock of the process that validates it (the ingest worker, `acctnet import --bulk`) is rejected as dated in the future (a wrong year or time zone): a run analyses up to the latest transfer, so one such row would move every run's window past the real data (and retention's cut-off with it). Runs also leave out, with a warning, transfers stored before this check that are dated past it. off: no such check (data dated ahead of this machine's clock).",
    parse: (raw: string) => (raw.trim().toLowerCase() === 'off' ? null : p.int(0, 8760)(raw)),
  }),
  ingestMaxBacklogJobs: defineVar({
    name: 'ACCTNET_INGEST_MAX_BACKLOG_JOBS',
    default: '100',
    expected: 'an integer 1..100000',
    doc: 'Back-pressure for POST /v1/transactions: when the ingest queue holds this many jobs that are not finished (waiting, delayed or running, from any producer), a request that would add more is answered 429 with Retry-After and nothing is queued. One job is at most ACCTNET_INGEST_BATCH_SIZE rows (about 0.3 KB of Redis memory per row), so the default bounds the backlog near 500,000 rows.',
    parse: p.int(1, 100000),
  }),
  httpMaxRows: defineVar({
    name: 'ACCTNET_HTTP_MAX_ROWS',
    default: '10000',
    expected: 'an integer 1..100000',
    doc: 'Most transactions accepted by one POST /v1/transactions; a longer array is answered 400 naming this limit, and nothing is queued. A request must also need at most ACCTNET_INGEST_MAX_BACKLOG_JOBS jobs of ACCTNET_INGEST_BATCH_SIZE rows (500,000 rows at the defaults, so this limit applies first unless those are lowered); one that needs more is answered 413 with the most rows a request may hold.',
    parse: p.int(1, 100000),
  }),

  // --- Analysis ----------------------------------------------------------------------------------
  recomputeCron: defineVar({
    name: 'ACCTNET_RECOMPUTE_CRON',
    default: '0 2 * * *',
    expected: 'a cron pattern (5 or 6 fields) or "off"',
    doc: 'When the scheduled recompute runs (BullMQ job scheduler, upserted when a worker starts: changing it replaces the schedule). "off" removes it.',
    parse: (raw: string) => (raw.trim().toLowerCase() === 'off' ? null : p.cron(raw)),
  }),
  recomputeTz: defineVar({
    name: 'ACCTNET_RECOMPUTE_TZ',
    default: 'UTC',
    expected: 'an IANA time zone',
    doc: 'Time zone of ACCTNET_RECOMPUTE_CRON.',
    parse: p.timeZone,
  }),
  windowDays: defineVar({
    name: 'ACCTNET_WINDOW_DAYS',
    default: '180',
    expected: 'an integer 7..3650',
    doc: 'Days of transfers, ending at asOf, that the analysis loads.',
    parse: p.int(7, 3650),
  }),
  bucketDays: defineVar({
    name: 'ACCTNET_BUCKET_DAYS',
    default: '7',
    expected: 'an integer 1..90',
    doc: "Width of the activity buckets (timelines, rise and fall detection in runs and the successor watch's surge test).",
    parse: p.int(1, 90),
  }),
  holdHours: defineVar({
    name: 'ACCTNET_HOLD_HOURS',
    default: '48',
    expected: 'hours 1..720',
    doc: 'Money sent on within this long after it arrived counts as passed through (mule behaviour).',
    parse: p.int(1, 720),
  }),
  analysisSeed: defineVar({
    name: 'ACCTNET_ANALYSIS_SEED',
    default: '1',
    expected: 'an integer 0..2147483647',
    doc: "Seed of the analysis: Louvain's random order and the learned model (its sample of unlabelled accounts, its folds, its trees). Same data and seed, same clusters and scores.",
    parse: p.int(0, 2 ** 31 - 1),
  }),
  louvainResolution: defineVar({
    name: 'ACCTNET_LOUVAIN_RESOLUTION',
    default: '1',
    expected: 'a number 0.05..20',
    doc: 'Louvain resolution (higher: smaller clusters).',
    parse: p.number(0.05, 20),
  }),
  maxClusterSize: defineVar({
    name: 'ACCTNET_MAX_CLUSTER_SIZE',
    default: '50',
    expected: 'an integer 5..100000',
    doc: 'Communities larger than this are split (Louvain on the community at a higher resolution) so a listed cluster stays tight.',
    parse: p.int(5, 100000),
  }),
  hubMinDegree: defineVar({
    name: 'ACCTNET_HUB_MIN_DEGREE',
    default: '100',
    expected: 'an integer 10..1000000',
    doc: 'An account with at least this many distinct counterparties (and 20× the median) is a hub: left out of clustering.',
    parse: p.int(10, 1000000),
  }),
  threshold: defineVar({
    name: 'ACCTNET_BLACKLIST_THRESHOLD',
    default: '0.45',
    expected: 'a number 0.01..1',
    doc: "Accounts with a risk score at or above this are blacklisted. Read by the workers' runs, which record it: every later version built from a run's list (an override, an approval, a pin, a rollback, a successor the watch lists or an investigator confirms) uses the threshold of that run, and so do the watch's own check before it lists a successor and the reason the API gives for one not listed.",
    parse: p.number(0.01, 1),
  }),
  overrideDualControl: defineVar({
    name: 'ACCTNET_OVERRIDE_DUAL_CONTROL',
    default: 'off',
    expected: 'off or exclude',
    doc: 'Dual control for taking accounts off the list. off: an investigator\'s exclude override (or the removal of an include override) is published at once. exclude: it is stored as a request (202, "pending confirmation") and takes effect only when a second person — another investigator or an admin, never the requester — confirms it (POST /v1/blacklist/overrides/pending/:id/confirm or `acctnet blacklist confirm`). Includes are published at once either way.',
    parse: p.oneOf(['off', 'exclude'] as const),
  }),
  learned: defineVar({
    name: 'ACCTNET_LEARNED',
    default: 'on',
    expected: 'off, shadow or on',
    doc: "The learned risk model: on = the served score is the learned model's calibrated probability (trained on the labels every run); shadow = computed and shown (model card, learned score, the list it would serve) without changing the served list; off = switched off (the rules alone).",
    parse: p.oneOf(['off', 'shadow', 'on'] as const),
  }),
  learnedMinFraudLabels: defineVar({
    name: 'ACCTNET_LEARNED_MIN_FRAUD_LABELS',
    default: '20',
    expected: 'an integer 2..1000000',
    doc: "With fewer fraud labels than this a run uses the learned model only when it ranks the labels it did not see better than the rules (out-of-fold ROC-AUC above the rules' on the same labels, both on the model card), and never with fewer fraud labels than the model's 5 folds; otherwise it leaves the learned model out (the run record says so) and scores with the rules.",
    parse: p.int(2, 1000000),
  }),
  modelOnlyThreshold: defineVar({
    name: 'ACCTNET_MODEL_ONLY_THRESHOLD',
    default: '1.01',
    expected: 'a number 0.01..1.01',
    doc: 'An account whose only evidence is the learned or anomaly score is listed only at or above this score; between ACCTNET_BLACKLIST_THRESHOLD and this it goes to the review list. 1.01 (default): never listed on the model alone (an account a run listed before with evidence may stay listed after losing it: ACCTNET_LIST_RELEASE_MARGIN).',
    parse: p.number(0.01, 1.01),
  }),
  reviewMinTransfers: defineVar({
    name: 'ACCTNET_REVIEW_MIN_TRANSFERS',
    default: '3',
    expected: 'an integer 0..1000000',
    doc: 'The model alone (the learned or anomaly score, no other evidence) puts an account on the review list — or on the list at ACCTNET_MODEL_ONLY_THRESHOLD — only when it made at least this many transfers in the window. With one or two transfers the model has next to nothing to judge by: its score for such accounts swings from night to night and they were almost never fraud (docs/decisions.md). Their score is kept and shown (GET /v1/accounts/:id); evidence of any other kind still lists them. 0: no bar.',
    parse: p.int(0, 1000000),
  }),
  listReleaseMargin: defineVar({
    name: 'ACCTNET_LIST_RELEASE_MARGIN',
    default: '0.05',
    expected: 'off or a number 0..1',
    doc: "Hysteresis of the list. An account a run listed stays on the list (reason STILL_LISTED) while its score stays at or above ACCTNET_BLACKLIST_THRESHOLD minus this margin, even when its evidence changed; a legit label, an exclude override or a score below that releases it. A provisional successor already on the list stays while its list score is at or above the same release score. Must be below the threshold. off: every run's list is built from that run's scores alone. Recorded by each run, like the threshold: versions the API publishes use the release score of the run their list comes from.",
    parse: (raw: string) => (raw.trim().toLowerCase() === 'off' ? null : p.number(0, 1)(raw)),
  }),
  scoreChurnStep: defineVar({
    name: 'ACCTNET_SCORE_CHURN_STEP',
    default: '0.05',
    expected: 'a number 0..1 (0: every score change is a change)',
    doc: 'A listed account whose score moved by less than this, with the same cluster and evidence (reason codes and the accounts they name; their figures may move), keeps the entry the gateways already have: it is not a changed entry in diffs and webhooks.',
    parse: p.number(0, 1),
  }),
  migrationMinScore: defineVar({
    name: 'ACCTNET_MIGRATION_MIN_SCORE',
    default: '0.45',
    expected: 'a number 0..1',
    doc: 'Migration links below this score are not reported.',
    parse: p.number(0, 1),
  }),
  watch: defineVar({
    name: 'ACCTNET_WATCH',
    default: 'on',
    expected: 'on or off',
    doc: 'The successor watch: after each ingest job, transfers that touch a listed or fraud-labelled account or its former counterparties are scored as evidence of a successor account, without waiting for the next run (docs/analysis.md, "Successor watch"). off: successors are found by runs only.',
    parse: p.bool,
  }),
  watchMinScore: defineVar({
    name: 'ACCTNET_WATCH_MIN_SCORE',
    default: '0.75',
    expected: 'a number 0..1',
    doc: 'A successor seen at ingest becomes a provisional migration when its link score (the same scorer as runs) reaches this; a link with at least two counterparties taken over from the predecessor needs only ACCTNET_WATCH_TAKEOVER_MIN_SCORE.',
    parse: p.number(0, 1),
  }),
  watchTakeoverMinScore: defineVar({
    name: 'ACCTNET_WATCH_TAKEOVER_MIN_SCORE',
    default: '0.45',
    expected: 'a number 0..1',
    doc: "The bar for a successor that has taken over at least two of the predecessor's former counterparties (they stopped dealing with A and now deal with S): the runs' ACCTNET_MIGRATION_MIN_SCORE default, since the next run links such a pair at that score anyway. Links on less evidence (money from A, one counterparty) need ACCTNET_WATCH_MIN_SCORE. Never above ACCTNET_WATCH_MIN_SCORE (the lower of the two applies).",
    parse: p.number(0, 1),
  }),
  watchAutoList: defineVar({
    name: 'ACCTNET_WATCH_AUTO_LIST',
    default: 'on',
    expected: 'on or off',
    doc: "on: the provisional successor of a listed account is added to the served list at once as a new version (reason MIGRATED_FROM:<A>:<score> with PROVISIONAL, score = A's score × link score). off: it waits for an investigator's confirm. A successor of an account that is not listed is never auto-listed.",
    parse: p.bool,
  }),
  watchMaxAutoListPerHour: defineVar({
    name: 'ACCTNET_WATCH_MAX_AUTO_LIST_PER_HOUR',
    default: '20',
    expected: 'an integer 0..100000',
    doc: "Circuit breaker: at most this many successors auto-listed in any rolling hour; beyond it they wait for review (0: never auto-list). This, not the publish guard, bounds the watch's versions.",
    parse: p.int(0, 100000),
  }),
  watchChainDepth: defineVar({
    name: 'ACCTNET_WATCH_CHAIN_DEPTH',
    default: '3',
    expected: 'an integer 1..10',
    doc: 'Chains A → S1 → S2 … are followed this many links deep: a provisional successor is itself watched up to this depth. Read by the workers (the watch) and by every process that publishes a version (the API for overrides, approvals, pins, rollbacks and confirmed successors; admin CLI commands), which keep provisional successors down to this depth: set it on all of them.',
    parse: p.int(1, 10),
  }),
  watchExpireHours: defineVar({
    name: 'ACCTNET_WATCH_EXPIRE_HOURS',
    default: '48',
    expected: 'an integer 1..8760',
    doc: "A provisional migration that no run confirmed this many hours after it was detected expires at the next run (audited); a listed successor leaves the list with that run's version. A link an investigator confirmed never expires.",
    parse: p.int(1, 8760),
  }),
  watchMaxCounterparties: defineVar({
    name: 'ACCTNET_WATCH_MAX_COUNTERPARTIES',
    default: '200',
    expected: 'an integer 1..100000',
    doc: "Bounds the watch set's memory: at most this many former counterparties (the most recent) are watched per listed account (about 60 bytes each in Redis).",
    parse: p.int(1, 100000),
  }),
  watchYoungDays: defineVar({
    name: 'ACCTNET_WATCH_YOUNG_DAYS',
    default: '14',
    expected: 'an integer 1..365',
    doc: 'A successor candidate is young when its first transfer is at most this many days before the latest transfer of the ingest job being evaluated (older accounts need a surge, as in runs: ≥ 3 transfers per activity bucket over the last 4 buckets of ACCTNET_BUCKET_DAYS — 12 in the last 4 weeks by default — at 5× their earlier rate per bucket).',
    parse: p.int(1, 365),
  }),
  guardMaxSizeChange: defineVar({
    name: 'ACCTNET_GUARD_MAX_SIZE_CHANGE',
    default: '0.2',
    expected: 'a share 0..10',
    doc: "A run's new blacklist version whose size differs from the served one by more than this share is held for approval (versions of the successor watch are bounded by ACCTNET_WATCH_MAX_AUTO_LIST_PER_HOUR; an override, approval or rollback is a person's act — an investigator's or an admin's).",
    parse: p.number(0, 10),
  }),
  guardMaxChurn: defineVar({
    name: 'ACCTNET_GUARD_MAX_CHURN',
    default: '0.2',
    expected: 'a share 0..10',
    doc: "A run's new version that adds plus removes more than this share of the served list is held for approval.",
    parse: p.number(0, 10),
  }),
  guardMinSize: defineVar({
    name: 'ACCTNET_GUARD_MIN_SIZE',
    default: '20',
    expected: 'an integer 0..1000000',
    doc: "The guard (a run's versions) applies once the served list has at least this many entries.",
    parse: p.int(0, 1000000),
  }),
  analysisHeapMb: defineVar({
    name: 'ACCTNET_ANALYSIS_HEAP_MB',
    default: '4096',
    expected: 'MiB 256..131072',
    doc: "Heap of each of the analysis's two threads (maxOldGenerationSizeMb): the analysis thread, and the thread that holds the account graph for PageRank. 10M transfers need about 6 GiB.",
    parse: p.int(256, 131072),
  }),
  baseCurrency: defineVar({
    name: 'ACCTNET_BASE_CURRENCY',
    expected: 'an ISO 4217 currency code or a code named in ACCTNET_CURRENCY_EXPONENTS',
    doc: "Currency the analysis sums amounts in. Unset: ACCTNET_DEFAULT_CURRENCY. Recorded by each run: the API shows a run's amounts in the run's base currency.",
    parse: p.currencyCode,
  }),
  fxRates: defineVar({
    name: 'ACCTNET_FX_RATES',
    default: '',
    expected: 'CODE=rate pairs, e.g. EUR=1.08,GBP=1.27 (units of the base currency per unit)',
    doc: "Conversion rates into the base currency. Transfers in a currency without a rate are left out of the analysis and counted in the run's warnings. Recorded by each run: the API converts the amounts it shows beside a run's results (counterparties, edges, money paths, explanations, case exports) with the run's rates, not its own (its own before the first run, and for runs recorded before 2026-12-07 when their base currency is the API's).",
    parse: p.rates,
  }),
  keepRuns: defineVar({
    name: 'ACCTNET_KEEP_RUNS',
    default: '5',
    expected: 'an integer 2..1000',
    doc: "Per-run analysis results kept, counting the run in progress: older runs' results are deleted while the next run analyses (older runs keep their record, not their per-account results).",
    parse: p.int(2, 1000),
  }),

  retainTransfersDays: defineVar({
    name: 'ACCTNET_RETAIN_TRANSFERS_DAYS',
    default: '0',
    expected: 'days 0..36500 (0: keep everything)',
    doc: "After each successful run, delete transfers older than this many days before the run's asOf (not those of labelled, overridden or listed accounts: legal hold), and ingest batches, run records and webhook deliveries older than that. Accounts stay. 0 or at least ACCTNET_WINDOW_DAYS. What was deleted is recorded on the run (docs/operations.md, Retention).",
    parse: p.int(0, 36500),
  }),
  incremental: defineVar({
    name: 'ACCTNET_INCREMENTAL',
    default: 'on',
    expected: 'on or off',
    doc: "on: a run starts from the previous run's snapshot of the window's transfers (ACCTNET_SNAPSHOT_DIR) and reads from Neo4j only what ingest wrote since; the results are identical to a full load's (docs/analysis.md, Incremental runs). Falls back to a full load, and says why, when the snapshot is missing or cannot be trusted. off: every run reads the whole window.",
    parse: p.bool,
  }),
  snapshotDir: defineVar({
    name: 'ACCTNET_SNAPSHOT_DIR',
    default: '.acctnet/snapshots',
    expected: 'a directory path',
    doc: "Where the analysis host keeps the snapshot of the window's transfers that incremental runs start from (relative to the project root; one file per store, about 32 bytes per transfer in the window).",
    parse: p.nonEmpty,
  }),
  fullLoadEveryDays: defineVar({
    name: 'ACCTNET_FULL_LOAD_EVERY_DAYS',
    default: '7',
    expected: 'days 1..3650',
    doc: 'With ACCTNET_INCREMENTAL=on, the first run after this many days (wall clock) since the last full load reads the whole window again (a guard under the incremental runs). `acctnet recompute --full` forces one.',
    parse: p.int(1, 3650),
  }),
  retainVersions: defineVar({
    name: 'ACCTNET_RETAIN_VERSIONS',
    default: '0',
    expected: 'an integer 0..1000000 (0: keep every version)',
    doc: 'After each successful run, keep only the newest this many blacklist versions (never the served or pinned one, nor one a webhook has not acknowledged past).',
    parse: p.int(0, 1000000),
  }),

  // --- Webhooks and API --------------------------------------------------------------------------
  webhookAttempts: defineVar({
    name: 'ACCTNET_WEBHOOK_ATTEMPTS',
    default: '10',
    expected: 'an integer 1..50',
    doc: 'Delivery attempts per webhook and version before it lands in the failed set (the receiver then catches up with ?since=). Fixed on each delivery when a version is published, by whichever process publishes (API for overrides, approvals, pins and rollbacks; workers for runs and the successor watch; admin CLI commands): set it on all of them.',
    parse: p.int(1, 50),
  }),
  webhookBackoffMs: defineVar({
    name: 'ACCTNET_WEBHOOK_BACKOFF_MS',
    default: '2000',
    expected: 'milliseconds 10..3600000',
    doc: 'First retry delay of a failed webhook delivery; doubles on every attempt. Set where ACCTNET_WEBHOOK_ATTEMPTS is.',
    parse: p.int(10, 3600000),
  }),
  webhookConcurrency: defineVar({
    name: 'ACCTNET_WEBHOOK_CONCURRENCY',
    default: '16',
    expected: 'an integer 1..256',
    doc: 'Deliveries a worker process makes at once, to different webhooks (one webhook is never delivered to twice at once). A receiver that does not answer holds its slot for ACCTNET_WEBHOOK_TIMEOUT_MS: keep this above the number of receivers that may be down together, or healthy ones wait behind them.',
    parse: p.int(1, 256),
  }),
  webhookTimeoutMs: defineVar({
    name: 'ACCTNET_WEBHOOK_TIMEOUT_MS',
    default: '10000',
    expected: 'milliseconds 100..120000',
    doc: 'How long a webhook receiver has to answer.',
    parse: p.int(100, 120000),
  }),
  webhookAllowTargets: defineVar({
    name: 'ACCTNET_WEBHOOK_ALLOW_TARGETS',
    default: '',
    expected: 'comma-separated IP addresses or CIDRs, e.g. 127.0.0.1,10.1.2.0/24,::1',
    doc: 'Webhook receivers may not be private, loopback, link-local or otherwise internal addresses (checked at registration and on every delivery, on the address actually connected to), except the addresses or ranges listed here: a receiver on your own network, or a local receiver in development and tests.',
    parse: p.cidrList,
  }),
  webhookMaxDiff: defineVar({
    name: 'ACCTNET_WEBHOOK_MAX_DIFF',
    default: '10000',
    expected: 'an integer 1..1000000',
    doc: 'A diff with more added + removed entries than this is sent as a pull link (GET /v1/blacklist?since=) instead.',
    parse: p.int(1, 1000000),
  }),
  publicUrl: defineVar({
    name: 'ACCTNET_PUBLIC_URL',
    default: 'http://127.0.0.1:3000',
    expected: 'an http(s) URL',
    doc: 'Base URL gateways reach the API at; used in pull links sent to webhooks. Read by the workers that deliver webhooks (not by the API): set it there.',
    parse: p.url(['http', 'https']),
  }),
  rateLimit: defineVar({
    name: 'ACCTNET_RATE_LIMIT_PER_MINUTE',
    default: '1200',
    expected: 'an integer 1..1000000',
    doc: "Requests per minute per API key (per address without one). A gateway's conditional poll of GET /v1/blacklist that is answered 304 (its If-None-Match names the served version) is not counted.",
    parse: p.int(1, 1000000),
  }),
  apiStateTtlMs: defineVar({
    name: 'ACCTNET_API_STATE_TTL_MS',
    default: '1000',
    expected: 'milliseconds 0..60000 (0: read it on every request)',
    doc: "How long an API process reuses its reading of which run and which blacklist version are served. Its own publications (overrides, approve, pin, rollback) refresh it at once; another process's within this time.",
    parse: p.int(0, 60000),
  }),
  apiCacheEntries: defineVar({
    name: 'ACCTNET_API_CACHE_ENTRIES',
    default: '20000',
    expected: 'an integer 0..10000000 (0: no cache)',
    doc: "Entries of the API's cache of per-run results (cluster pages, account figures); they never change once a run is served, so the cache holds them until it is full.",
    parse: p.int(0, 10000000),
  }),
  apiCacheResultBytes: defineVar({
    name: 'ACCTNET_API_CACHE_RESULT_BYTES',
    default: '134217728',
    expected: 'bytes 0..17179869184 (0: no result cache)',
    doc: "Memory for the API's cache of per-run results (the entries counted by ACCTNET_API_CACHE_ENTRIES), estimated per entry from its JSON size; the least recently used go first when either bound is reached. A result larger than a quarter of this is not cached.",
    parse: p.int(0, 17179869184),
  }),
  apiCacheBytes: defineVar({
    name: 'ACCTNET_API_CACHE_BYTES',
    default: '67108864',
    expected: 'bytes 0..17179869184 (0: no body cache)',
    doc: 'Memory for serialized cluster and neighbourhood responses and blacklist diffs (?since=) (keyed by run, version and labels state); the least recently used go first.',
    parse: p.int(0, 17179869184),
  }),
  authFailuresPerMinute: defineVar({
    name: 'ACCTNET_AUTH_FAILURES_PER_MINUTE',
    default: '60',
    expected: 'an integer 1..1000000',
    doc: 'Requests without a valid API key (none, unknown, revoked or expired) accepted per client address and minute; beyond it the address gets 429 with Retry-After, without a key lookup, until the minute is over (a key this process already knows still works). Unknown keys are also remembered for a minute, so repeating one costs no database lookup.',
    parse: p.int(1, 1000000),
  }),
  trustProxy: defineVar({
    name: 'ACCTNET_TRUST_PROXY',
    default: 'false',
    expected: 'false, true, a number of proxy hops, or a comma-separated list of proxy addresses / CIDRs',
    doc: "Which X-Forwarded-For entries fastify believes (its trustProxy). false: the client address is the TCP peer — right when clients connect directly; behind a load balancer every client would then share its address (one rate-limit bucket). Set the balancer's addresses (e.g. 10.0.0.0/8) or the number of proxies in front; true trusts any X-Forwarded-For, which a client can forge: only when the API is reachable through the proxy alone.",
    parse: p.trustProxy,
  }),
  recomputeRateLimit: defineVar({
    name: 'ACCTNET_RECOMPUTE_RATE_LIMIT_PER_MINUTE',
    default: '6',
    expected: 'an integer 1..1000',
    doc: 'POST /v1/recomputations per minute per API key (requests are coalesced anyway).',
    parse: p.int(1, 1000),
  }),

  // --- HTTP --------------------------------------------------------------------------------------
  host: defineVar({
    name: 'HOST',
    default: '127.0.0.1',
    expected: 'an interface address',
    doc: 'Address the API listens on.',
    parse: p.nonEmpty,
  }),
  port: defineVar({
    name: 'PORT',
    default: '3000',
    expected: 'a TCP port 0..65535',
    doc: 'Port the API listens on.',
    parse: p.int(0, 65535),
  }),
  bodyLimitBytes: defineVar({
    name: 'ACCTNET_BODY_LIMIT_BYTES',
    default: '5242880',
    expected: 'bytes 1024..104857600',
    doc: 'Largest request body any route accepts: POST /v1/transactions and the queue dashboard (admin only) up to this; account look-ups up to 1 MB; every other route up to 16 KB (never more than this).',
    parse: p.int(1024, 104857600),
  }),
  logLevel: defineVar({
    name: 'LOG_LEVEL',
    default: 'info',
    expected: 'one of fatal, error, warn, info, debug, trace, silent',
    doc: 'pino log level of `acctnet serve` and `acctnet worker`. Other CLI commands log to stderr at warn unless LOG_LEVEL is set (stdout stays for their results).',
    parse: p.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  }),
} satisfies Record<string, VarSpec<unknown>>;

export interface Neo4jConfig {
  uri: string;
  /** True when NEO4J_URI is unset and acctnet manages a local server. */
  managed: boolean;
  user: string;
  password: string;
  database: string | undefined;
  maxRetryTimeMs: number;
}

export interface LocalNeo4jConfig {
  home: string;
  instance: string;
  boltPort: number;
  heap: string;
  pagecache: string;
  version: string;
  javaHome: string | undefined;
  startTimeoutMs: number;
}

export interface Config {
  projectRoot: string;
  neo4j: Neo4jConfig;
  localNeo4j: LocalNeo4jConfig;
  redis: { url: string };
  queue: { prefix: string; lockDurationMs: number; stalledIntervalMs: number; attempts: number; backoffMs: number };
  ingest: {
    workerConcurrency: number;
    batchSize: number;
    maxPending: number;
    /** `import` stops when Redis stays unreachable this long (ACCTNET_IMPORT_REDIS_WAIT_MS). */
    redisWaitMs: number;
    defaultCurrency: string;
    /** Decimal places of non-ISO currency codes (ACCTNET_CURRENCY_EXPONENTS). */
    currencyExponents: Record<string, number>;
    maxAmount: number;
    maxIdLength: number;
    maxBacklogJobs: number;
    minTimestamp: number;
    maxTimestamp: number;
    /** null: off. */
    maxFutureHours: number | null;
    httpMaxRows: number;
  };
  analysis: {
    cron: string | null;
    tz: string;
    windowDays: number;
    bucketDays: number;
    holdHours: number;
    seed: number;
    resolution: number;
    maxClusterSize: number;
    hubMinDegree: number;
    threshold: number;
    learned: 'off' | 'shadow' | 'on';
    learnedMinFraudLabels: number;
    modelOnlyThreshold: number;
    reviewMinTransfers: number;
    /** null: off (no hysteresis). */
    listReleaseMargin: number | null;
    scoreChurnStep: number;
    migrationMinScore: number;
    guard: { maxSizeChange: number; maxChurn: number; minServedSize: number };
    heapMb: number;
    baseCurrency: string;
    fxRates: Record<string, number>;
    keepRuns: number;
    retainTransfersDays: number;
    retainVersions: number;
    incremental: boolean;
    /** Absolute path. */
    snapshotDir: string;
    fullLoadEveryDays: number;
  };
  /** Who may take an account off the list alone (ACCTNET_OVERRIDE_DUAL_CONTROL). */
  overrides: { dualControl: 'off' | 'exclude' };
  webhooks: { attempts: number; backoffMs: number; concurrency: number; timeoutMs: number; maxDiff: number; allowTargets: string[] };
  watch: {
    enabled: boolean;
    minScore: number;
    /** The bar for links with ≥ 2 counterparties taken over (at most minScore). */
    takeoverMinScore: number;
    autoList: boolean;
    maxAutoListPerHour: number;
    chainDepth: number;
    expireHours: number;
    maxCounterparties: number;
    youngDays: number;
  };
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    publicUrl: string;
    rateLimitPerMinute: number;
    recomputeRateLimitPerMinute: number;
    stateTtlMs: number;
    cacheEntries: number;
    cacheResultBytes: number;
    cacheBytes: number;
    authFailuresPerMinute: number;
    trustProxy: boolean | number | string[];
  };
  log: { level: string };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const v = <T>(spec: VarSpec<T>): T => read(env, spec, problems);
  const root = projectRoot();

  // Read once: two settings depend on it, and a bad value is one problem, reported once.
  const watchMinScore = v(VARS.watchMinScore);
  const explicitUri = v(VARS.neo4jUri);
  const boltPort = v(VARS.neo4jBoltPort);
  let password = v(VARS.neo4jPassword);
  if (explicitUri && password === undefined && !problems.some((x) => x.startsWith('NEO4J_PASSWORD'))) {
    problems.push('NEO4J_PASSWORD: required when NEO4J_URI is set (acctnet only defaults it for its own local Neo4j)');
  }
  password ??= LOCAL_DEFAULT_PASSWORD;
  // The managed local Neo4j has only its built-in user: another one could only fail to log in, with
  // an error about the password.
  const neo4jUser = v(VARS.neo4jUser);
  if (
    !explicitUri &&
    neo4jUser !== undefined &&
    neo4jUser !== 'neo4j' &&
    !problems.some((x) => x.startsWith('NEO4J_URI') || x.startsWith('NEO4J_USER'))
  )
    problems.push(
      `NEO4J_USER: "${neo4jUser}" applies only with NEO4J_URI (your own Neo4j); the managed local Neo4j has only its built-in user neo4j: unset NEO4J_USER or set NEO4J_URI`,
    );

  const neo4jHome = v(VARS.neo4jHome);
  const defaultCurrency = v(VARS.defaultCurrency);
  const currencyExponents = v(VARS.currencyExponents) ?? {};
  const config: Config = {
    projectRoot: root,
    neo4j: {
      uri: explicitUri ?? `bolt://127.0.0.1:${boltPort}`,
      managed: !explicitUri,
      user: neo4jUser,
      password,
      database: v(VARS.neo4jDatabase),
      maxRetryTimeMs: v(VARS.neo4jMaxRetryTimeMs),
    },
    localNeo4j: {
      home: neo4jHome === undefined ? '' : path.resolve(root, neo4jHome),
      instance: v(VARS.neo4jInstance),
      boltPort,
      heap: v(VARS.neo4jHeap),
      pagecache: v(VARS.neo4jPagecache),
      version: v(VARS.neo4jVersion),
      javaHome: v(VARS.javaHome),
      startTimeoutMs: v(VARS.neo4jStartTimeoutMs),
    },
    redis: { url: v(VARS.redisUrl) },
    queue: {
      prefix: v(VARS.queuePrefix),
      lockDurationMs: v(VARS.lockDurationMs),
      stalledIntervalMs: v(VARS.stalledIntervalMs),
      attempts: v(VARS.jobAttempts),
      backoffMs: v(VARS.jobBackoffMs),
    },
    ingest: {
      workerConcurrency: v(VARS.workerConcurrency),
      batchSize: v(VARS.ingestBatchSize),
      maxPending: v(VARS.ingestMaxPending),
      redisWaitMs: v(VARS.importRedisWaitMs),
      defaultCurrency,
      currencyExponents,
      maxAmount: v(VARS.maxAmount),
      maxIdLength: v(VARS.maxIdLength),
      maxBacklogJobs: v(VARS.ingestMaxBacklogJobs),
      minTimestamp: v(VARS.minTimestamp),
      maxTimestamp: v(VARS.maxTimestamp),
      maxFutureHours: v(VARS.maxFutureHours),
      httpMaxRows: v(VARS.httpMaxRows),
    },
    analysis: {
      cron: v(VARS.recomputeCron),
      tz: v(VARS.recomputeTz),
      windowDays: v(VARS.windowDays),
      bucketDays: v(VARS.bucketDays),
      holdHours: v(VARS.holdHours),
      seed: v(VARS.analysisSeed),
      resolution: v(VARS.louvainResolution),
      maxClusterSize: v(VARS.maxClusterSize),
      hubMinDegree: v(VARS.hubMinDegree),
      threshold: v(VARS.threshold),
      learned: v(VARS.learned),
      learnedMinFraudLabels: v(VARS.learnedMinFraudLabels),
      modelOnlyThreshold: v(VARS.modelOnlyThreshold),
      reviewMinTransfers: v(VARS.reviewMinTransfers),
      listReleaseMargin: v(VARS.listReleaseMargin),
      scoreChurnStep: v(VARS.scoreChurnStep),
      migrationMinScore: v(VARS.migrationMinScore),
      guard: { maxSizeChange: v(VARS.guardMaxSizeChange), maxChurn: v(VARS.guardMaxChurn), minServedSize: v(VARS.guardMinSize) },
      heapMb: v(VARS.analysisHeapMb),
      baseCurrency: v(VARS.baseCurrency) ?? defaultCurrency,
      fxRates: v(VARS.fxRates) ?? {},
      keepRuns: v(VARS.keepRuns),
      retainTransfersDays: v(VARS.retainTransfersDays),
      retainVersions: v(VARS.retainVersions),
      incremental: v(VARS.incremental),
      snapshotDir: path.resolve(root, v(VARS.snapshotDir)),
      fullLoadEveryDays: v(VARS.fullLoadEveryDays),
    },
    overrides: { dualControl: v(VARS.overrideDualControl) },
    webhooks: {
      attempts: v(VARS.webhookAttempts),
      backoffMs: v(VARS.webhookBackoffMs),
      concurrency: v(VARS.webhookConcurrency),
      timeoutMs: v(VARS.webhookTimeoutMs),
      maxDiff: v(VARS.webhookMaxDiff),
      allowTargets: v(VARS.webhookAllowTargets) ?? [],
    },
    watch: {
      enabled: v(VARS.watch),
      minScore: watchMinScore,
      takeoverMinScore: Math.min(v(VARS.watchTakeoverMinScore), watchMinScore),
      autoList: v(VARS.watchAutoList),
      maxAutoListPerHour: v(VARS.watchMaxAutoListPerHour),
      chainDepth: v(VARS.watchChainDepth),
      expireHours: v(VARS.watchExpireHours),
      maxCounterparties: v(VARS.watchMaxCounterparties),
      youngDays: v(VARS.watchYoungDays),
    },
    http: {
      host: v(VARS.host),
      port: v(VARS.port),
      bodyLimitBytes: v(VARS.bodyLimitBytes),
      publicUrl: v(VARS.publicUrl),
      rateLimitPerMinute: v(VARS.rateLimit),
      stateTtlMs: v(VARS.apiStateTtlMs),
      cacheEntries: v(VARS.apiCacheEntries),
      cacheResultBytes: v(VARS.apiCacheResultBytes),
      authFailuresPerMinute: v(VARS.authFailuresPerMinute),
      trustProxy: v(VARS.trustProxy),
      cacheBytes: v(VARS.apiCacheBytes),
      recomputeRateLimitPerMinute: v(VARS.recomputeRateLimit),
    },
    log: { level: v(VARS.logLevel) },
  };
  for (const [name, code] of [
    [VARS.defaultCurrency.name, defaultCurrency],
    [VARS.baseCurrency.name, config.analysis.baseCurrency === defaultCurrency ? undefined : config.analysis.baseCurrency],
  ] as const) {
    if (code !== undefined && !ISO_CURRENCY_EXPONENTS.has(code) && !(code in currencyExponents)) {
      problems.push(
        `${name}=${JSON.stringify(code)}: expected an ISO 4217 currency code or a code named in ACCTNET_CURRENCY_EXPONENTS (to use it, add e.g. ${code}:2 there)`,
      );
    }
  }
  if (config.ingest.minTimestamp >= config.ingest.maxTimestamp) {
    problems.push('ACCTNET_MIN_TIMESTAMP must be before ACCTNET_MAX_TIMESTAMP');
  }
  const { retainTransfersDays, windowDays } = config.analysis;
  if (retainTransfersDays > 0 && retainTransfersDays < windowDays) {
    problems.push(
      `ACCTNET_RETAIN_TRANSFERS_DAYS (${retainTransfersDays}) is shorter than ACCTNET_WINDOW_DAYS (${windowDays}): retention would delete transfers the next run analyses; set it to 0 (keep everything) or at least ${windowDays}`,
    );
  }
  const { listReleaseMargin, threshold } = config.analysis;
  if (listReleaseMargin !== null && listReleaseMargin >= threshold) {
    problems.push(
      `ACCTNET_LIST_RELEASE_MARGIN (${listReleaseMargin}) is not below ACCTNET_BLACKLIST_THRESHOLD (${threshold}): a listed account would never leave the list by its score; use a margin below the threshold, or off`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Markdown table of every variable, for docs/configuration.md (kept in sync by a test). */
/** `ACCTNET_*` variables read outside this module: the CLI's debug switch and the dev tools' own (tests, benchmarks, evaluation). */
const OTHER_READERS = /^ACCTNET_(DEBUG|CHROMIUM|TEST_|KEEP_TEST_|BENCH_|EVAL_)/;

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * `ACCTNET_*` variables in `env` that acctnet does not read — a misspelt setting is otherwise
 * silently ignored (ACCTNET_BLACKLIST_TRESHOLD left the threshold at its default) — each with the
 * nearest setting's name when one is close.
 */
export function unknownSettings(env: NodeJS.ProcessEnv): Array<{ name: string; nearest: string | null }> {
  const known = Object.values(VARS).map((s) => s.name);
  const knownSet = new Set<string>(known);
  return Object.keys(env)
    .filter((name) => name.startsWith('ACCTNET_') && !knownSet.has(name) && !OTHER_READERS.test(name))
    .sort()
    .map((name) => {
      let nearest: string | null = null;
      let best = Math.max(3, Math.floor(name.length / 5)) + 1;
      for (const k of known) {
        const d = editDistance(name, k);
        if (d < best) [best, nearest] = [d, k];
      }
      return { name, nearest };
    });
}

export function configReference(): string {
  const rows = Object.values(VARS).map(
    (s: VarSpec<unknown>) => `| \`${s.name}\` | ${s.default === undefined ? '_unset_' : `\`${s.default}\``} | ${s.doc} |`,
  );
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
