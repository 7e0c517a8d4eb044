// acctnet/explain/reasons: every reason code in words, with its numbers and the accounts behind it.
// The one place that turns `CODE:detail` (docs/outputs.md) into sentences: the API sends these
// sentences (account, cluster and review routes, case exports) and the console only draws them.
// Pure: the caller gathers the context (counterparties, members, label) from the served run.
import { RISK_DEFAULTS } from '../analysis/risk.js';

/** An account a reason points at, with what it did ("sent 1,200.00 (34% of inflow)"). */
export interface ReasonAccount {
  accountId: string;
  detail: string;
}

export interface ReasonExplanation {
  /** The stored reason, exactly as served to gateways. */
  reason: string;
  code: string;
  text: string;
  accounts: ReasonAccount[];
  /** The cluster the reason is about, when it is about one. */
  clusterId: string | null;
}

/** A counterparty of the explained account inside the served run's window (amounts in the base currency). */
export interface ReasonCounterparty {
  accountId: string;
  sent: number;
  received: number;
  score: number | null;
  listed: boolean;
  label: string | null;
}

export interface AccountReasonContext {
  accountId: string;
  clusterId: string | null;
  baseCurrency: string;
  /** Money received / sent in the window (base currency). */
  inAmount: number;
  outAmount: number;
  /** The largest counterparties in the window, both directions. */
  counterparties: readonly ReasonCounterparty[];
  /** The label in force, if any. */
  label: { label: string; createdBy: string; createdAt: string; note: string | null } | null;
  holdHours: number;
}

export interface ClusterReasonContext {
  clusterId: string;
  /** Members with their served score and whether the run counted them as labelled fraud. */
  members: ReadonlyArray<{ accountId: string; score: number; labelledFraud: boolean }>;
}

/** Accounts count as risky from this served score (the threshold `RISKY_MEMBERS` counts with). */
export const RISKY_SCORE = 0.5;
/** At most this many accounts are named behind one reason. */
export const MAX_REASON_ACCOUNTS = 10;

export const TYPOLOGY_WORDS: Record<string, string> = {
  ring: 'a ring: money goes round a cycle of accounts back to where it started',
  layering: 'layering: the same money hops along a chain of accounts, a small cut taken at each hop',
  fan_in: 'a fan-in: many accounts pay into one collector',
  fan_out: 'a fan-out: one account pays out to many',
  dense_clique: 'a dense clique: most members pay each other',
  benign_hub_like: 'a hub and its customers (merchant, payroll or exchange)',
  mixed: 'a mixed shape',
};

export function parseReason(reason: string): { code: string; detail: string } {
  const k = reason.indexOf(':');
  return k < 0 ? { code: reason, detail: '' } : { code: reason.slice(0, k), detail: reason.slice(k + 1) };
}

const money = (x: number, currency: string) =>
  `${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
const pct = (x: number) => (x > 0 && x < 0.005 ? 'under 1%' : `${Math.round(x * 100)}%`);
const typology = (type: string) => TYPOLOGY_WORDS[type] ?? `a ${type.replace(/_/g, ' ')} shape`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function risky(c: ReasonCounterparty): boolean {
  return c.listed || c.label === 'fraud' || (c.score !== null && c.score >= RISKY_SCORE);
}

function riskWords(c: ReasonCounterparty): string {
  const parts: string[] = [];
  if (c.listed) parts.push('listed');
  if (c.label === 'fraud') parts.push('labelled fraud');
  if (c.score !== null) parts.push(`risk ${c.score.toFixed(2)}`);
  return parts.join(', ');
}

/** The counterparties behind a flow reason: risky ones, largest first, with the share of the flow. */
function flowAccounts(ctx: AccountReasonContext, side: 'received' | 'sent', onlyRisky: boolean) {
  const total = side === 'received' ? ctx.inAmount : ctx.outAmount;
  const picked = ctx.counterparties
    .filter((c) => c[side] > 0 && (!onlyRisky || risky(c)))
    .sort((a, b) => b[side] - a[side] || (a.accountId < b.accountId ? -1 : 1));
  const sum = picked.reduce((s, c) => s + c[side], 0);
  const verb = side === 'received' ? 'sent it' : 'received';
  const accounts = picked.slice(0, MAX_REASON_ACCOUNTS).map((c) => ({
    accountId: c.accountId,
    detail: `${verb} ${money(c[side], ctx.baseCurrency)}${total > 0 ? ` (${pct(c[side] / total)} of its ${side === 'received' ? 'inflow' : 'outflow'})` : ''}${onlyRisky ? `; ${riskWords(c)}` : ''}`,
  }));
  return { accounts, count: picked.length, sum, total };
}

/** `<account>:<number>` details (MIGRATED_FROM, COORDINATED_BURST, BURST_CENTRE, BURST_SIBLING, COLLECTED_FROM, RELAYED, SAME_AMOUNT_AS, SAME_AMOUNT_COLLECTOR): the account (whose id may hold ':') and the number. */
function accountAndNumber(detail: string): [string, string] {
  const k = detail.lastIndexOf(':');
  return k < 0 ? [detail, ''] : [detail.slice(0, k), detail.slice(k + 1)];
}

/** One account reason in words (an unknown code keeps its text, so a newer analysis never breaks a reader). */
export function explainAccountReason(reason: string, ctx: AccountReasonContext): ReasonExplanation {
  const { code, detail } = parseReason(reason);
  const out = (text: string, accounts: ReasonAccount[] = [], clusterId: string | null = null): ReasonExplanation => ({
    reason,
    code,
    text,
    accounts,
    clusterId,
  });
  const lead = detail.match(/^([0-9.]+%)/)?.[1];
  switch (code) {
    case 'LABELLED_FRAUD': {
      const l = ctx.label;
      return out(
        l && l.label === 'fraud'
          ? `An investigator labelled it fraud (${l.createdBy}, ${l.createdAt.slice(0, 10)}${l.note ? `: “${l.note}”` : ''}).`
          : 'It was labelled fraud when the run was computed (the label has changed since).',
      );
    }
    case 'LABELLED_LEGIT':
      return out('An investigator cleared it (labelled legit): its score is capped at 0.1.');
    case 'MANUAL_INCLUDE':
      return out('An investigator forced it onto the list with an override.');
    case 'STILL_LISTED':
      return out(
        'A run listed it before, and it stays listed: its score has not fallen below the release score (ACCTNET_BLACKLIST_THRESHOLD minus ACCTNET_LIST_RELEASE_MARGIN), though it is below the threshold or has lost the evidence it was listed for. A legit label or an exclude override releases it.',
      );
    case 'FUNDS_FROM_RISKY': {
      const f = flowAccounts(ctx, 'received', true);
      const from = f.count
        ? `; ${plural(f.count, 'risky sender')} among its largest counterparties sent ${money(f.sum, ctx.baseCurrency)}${f.total > 0 ? ` (${pct(f.sum / f.total)} of its inflow)` : ''}`
        : '';
      return out(`${lead ?? 'Part'} of the money it received came from risky accounts, weighted by their risk${from}.`, f.accounts);
    }
    case 'FUNDS_TO_RISKY': {
      const f = flowAccounts(ctx, 'sent', true);
      const to = f.count
        ? `; ${plural(f.count, 'risky receiver')} among its largest counterparties got ${money(f.sum, ctx.baseCurrency)}${f.total > 0 ? ` (${pct(f.sum / f.total)} of its outflow)` : ''}`
        : '';
      return out(
        `${lead ?? 'Part'} of the money it sent went to risky accounts, weighted by their risk and by repetition (a relation counts in full from its third transfer, one transfer a third: victims pay once or twice), from an account that passes money on or is young${to}.`,
        f.accounts,
      );
    }
    case 'MIGRATED_FROM': {
      const [from, score] = accountAndNumber(detail);
      return out(`It took over the counterparties of ${from}, a risky account that stopped or dropped (migration link score ${score}).`, [
        { accountId: from, detail: 'the account it succeeded' },
      ]);
    }
    case 'COORDINATED_BURST': {
      const [with_, size] = accountAndNumber(detail);
      return out(
        `It made a one-off transfer with ${with_}, a labelled fraud account, as one of ${size || 'several'} such one-off transfers of that account within ${RISK_DEFAULTS.burstWindowHours} hours — a laundering pattern moves money through its accounts in hours.`,
        [{ accountId: with_, detail: 'the labelled fraud account of the burst' }],
      );
    }
    case 'BURST_CENTRE': {
      const [with_, size] = accountAndNumber(detail);
      return out(
        `It made ${size || 'several'} one-off transfers within ${RISK_DEFAULTS.burstWindowHours} hours, one of them with ${with_}, a labelled fraud account — the centre of a laundering fan (a collector or a source).`,
        [{ accountId: with_, detail: 'the labelled fraud account in its burst' }],
      );
    }
    case 'BURST_SIBLING': {
      const [centre, size] = accountAndNumber(detail);
      return out(
        `It made a one-off transfer with ${centre} within hours of that account's one-off transfer with a labelled fraud account, as one of ${size || 'several'} such transfers of ${centre} within ${RISK_DEFAULTS.burstWindowHours} hours — another feeder or receiver of the same laundering fan.`,
        [{ accountId: centre, detail: 'the centre of the burst (its own reasons name the labelled account)' }],
      );
    }
    case 'COLLECTED_FROM': {
      const [from, payers] = accountAndNumber(detail);
      return out(
        `It received one-off transfers from ${payers || 'several'} distinct payers within ${RISK_DEFAULTS.burstWindowHours} hours of each other that are themselves labelled fraud or carry evidence of their own (${from} among them), faster than its own pace of new payers — the collector of a laundering fan-in or layer.`,
        [{ accountId: from, detail: 'a labelled or risky payer among those it collected from' }],
      );
    }
    case 'RELAYED': {
      const [from, hops] = accountAndNumber(detail);
      return out(
        `It is on a money trail with ${from}, a labelled fraud account, ${hops || 'some'} relay step(s) away: one-off transfers passed on within ${RISK_DEFAULTS.relayWindowHours} hours keeping ${Math.round(RISK_DEFAULTS.relayMinShare * 100)}–100% of the amount (or money that came back to it around such a trail).`,
        [{ accountId: from, detail: 'the labelled fraud account the trail starts from' }],
      );
    }
    case 'SAME_AMOUNT_AS': {
      const [receiver, figure] = accountAndNumber(detail);
      const [labelled, size] = figure.split('/');
      return out(
        `It paid ${receiver} exactly the amount that labelled fraud accounts paid it: ${size || 'several'} distinct payers paid ${receiver} that amount, ${labelled || 'some'} of them labelled fraud — more than chance would put there (smurfs told the sum to send). ${receiver}'s own reasons name a labelled payer.`,
        [{ accountId: receiver, detail: 'the receiver paid the same amount by labelled fraud accounts' }],
      );
    }
    case 'SAME_AMOUNT_COLLECTOR': {
      const [with_, figure] = accountAndNumber(detail);
      const [labelled, size] = figure.split('/');
      return out(
        `It received exactly the same amount from ${size || 'several'} distinct payers, ${labelled || 'some'} of them labelled fraud (${with_} among them) — more than chance would put there: a collector of smurfed payments.`,
        [{ accountId: with_, detail: 'a labelled fraud account among its payers of that amount' }],
      );
    }
    case 'RELAY_CHAIN':
      return out(
        `It passed money on in a chain of ${detail || 'several'} one-off transfers, each passed on within ${RISK_DEFAULTS.relayWindowHours} hours keeping ${Math.round(RISK_DEFAULTS.relayMinShare * 100)}–100% of the amount — money moved through accounts in hours, as laundering chains, cycles and walks move it (no label needed).`,
        flowAccounts(ctx, 'sent', false).accounts.slice(0, 5),
      );
    case 'CLUSTER_RISK':
      return out(
        `It passes on the money of its cluster${ctx.clusterId ? ` ${ctx.clusterId}` : ''}, whose risk is ${detail}.`,
        [],
        ctx.clusterId,
      );
    case 'TYPOLOGY':
      return out(
        `Its cluster${ctx.clusterId ? ` ${ctx.clusterId}` : ''} has the shape of ${typology(detail)}, formed by mule-like accounts, and it takes part in it.`,
        [],
        ctx.clusterId,
      );
    case 'PASS_THROUGH': {
      const f = flowAccounts(ctx, 'sent', false);
      return out(
        `It sends on ${lead ?? 'most'} of what it receives within ${ctx.holdHours} hours (a relay, as mules are).`,
        f.accounts.slice(0, 5),
      );
    }
    case 'NEW_HIGH_VELOCITY': {
      const m = detail.match(/^(\d+) days old, ([0-9.]+) transfers\/day/);
      return out(
        m
          ? `A new account (${m[1]} days old) making ${m[2]} transfers a day, far more than the median account.`
          : `A new account far busier than the median account (${detail}).`,
      );
    }
    case 'NO_ORDINARY_ACTIVITY':
      return out('No ordinary life on the account: no spending at shops or billers and no salary.');
    case 'LEARNED': {
      const k = detail.indexOf(':');
      const score = k < 0 ? detail : detail.slice(0, k);
      const features =
        k < 0
          ? []
          : detail
              .slice(k + 1)
              // ' | ' since 2026-12-07; '; ' in results stored before.
              .split(/ \| |; /)
              .filter(Boolean);
      const labelled = ctx.counterparties.filter((c) => c.label === 'fraud');
      const accounts = /labelled fraud/.test(detail)
        ? labelled.slice(0, MAX_REASON_ACCOUNTS).map((c) => ({
            accountId: c.accountId,
            detail: `labelled fraud; sent ${money(c.received, ctx.baseCurrency)}, received ${money(c.sent, ctx.baseCurrency)}`,
          }))
        : [];
      return out(
        `The learned model scores it ${score} — calibrated on investigated accounts: of the labelled accounts it scored like this, about that share were fraud${ctx.label ? " (a score from models that did not see this account's own label)" : ''}${features.length ? `; what raised it most: ${features.join('; ')}` : ''}.`,
        accounts,
      );
    }
    case 'ANOMALY':
      return out(
        `Unlike its peers: an isolation forest rates it ${detail.split(':')[0]} (about 0.5 is ordinary) — a weak signal, never a reason to list alone.`,
      );
    default:
      return out(reason);
  }
}

/** One cluster reason in words, with the members behind it. */
export function explainClusterReason(reason: string, ctx: ClusterReasonContext): ReasonExplanation {
  const { code, detail } = parseReason(reason);
  const out = (text: string, accounts: ReasonAccount[] = []): ReasonExplanation => ({
    reason,
    code,
    text,
    accounts,
    clusterId: ctx.clusterId,
  });
  const byScore = [...ctx.members].sort((a, b) => b.score - a.score || (a.accountId < b.accountId ? -1 : 1));
  switch (code) {
    case 'LABELLED_FRAUD_MEMBERS': {
      const labelled = byScore.filter((m) => m.labelledFraud);
      return out(
        `${plural(Number(detail) || labelled.length, 'member is', 'members are')} labelled fraud${labelled.length > MAX_REASON_ACCOUNTS ? ` (the first ${MAX_REASON_ACCOUNTS} shown)` : ''}.`,
        labelled
          .slice(0, MAX_REASON_ACCOUNTS)
          .map((m) => ({ accountId: m.accountId, detail: `labelled fraud; risk ${m.score.toFixed(2)}` })),
      );
    }
    case 'RISKY_MEMBERS': {
      const [n, size] = detail.split('/');
      const riskyMembers = byScore.filter((m) => m.score >= RISKY_SCORE);
      return out(
        `${n} of its ${size} members have a risk of ${RISKY_SCORE} or more${riskyMembers.length > MAX_REASON_ACCOUNTS ? ` (the ${MAX_REASON_ACCOUNTS} riskiest shown)` : ''}.`,
        riskyMembers.slice(0, MAX_REASON_ACCOUNTS).map((m) => ({ accountId: m.accountId, detail: `risk ${m.score.toFixed(2)}` })),
      );
    }
    case 'TYPOLOGY':
      return out(`It has the shape of ${typology(detail)}, formed by mule-like accounts.`);
    default:
      return out(reason);
  }
}
