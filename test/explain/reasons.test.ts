// Every reason code in words, with its numbers and the accounts behind it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainAccountReason, explainClusterReason, type AccountReasonContext } from '../../src/explain/reasons.js';

const ctx: AccountReasonContext = {
  accountId: 'M1',
  clusterId: 'C000007',
  baseCurrency: 'EUR',
  inAmount: 1000,
  outAmount: 900,
  holdHours: 48,
  label: { label: 'fraud', createdBy: 'alice', createdAt: '2026-03-01T10:00:00.000Z', note: 'chargebacks' },
  counterparties: [
    { accountId: 'S1', sent: 0, received: 400, score: 0.9, listed: true, label: null },
    { accountId: 'S2', sent: 0, received: 220, score: 0.7, listed: false, label: 'fraud' },
    { accountId: 'S3', sent: 0, received: 380, score: 0.1, listed: false, label: null },
    { accountId: 'R1', sent: 850, received: 0, score: 0.2, listed: false, label: null },
  ],
};

test('account reasons: words, numbers, the accounts behind them', () => {
  const from = explainAccountReason('FUNDS_FROM_RISKY:62% of inflow from risky accounts', ctx);
  assert.equal(from.code, 'FUNDS_FROM_RISKY');
  assert.equal(
    from.text,
    '62% of the money it received came from risky accounts, weighted by their risk; 2 risky senders among its largest counterparties sent 620.00 EUR (62% of its inflow).',
  );
  assert.deepEqual(
    from.accounts.map((a) => a.accountId),
    ['S1', 'S2'],
  );
  assert.equal(from.accounts[0]!.detail, 'sent it 400.00 EUR (40% of its inflow); listed, risk 0.90');
  // The reason's share is weighted (risk, repetition); the checkable amounts come after it.
  const paying = {
    ...ctx,
    counterparties: [...ctx.counterparties, { accountId: 'F1', sent: 900, received: 0, score: 1, listed: true, label: 'fraud' as const }],
  };
  const to = explainAccountReason('FUNDS_TO_RISKY:33% of outflow to risky accounts, repeatedly, from a young or relay account', paying);
  assert.equal(
    to.text,
    '33% of the money it sent went to risky accounts, weighted by their risk and by repetition (a relation counts in full from its third transfer, one transfer a third: victims pay once or twice), from an account that passes money on or is young; 1 risky receiver among its largest counterparties got 900.00 EUR (100% of its outflow).',
  );
  assert.deepEqual(
    to.accounts.map((a) => a.accountId),
    ['F1'],
  );
  const pass = explainAccountReason('PASS_THROUGH:94% of inflow sent on within the holding window', ctx);
  assert.equal(pass.text, 'It sends on 94% of what it receives within 48 hours (a relay, as mules are).');
  assert.deepEqual(
    pass.accounts.map((a) => a.accountId),
    ['R1'],
  );
  assert.equal(explainAccountReason('MIGRATED_FROM:AC9:0.83', ctx).accounts[0]!.accountId, 'AC9');
  assert.match(explainAccountReason('MIGRATED_FROM:AC9:0.83', ctx).text, /counterparties of AC9.*score 0\.83/);
  const burst = explainAccountReason('COORDINATED_BURST:A:B:5', ctx);
  assert.equal(burst.accounts[0]!.accountId, 'A:B', 'an account id may hold a colon');
  assert.match(burst.text, /one-off transfer with A:B, a labelled fraud account, as one of 5 .* within 12 hours/);
  const centre = explainAccountReason('BURST_CENTRE:L:1:4', ctx);
  assert.deepEqual(
    centre.accounts.map((a) => a.accountId),
    ['L:1'],
  );
  assert.match(centre.text, /made 4 one-off transfers within 12 hours, one of them with L:1, a labelled fraud account/);
  const sibling = explainAccountReason('BURST_SIBLING:C9:6', ctx);
  assert.equal(sibling.accounts[0]!.accountId, 'C9');
  assert.match(sibling.text, /one-off transfer with C9 .* one of 6 such transfers of C9/);
  const collected = explainAccountReason('COLLECTED_FROM:L:3:2', ctx);
  assert.equal(collected.accounts[0]!.accountId, 'L:3');
  assert.match(collected.text, /one-off transfers from 2 distinct payers within 12 hours .* \(L:3 among them\)/);
  const relayed = explainAccountReason('RELAYED:L7:2', ctx);
  assert.equal(relayed.accounts[0]!.accountId, 'L7');
  assert.match(relayed.text, /money trail with L7, a labelled fraud account, 2 relay step\(s\) away: .* within 24 hours keeping 80–100%/);
  const same = explainAccountReason('SAME_AMOUNT_AS:R:2:3/14', ctx);
  assert.deepEqual(
    same.accounts.map((a) => a.accountId),
    ['R:2'],
  );
  assert.match(
    same.text,
    /paid R:2 exactly the amount that labelled fraud accounts paid it: 14 distinct payers paid R:2 that amount, 3 of them labelled fraud/,
  );
  const collector = explainAccountReason('SAME_AMOUNT_COLLECTOR:L9:2/5', ctx);
  assert.deepEqual(
    collector.accounts.map((a) => a.accountId),
    ['L9'],
  );
  assert.match(collector.text, /same amount from 5 distinct payers, 2 of them labelled fraud \(L9 among them\)/);
  assert.match(
    explainAccountReason('RELAY_CHAIN:6', ctx).text,
    /passed money on in a chain of 6 one-off transfers, each passed on within 24 hours keeping 80–100%/,
  );
  assert.equal(explainAccountReason('CLUSTER_RISK:0.62', ctx).clusterId, 'C000007');
  assert.match(explainAccountReason('TYPOLOGY:ring', ctx).text, /ring: money goes round/);
  assert.match(explainAccountReason('LABELLED_FRAUD', ctx).text, /alice, 2026-03-01: “chargebacks”/);
  assert.equal(
    explainAccountReason('NEW_HIGH_VELOCITY:12 days old, 4.5 transfers/day', ctx).text,
    'A new account (12 days old) making 4.5 transfers a day, far more than the median account.',
  );
  const learned = explainAccountReason('LEARNED:0.91:share of inflow from labelled fraud accounts 36% (top 1%); age 12 days', ctx);
  assert.match(
    learned.text,
    /scores it 0\.91 — calibrated on investigated accounts: of the labelled accounts it scored like this, about that share were fraud \(a score from models that did not see this account's own label\); what raised it most: share of inflow from labelled fraud accounts 36% \(top 1%\); age 12 days\./,
  );
  // Features joined with ' | ' (since 2026-12-07: the CSV list joins reasons with ';') read the same.
  assert.equal(
    explainAccountReason('LEARNED:0.91:share of inflow from labelled fraud accounts 36% (top 1%) | age 12 days', ctx).text,
    learned.text,
  );
  assert.doesNotMatch(
    explainAccountReason('LEARNED:0.5:x 1', { ...ctx, label: null }).text,
    /own label/,
    'said only for a labelled account',
  );
  assert.deepEqual(
    learned.accounts.map((a) => a.accountId),
    ['S2'],
  );
  assert.match(explainAccountReason('ANOMALY:0.72:unlike its peers', ctx).text, /rates it 0\.72/);
  // An unknown code keeps its text.
  assert.equal(explainAccountReason('SOMETHING_NEW:3', ctx).text, 'SOMETHING_NEW:3');
});

test('cluster reasons: the labelled and the risky members are named', () => {
  const members = [
    { accountId: 'A', score: 1, labelledFraud: true },
    { accountId: 'B', score: 0.6, labelledFraud: false },
    { accountId: 'C', score: 0.2, labelledFraud: false },
  ];
  const labelled = explainClusterReason('LABELLED_FRAUD_MEMBERS:1', { clusterId: 'C1', members });
  assert.equal(labelled.text, '1 member is labelled fraud.');
  assert.deepEqual(
    labelled.accounts.map((a) => a.accountId),
    ['A'],
  );
  const risky = explainClusterReason('RISKY_MEMBERS:2/3', { clusterId: 'C1', members });
  assert.equal(risky.text, '2 of its 3 members have a risk of 0.5 or more.');
  assert.deepEqual(
    risky.accounts.map((a) => a.accountId),
    ['A', 'B'],
  );
});
