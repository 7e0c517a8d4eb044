// Migration pairs and risk on small graphs whose answer is known.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyse, background, indexOf, ring, takeover, type T } from './helpers.js';

test('a fall and a rise sharing counterparties become a MIGRATED_TO link with evidence', async () => {
  const out = await analyse([...takeover(), ...background('P', 30, 120)], { days: 120 });
  assert.equal(out.migrations.length, 1, JSON.stringify(out.migrations.map((m) => [m.from, m.to])));
  const m = out.migrations[0]!;
  assert.equal(m.from, 'OLD');
  assert.equal(m.to, 'NEW');
  assert.ok(m.score >= 0.8, `score ${m.score}`);
  assert.equal(m.evidence.fallKind, 'stopped');
  assert.equal(m.evidence.riseKind, 'new');
  assert.equal(m.evidence.sharedCounterparties, 4, 'C1..C4 (the shop and the employer are hubs)');
  assert.ok(m.evidence.gapDays > 0 && m.evidence.gapDays < 3);
  assert.equal(m.evidence.directTransfers, 0);
  assert.ok(m.evidence.profileSimilarity > 0.8);
  assert.deepEqual(out.chains, [['OLD', 'NEW']]);
});

test("a fraud account's successor inherits its risk; a legit account's successor does not", async () => {
  const fraud = await analyse([...takeover(), ...background('P', 30, 120)], { days: 120, labels: { OLD: 'fraud' } });
  const i = indexOf(fraud, 'NEW');
  assert.ok(fraud.score[i]! >= 0.5, `successor score ${fraud.score[i]}`);
  assert.ok(
    fraud.reasons[i]!.some((r) => r.startsWith('MIGRATED_FROM:OLD:')),
    fraud.reasons[i]!.join(' | '),
  );
  assert.ok(fraud.candidates.some((e) => e.accountId === 'NEW'));

  const legit = await analyse([...takeover(), ...background('P', 30, 120)], { days: 120, labels: { OLD: 'legit' } });
  const j = indexOf(legit, 'NEW');
  assert.ok(legit.score[j]! < 0.5, `successor of a legit account scores ${legit.score[j]}`);
});

test('money from a labelled fraud account makes its mule risky, not its victims', async () => {
  const tx: T[] = [];
  for (let v = 0; v < 10; v++) {
    // Victims live ordinary lives: salary in, shopping out; once they pay the scammer.
    for (let d = 0; d < 60; d += 30) tx.push({ from: 'EMPLOYER', to: `V${v}`, amount: 2500, day: d, hour: 7 });
    for (let d = 1; d < 60; d += 2) tx.push({ from: `V${v}`, to: 'SHOP', amount: 35, day: d, hour: 17, channel: 'card' });
    tx.push({ from: `V${v}`, to: 'SCAM', amount: 800, day: 10 + v, hour: 11 });
    tx.push({ from: 'SCAM', to: 'MULE', amount: 780, day: 10 + v, hour: 13 });
    tx.push({ from: 'MULE', to: 'CASHOUT', amount: 770, day: 11 + v, hour: 2 });
  }
  for (let c = 0; c < 120; c++) tx.push({ from: `C${c}`, to: 'SHOP', amount: 30, day: c % 60, hour: 12, channel: 'card' });
  for (let c = 0; c < 120; c++) tx.push({ from: 'EMPLOYER', to: `E${c}`, amount: 2000, day: 28, hour: 7 });
  const out = await analyse(tx, { labels: { SCAM: 'fraud' }, days: 60 });
  const score = (id: string) => out.score[indexOf(out, id)]!;
  const reasons = (id: string) => out.reasons[indexOf(out, id)]!;
  assert.equal(score('SCAM'), 1);
  assert.ok(score('MULE') >= 0.5, `mule ${score('MULE')}`);
  assert.ok(
    reasons('MULE').some((r) => r.startsWith('FUNDS_FROM_RISKY:')),
    reasons('MULE').join(' | '),
  );
  assert.ok(score('CASHOUT') >= 0.5, `cash-out ${score('CASHOUT')}`);
  for (let v = 0; v < 10; v++) assert.ok(score(`V${v}`) < 0.5, `victim V${v} ${score(`V${v}`)} ${reasons(`V${v}`).join(' | ')}`);
  assert.ok(score('SHOP') < 0.5 && score('EMPLOYER') < 0.5, 'hubs are not tainted');
});

test('a legit label caps the score; an unlabelled ring of mules is found by its shape', async () => {
  const members = ['R1', 'R2', 'R3', 'R4', 'R5'];
  const out = await analyse([...ring(members, { fromDay: 0, toDay: 60, every: 1 }), ...background('P', 40, 60)], {
    labels: { R3: 'legit' },
  });
  const score = (id: string) => out.score[indexOf(out, id)]!;
  for (const m of ['R1', 'R2', 'R4', 'R5']) {
    assert.ok(score(m) >= 0.5, `${m} ${score(m)}`);
    assert.ok(out.reasons[indexOf(out, m)]!.includes('TYPOLOGY:ring'));
  }
  assert.ok(score('R3') <= 0.1);
  assert.deepEqual(out.reasons[indexOf(out, 'R3')], ['LABELLED_LEGIT']);
  for (const id of ['P0a', 'P1b', 'P2c']) assert.equal(score(id) < 0.5, true);
});

test("a labelled account's coordinated burst of one-off transfers makes the others risky; victims paying a day apart and a fee collection do not", async () => {
  const tx: T[] = [];
  // Ordinary people (salary, shopping, a friend) — the fan-in's sources and the scam's victims alike.
  const people = [
    ...[0, 1, 2, 3, 4].map((k) => `F${k}`),
    ...[0, 1, 2, 3, 4, 5].map((k) => `V${k}`),
    ...[0, 1, 2, 3].map((k) => `M${k}`),
    'W0',
    'W1',
  ];
  for (const p of people) {
    for (let d = 0; d < 60; d += 30) tx.push({ from: 'EMPLOYER', to: p, amount: 2500, day: d, hour: 7 });
    for (let d = 1; d < 60; d += 3) tx.push({ from: p, to: 'SHOP', amount: 35, day: d, hour: 17, channel: 'card' });
  }
  // F0..F4 each pay the collector once, within five hours of each other on day 20.
  for (let k = 0; k < 5; k++) tx.push({ from: `F${k}`, to: 'COLLECT', amount: 900 + 37 * k, day: 20, hour: 9 + k });
  tx.push({ from: 'COLLECT', to: 'OUT', amount: 4300, day: 21, hour: 10 });
  // V0..V5 each pay the scammer once, a day or more apart; W0, W1 pay the collector on other days.
  for (let k = 0; k < 6; k++) tx.push({ from: `V${k}`, to: 'SCAM', amount: 400, day: 5 + 6 * k, hour: 11 });
  tx.push({ from: 'W0', to: 'COLLECT', amount: 50, day: 40, hour: 12 }, { from: 'W1', to: 'COLLECT', amount: 60, day: 50, hour: 12 });
  // M0..M3 pay the same fee to a labelled account within hours: a collection, not a laundering split.
  for (let k = 0; k < 4; k++) tx.push({ from: `M${k}`, to: 'CLUB', amount: 81, day: 30, hour: 10 + k });
  for (let c = 0; c < 120; c++) tx.push({ from: `C${c}`, to: 'SHOP', amount: 30, day: c % 60, hour: 12, channel: 'card' });
  for (let c = 0; c < 120; c++) tx.push({ from: 'EMPLOYER', to: `E${c}`, amount: 2000, day: 28, hour: 7 });
  const out = await analyse(tx, { labels: { COLLECT: 'fraud', SCAM: 'fraud', CLUB: 'fraud' }, days: 60 });
  const at = (id: string) => indexOf(out, id);
  for (let k = 0; k < 5; k++) {
    const i = at(`F${k}`);
    assert.ok(out.score[i]! >= 0.5, `source F${k} ${out.score[i]}`);
    assert.ok(
      out.reasons[i]!.some((r) => r === 'COORDINATED_BURST:COLLECT:5'),
      out.reasons[i]!.join(' | '),
    );
    assert.ok(
      out.candidates.some((e) => e.accountId === `F${k}`),
      `F${k} is listed`,
    );
  }
  for (const id of ['V0', 'V1', 'V2', 'V3', 'V4', 'V5', 'W0', 'W1', 'M0', 'M1', 'M2', 'M3']) {
    const i = at(id);
    assert.ok(out.score[i]! < 0.5, `${id} ${out.score[i]} ${out.reasons[i]!.join(' | ')}`);
    assert.ok(!out.reasons[i]!.some((r) => r.startsWith('COORDINATED_BURST')), id);
  }
});

test('a feeder in the bursts of two labelled collectors names the same one (the smaller id) whatever the order rows arrive in', async () => {
  const feeders = [0, 1, 2, 3, 4].map((k) => `F${k}`);
  const tx: T[] = [...ordinaryLives(feeders, 60)];
  // The collector with the larger id is paid first, so the window's order meets it first.
  for (const [collector, day] of [
    ['COLL-B', 20],
    ['COLL-A', 40],
  ] as const) {
    for (let k = 0; k < 5; k++) tx.push({ from: `F${k}`, to: collector, amount: 900 + 37 * k, day, hour: 9 + k });
    tx.push({ from: collector, to: `OUT-${collector}`, amount: 4300, day: day + 1, hour: 10 });
  }
  for (let c = 0; c < 120; c++) tx.push({ from: `C${c}`, to: 'SHOP', amount: 30, day: c % 60, hour: 12, channel: 'card' });
  const labels = { 'COLL-A': 'fraud', 'COLL-B': 'fraud' } as const;
  for (const rows of [tx, [...tx].reverse()]) {
    const out = await analyse(rows, { labels, days: 60 });
    for (const id of feeders) {
      const bursts = out.reasons[indexOf(out, id)]!.filter((r) => r.startsWith('COORDINATED_BURST'));
      assert.deepEqual(bursts, ['COORDINATED_BURST:COLL-A:5'], id);
    }
  }
});

/** Ordinary lives for the given people: a salary each month and shopping every few days. */
function ordinaryLives(people: string[], days: number): T[] {
  const tx: T[] = [];
  for (const p of people) {
    for (let d = 0; d < days; d += 30) tx.push({ from: 'EMPLOYER', to: p, amount: 2500, day: d, hour: 7 });
    for (let d = 1; d < days; d += 3) tx.push({ from: p, to: 'SHOP', amount: 35, day: d, hour: 17, channel: 'card' });
  }
  for (let c = 0; c < 120; c++) tx.push({ from: `C${c}`, to: 'SHOP', amount: 30, day: c % days, hour: 12, channel: 'card' });
  for (let c = 0; c < 120; c++) tx.push({ from: 'EMPLOYER', to: `E${c}`, amount: 2000, day: 28, hour: 7 });
  return tx;
}

test("a burst whose centre is unlabelled: the centre and the labelled feeder's siblings are evidence; payers on other days are not", async () => {
  const people = ['COLLECT', 'OUT', ...[0, 1, 2, 3, 4].map((k) => `F${k}`), 'W0', 'W1'];
  const tx = ordinaryLives(people, 60);
  // F0..F4 each pay the collector once, within five hours of each other on day 20; only F0 is labelled.
  for (let k = 0; k < 5; k++) tx.push({ from: `F${k}`, to: 'COLLECT', amount: 900 + 37 * k, day: 20, hour: 9 + k });
  tx.push({ from: 'COLLECT', to: 'OUT', amount: 4300, day: 21, hour: 10 });
  tx.push({ from: 'W0', to: 'COLLECT', amount: 50, day: 40, hour: 12 }, { from: 'W1', to: 'COLLECT', amount: 60, day: 50, hour: 12 });
  const out = await analyse(tx, { labels: { F0: 'fraud' }, days: 60 });
  const at = (id: string) => indexOf(out, id);
  const listed = new Set(out.candidates.map((e) => e.accountId));
  assert.ok(out.reasons[at('COLLECT')]!.includes('BURST_CENTRE:F0:5'), out.reasons[at('COLLECT')]!.join(' | '));
  assert.ok(listed.has('COLLECT'));
  for (let k = 1; k < 5; k++) {
    const i = at(`F${k}`);
    assert.ok(out.reasons[i]!.includes('BURST_SIBLING:COLLECT:5'), `F${k}: ${out.reasons[i]!.join(' | ')}`);
    assert.ok(listed.has(`F${k}`), `F${k} is listed (score ${out.score[i]})`);
  }
  for (const id of ['W0', 'W1']) {
    const i = at(id);
    assert.ok(!out.reasons[i]!.some((r) => r.startsWith('BURST_')), `${id}: ${out.reasons[i]!.join(' | ')}`);
    assert.ok(!listed.has(id), id);
  }
});

test('a collector of two laundering payers within hours is evidence; one such payer, payers weeks apart and a shared bill are not', async () => {
  const people = ['L1', 'L2', 'SINK', 'RELATIVE', 'W', 'FRIEND', 'BILL', 'COLLECT', 'SINK2', ...[0, 1, 2, 3, 4].map((k) => `F${k}`)];
  const tx = ordinaryLives(people, 60);
  // Two labelled accounts each pay SINK once, three hours apart: a fan-in of two.
  tx.push({ from: 'L1', to: 'SINK', amount: 2600, day: 20, hour: 9 }, { from: 'L2', to: 'SINK', amount: 3100, day: 20, hour: 12 });
  // One labelled payer and an unlabelled one the same morning; two labelled payers weeks apart; a bill split to the cent.
  tx.push({ from: 'L1', to: 'RELATIVE', amount: 700, day: 25, hour: 9 }, { from: 'W', to: 'RELATIVE', amount: 650, day: 25, hour: 11 });
  tx.push({ from: 'L1', to: 'FRIEND', amount: 300, day: 10, hour: 9 }, { from: 'L2', to: 'FRIEND', amount: 320, day: 35, hour: 9 });
  tx.push({ from: 'L1', to: 'BILL', amount: 120, day: 44, hour: 19 }, { from: 'L2', to: 'BILL', amount: 120, day: 44, hour: 20 });
  // A burst into COLLECT with one labelled feeder (F0): F1..F4 are its siblings; two of them then pay SINK2 within hours.
  for (let k = 0; k < 5; k++) tx.push({ from: `F${k}`, to: 'COLLECT', amount: 900 + 37 * k, day: 50, hour: 8 + k });
  tx.push({ from: 'F1', to: 'SINK2', amount: 1400, day: 50, hour: 15 }, { from: 'F2', to: 'SINK2', amount: 1700, day: 50, hour: 17 });
  const out = await analyse(tx, { labels: { L1: 'fraud', L2: 'fraud', F0: 'fraud' }, days: 60 });
  const at = (id: string) => indexOf(out, id);
  const reasons = (id: string) => out.reasons[at(id)]!;
  const listed = new Set(out.candidates.map((e) => e.accountId));
  assert.ok(reasons('SINK').includes('COLLECTED_FROM:L1:2'), reasons('SINK').join(' | '));
  assert.ok(listed.has('SINK'), `SINK is listed (score ${out.score[at('SINK')]})`);
  // Payers two hops from a label (the burst's siblings, 0.64): one hop further, 0.51.
  assert.ok(reasons('SINK2').includes('COLLECTED_FROM:F1:2'), reasons('SINK2').join(' | '));
  assert.ok(listed.has('SINK2'), `SINK2 is listed (score ${out.score[at('SINK2')]})`);
  for (const id of ['RELATIVE', 'FRIEND', 'BILL']) {
    assert.ok(!reasons(id).some((r) => r.startsWith('COLLECTED_FROM')), `${id}: ${reasons(id).join(' | ')}`);
    assert.ok(!listed.has(id), `${id} is not listed`);
  }
});

test('a money trail from a labelled account: relays and a round trip are evidence; a victim, a relative and a late payer are not', async () => {
  const people = ['A', 'B', 'SINK', 'Z0', 'Y1', 'Y2', 'VICTIM', 'RELATIVE', 'LATE', 'Q'];
  const tx = ordinaryLives(people, 60);
  // L → A → B → SINK within a day, each hop keeping 97%.
  tx.push({ from: 'L', to: 'A', amount: 5000, day: 20, hour: 9 });
  tx.push({ from: 'A', to: 'B', amount: 4850, day: 20, hour: 13 });
  tx.push({ from: 'B', to: 'SINK', amount: 4700, day: 20, hour: 20 });
  // A cycle through L: Z0 → Y1 → L → Y2 → Z0 on day 30.
  tx.push({ from: 'Z0', to: 'Y1', amount: 3000, day: 30, hour: 8 });
  tx.push({ from: 'Y1', to: 'L', amount: 2910, day: 30, hour: 12 });
  tx.push({ from: 'L', to: 'Y2', amount: 2820, day: 30, hour: 15 });
  tx.push({ from: 'Y2', to: 'Z0', amount: 2740, day: 30, hour: 20 });
  // A victim pays L; a relative receives from L and keeps it; LATE receives from L and pays as much on 3 days later.
  tx.push({ from: 'VICTIM', to: 'L', amount: 400, day: 12, hour: 11 });
  tx.push({ from: 'L', to: 'RELATIVE', amount: 600, day: 40, hour: 10 });
  tx.push({ from: 'L', to: 'LATE', amount: 800, day: 45, hour: 10 });
  tx.push({ from: 'LATE', to: 'Q', amount: 780, day: 48, hour: 10 });
  const out = await analyse(tx, { labels: { L: 'fraud' }, days: 60 });
  const at = (id: string) => indexOf(out, id);
  const reasons = (id: string) => out.reasons[at(id)]!;
  assert.ok(reasons('A').includes('RELAYED:L:1'), reasons('A').join(' | '));
  assert.ok(reasons('B').includes('RELAYED:L:2'), reasons('B').join(' | '));
  assert.ok(reasons('Y1').includes('RELAYED:L:1'), reasons('Y1').join(' | '));
  assert.ok(reasons('Y2').includes('RELAYED:L:1'), reasons('Y2').join(' | '));
  assert.ok(
    reasons('Z0').some((r) => r.startsWith('RELAYED:L:')),
    `the cycle's first account: ${reasons('Z0').join(' | ')}`,
  );
  const listed = new Set(out.candidates.map((e) => e.accountId));
  for (const id of ['A', 'B', 'Y1', 'Y2', 'Z0']) assert.ok(listed.has(id), `${id} is listed (score ${out.score[at(id)]})`);
  for (const id of ['SINK', 'VICTIM', 'RELATIVE', 'LATE', 'Q']) {
    assert.ok(!reasons(id).some((r) => r.startsWith('RELAYED')), `${id}: ${reasons(id).join(' | ')}`);
    assert.ok(!listed.has(id), `${id} is not listed`);
  }
});

test('a relay chain without labels: its relays carry RELAY_CHAIN and the chain length; its ends, a halved payment and a late one do not', async () => {
  const people = ['S', 'R1', 'R2', 'R3', 'R4', 'E', 'H1', 'H2', 'SLOW1', 'SLOW2'];
  const tx = ordinaryLives(people, 60);
  // S → R1 → R2 → R3 → R4 → E within a day, each hop keeping 96–99%: five transfers.
  const hops = ['S', 'R1', 'R2', 'R3', 'R4', 'E'];
  let amount = 6000;
  for (let k = 0; k + 1 < hops.length; k++) {
    tx.push({ from: hops[k]!, to: hops[k + 1]!, amount, day: 25, hour: 6 + 3 * k });
    amount = Math.round(amount * 0.97);
  }
  // Not relays: H1 passes on half of what it got; SLOW1 passes it on two days later.
  tx.push({ from: 'S', to: 'H1', amount: 2000, day: 35, hour: 9 });
  tx.push({ from: 'H1', to: 'H2', amount: 1000, day: 35, hour: 12 });
  tx.push({ from: 'H2', to: 'SLOW1', amount: 990, day: 35, hour: 15 });
  tx.push({ from: 'SLOW1', to: 'SLOW2', amount: 980, day: 37, hour: 15 });
  const out = await analyse(tx, { days: 60 });
  const at = (id: string) => indexOf(out, id);
  const reasons = (id: string) => out.reasons[at(id)]!;
  for (const id of ['R1', 'R2', 'R3', 'R4']) assert.ok(reasons(id).includes('RELAY_CHAIN:5'), `${id}: ${reasons(id).join(' | ')}`);
  for (const id of ['S', 'E', 'H1', 'H2', 'SLOW1', 'SLOW2'])
    assert.ok(!reasons(id).some((r) => r.startsWith('RELAY_CHAIN')), `${id}: ${reasons(id).join(' | ')}`);
});
