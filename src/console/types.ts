// The API shapes the console reads (a subset; docs/api.md and /docs have all fields).
export interface AuditEntry {
  id: string;
  at: string;
  actor: { keyId: string; name: string; role: string };
  action: string;
  target: string;
  details: Record<string, unknown>;
}

export interface ClusterSummary {
  clusterId: string;
  size: number;
  type: string;
  score: number;
  reasons: string[];
  notes: string[];
  evidence: Record<string, unknown>;
  isNew: boolean;
  listed?: number;
  /** On the cluster route only. */
  explanations?: ReasonExplanation[];
}

export interface Migration {
  from: string;
  to: string;
  score: number;
  fallAt: string;
  riseAt: string;
  evidence: Record<string, unknown>;
}

export interface ClusterDetail {
  runId: string;
  cluster: ClusterSummary;
  page: { page: number; pageSize: number; members: number; pages: number };
  members: Array<{
    accountId: string;
    role: string;
    score: number;
    reasons: string[];
    label: string | null;
    pagerank: number;
    inAmount: number;
    outAmount: number;
  }>;
  graph: {
    nodes: Array<{ id: string; role: string; score: number; pagerank: number; label: string | null }>;
    edges: Array<{ source: string; target: string; count: number; amount: number | null; first: string; last: string }>;
  };
  migrations: Migration[];
  history: Array<{ runId: string; finishedAt: string | null; size: number; type: string; score: number }>;
}

export interface Label {
  id: string;
  label: 'fraud' | 'legit';
  note: string | null;
  /** investigation, chargeback, import, alert (acctnet had flagged the account), or a file's name. */
  source: string;
  createdBy: string;
  createdAt: string;
  retractedAt: string | null;
  retractedBy: string | null;
  retractReason: string | null;
}

export interface AccountDetail {
  accountId: string;
  firstSeenAt: string | null;
  /** The run the analysis (score, reasons, cluster, migrations) comes from. */
  runId: string | null;
  analysed: boolean;
  clusterId: string | null;
  cluster: { clusterId: string; type: string; score: number; size: number } | null;
  role: string | null;
  score: number | null;
  reasons: string[];
  explanations: ReasonExplanation[];
  metrics: Record<string, unknown> | null;
  labels: { current: Label | null; events: Label[] };
  timeline: { bucketDays: number; buckets: Array<{ start: string; transfers: number }> };
  topCounterparties: Array<{ accountId: string; currency: string; sent: number; received: number; transfers: number }>;
  migrations: { predecessors: Migration[]; successors: Migration[] };
  blacklist: {
    version: number | null;
    /** The run the served list was built from; sameRun: whether it is the analysis's run (runId). */
    runId: string | null;
    sameRun: boolean;
    /** The analysis's own version while the guard or a pin holds it, and whether it lists the account. */
    held: { version: number; reason: string | null; listed: boolean } | null;
    listed: boolean;
    entry: { clusterId: string | null; score: number; reasons: string[] } | null;
    override: { action: 'include' | 'exclude'; reason: string; createdBy: string; createdAt: string; confirmedBy: string | null } | null;
  };
}

export interface Neighborhood {
  nodes: Array<{ id: string; hop: number; role: string | null; clusterId: string | null; score: number | null; label: string | null }>;
  edges: Array<{ source: string; target: string; count: number; amount: number | null; first: string; last: string }>;
  truncated: boolean;
}

export interface Run {
  id: string;
  status: string;
  step: string;
  trigger: string;
  requestedBy: string;
  startedAt: string;
  finishedAt: string | null;
  asOf: string | null;
  timings: Record<string, number>;
  counts: Record<string, number>;
  warnings: string[];
  error: string | null;
  blacklistVersion: number | null;
  model: ModelCard | null;
}

/** The learned model's card on a run record (docs/outputs.md). */
export interface ModelCard {
  mode: 'off' | 'shadow' | 'on';
  status: 'trained' | 'too_few_labels' | 'unreliable' | 'off';
  message: string | null;
  model: string | null;
  labels: { fraud: number; legit: number; sampled: number; bySource: { fraud: Record<string, number>; legit: Record<string, number> } };
  notes: string[];
  folds: number;
  rocAuc: number | null;
  prAuc: number | null;
  logisticRocAuc: number | null;
  /** Absent on runs before 2026-12-08. */
  rulesRocAuc?: number | null;
  rocAucLegitOnly: number | null;
  topFeatures: Array<{ name: string; importance: number }>;
  shadow?: { listed: number; added: number; removed: number };
}

export interface BlacklistVersion {
  version: number;
  status: string;
  source: string;
  runId: string | null;
  createdAt: string;
  count: number;
  added: number | null;
  removed: number | null;
  pinned: boolean;
  guard: unknown;
}

export interface BlacklistEntry {
  accountId: string;
  clusterId: string | null;
  score: number;
  reasons: string[];
}

/** A reason in words, with the accounts behind it (src/explain/reasons.ts on the server). */
export interface ReasonExplanation {
  reason: string;
  code: string;
  text: string;
  accounts: Array<{ accountId: string; detail: string }>;
  clusterId: string | null;
}

/** Listed? score, cluster, label of one account (search suggestions, pasted lists, path accounts). */
export interface AccountSummary {
  accountId: string;
  found?: boolean;
  firstSeenAt: string | null;
  listed: boolean;
  score: number | null;
  role: string | null;
  clusterId: string | null;
  label: string | null;
}

export interface PathTransfer {
  txId: string;
  source: string;
  target: string;
  at: string;
  amount: number;
  currency: string;
  baseAmount: number;
}

export interface MoneyPaths {
  from: string;
  to: string;
  hops: number;
  window: { since: string; until: string };
  baseCurrency: string;
  truncated: boolean;
  truncatedBy: string[];
  paths: Array<{ accounts: string[]; strength: number; transfers: PathTransfer[] }>;
  accounts: AccountSummary[];
}

export interface ReviewItem {
  accountId: string;
  clusterId: string | null;
  score: number;
  learnedScore: number | null;
  anomaly: number | null;
  reasons: string[];
  explanations: ReasonExplanation[];
}

/** An override request under dual control (GET /v1/blacklist/overrides/pending). */
export interface PendingOverride {
  id: string;
  accountId: string;
  action: 'exclude' | 'delete';
  reason: string;
  requestedBy: string;
  requestedAt: string;
  status: 'pending' | 'confirmed' | 'rejected' | 'withdrawn';
  decidedBy: string | null;
  decidedAt: string | null;
  note: string | null;
}
