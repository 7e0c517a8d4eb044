// The investigator's everyday questions in a real browser (Debian's chromium via playwright-core,
// real server, Neo4j and Redis): find an account by prefix, look up a pasted list, read the legend
// and the reasons in words, follow money along a planted chain, export a case, work the review list.
// A missing browser fails the test (as console.browser.test.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { CHROMIUM, launchChromium } from '../../dev/chromium.js';
import { administer } from '../../src/blacklist/admin.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { buildServer } from '../../src/server.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';
import { createKeys, type Keys } from '../helpers/app.js';
import { ROOT, testLogger } from '../helpers/env.js';
import { seedTransfers } from '../helpers/seed.js';

// In-page code runs in the browser; the suite compiles without the DOM library.
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const ARTIFACTS = path.join(ROOT, 'artifacts', 'console');
const DAY = 86_400_000;

describe('investigator console in chromium', { timeout: 600_000 }, () => {
  let s: AnalysedServices;
  let keys: Keys;
  let server: FastifyInstance;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let plantedAsOf = 0;

  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  };
  const api = async (url: string) => {
    const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${keys.admin}` } });
    assert.equal(res.status, 200, `${url}: ${res.status}`);
    return res.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const panelShows = (id: string) => page.locator('.panel h2', { hasText: id }).first().waitFor({ timeout: 30_000 });

  before(async () => {
    assert.ok(
      fs.existsSync(CHROMIUM),
      `chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set ACCTNET_CHROMIUM`,
    );
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // The bar for the learned model is lowered so a small world trains it and has a review list.
    s = await openAnalysedServices({ ACCTNET_LEARNED_MIN_FRAUD_LABELS: '5' }, { accounts: 800, seed: 9 });
    keys = await createKeys(s);
    server = await buildServer({ config: s.config, runtime: s.rt, logger: testLogger() });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const address = server.server.address();
    assert.ok(address && typeof address === 'object');
    base = `http://127.0.0.1:${address.port}`;
    // A planted chain inside the served window: PLANT-A → B → C → D, in time order.
    const asOf = Date.parse((await api('/v1/runs?limit=1')).items[0].asOf);
    const currency = s.config.analysis.baseCurrency;
    await seedTransfers(
      s.driver,
      s.config,
      [
        ['pl-1', 'PLANT-A', 'PLANT-B', '10000.00', 10],
        ['pl-2', 'PLANT-B', 'PLANT-C', '9500.00', 9],
        ['pl-3', 'PLANT-C', 'PLANT-D', '9000.00', 8],
        ['pl-4', 'PLANT-A', 'PLANT-E', '3000.00', 10],
        ['pl-5', 'PLANT-E', 'PLANT-D', '2000.00', 9],
      ].map(([txId, from, to, amount, days]) => ({
        txId: String(txId),
        from: String(from),
        to: String(to),
        amount: String(amount),
        currency,
        at: asOf - Number(days) * DAY,
        channel: 'wire',
      })),
      'plant',
    );
    // A planted migration outside any cluster: MIGR-OLD trades with C1..C3 from 40 to 27 days before
    // asOf, then goes quiet (the fall); MIGR-NEW takes the same counterparties over from day 20 (the rise).
    const migration: Array<[string, string, number]> = [];
    for (const d of [40, 37, 34, 31, 28])
      migration.push(['MIGR-C1', 'MIGR-OLD', d], ['MIGR-OLD', 'MIGR-C2', d - 1], ['MIGR-C3', 'MIGR-OLD', d]);
    for (const d of [20, 17, 14, 11, 8])
      migration.push(['MIGR-C1', 'MIGR-NEW', d], ['MIGR-NEW', 'MIGR-C2', d - 1], ['MIGR-C3', 'MIGR-NEW', d]);
    await seedTransfers(
      s.driver,
      s.config,
      migration.map(([from, to, days], k) => ({
        txId: `mg-${k}`,
        from,
        to,
        amount: '500.00',
        currency,
        at: asOf - days * DAY,
        channel: 'p2p',
      })),
      'plant-migration',
    );
    plantedAsOf = asOf;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    await page.goto(`${base}/`);
    await page.locator('#key').fill(keys.investigator);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('table.clusters tbody tr').first().waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await s?.close();
  });

  test('Find account: prefix suggestions say listed / label / cluster; Enter opens the account', async () => {
    const listed = (await api('/v1/blacklist?format=json')).entries[0] as { accountId: string; clusterId: string | null };
    const find = page.getByRole('combobox', { name: 'Find account' });
    await find.fill(listed.accountId);
    const option = page.getByRole('listbox', { name: 'Accounts found' }).getByRole('option', { name: new RegExp(`^${listed.accountId}`) });
    await option.waitFor();
    assert.match(await option.innerText(), /(^|· | )listed\b/);
    if (listed.clusterId) assert.match(await option.innerText(), new RegExp(`cluster ${listed.clusterId}`));
    await find.press('Enter');
    await panelShows(listed.accountId);

    // An account outside any cluster opens on its own page.
    await find.fill('PLANT-');
    await page
      .getByRole('listbox', { name: 'Accounts found' })
      .getByRole('option', { name: /PLANT-A/ })
      .waitFor();
    const suggestions = page.getByRole('listbox', { name: 'Accounts found' }).getByRole('option');
    assert.equal(await suggestions.count(), 5);
    assert.match(await suggestions.first().innerText(), /PLANT-A\s+not listed · no cluster/);
    await shot('find-suggestions');
    await find.press('Enter');
    await panelShows('PLANT-A');
    assert.match(page.url(), /#\/accounts\/PLANT-A$/);
  });

  test('a pasted list of three ids shows listed?, score, cluster, label per account', async () => {
    const entries = (await api('/v1/blacklist?format=json')).entries as Array<{ accountId: string; clusterId: string | null }>;
    const ids = [entries[0]!.accountId, 'PLANT-B', 'NOBODY-42'];
    const find = page.getByRole('combobox', { name: 'Find account' });
    await find.focus();
    await page.evaluate((text: string) => {
      const dt = new window.DataTransfer();
      dt.setData('text/plain', text);
      window.document.activeElement.dispatchEvent(
        new window.ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }),
      );
    }, ids.join('\n'));
    const rows = page.locator('table.lookup tbody tr');
    await rows.nth(2).waitFor({ timeout: 20_000 });
    assert.equal(await rows.count(), 3);
    const cells = async (k: number) => (await rows.nth(k).locator('td').allInnerTexts()).map((t) => t.trim());
    const first = await cells(0);
    assert.equal(first[0], ids[0]);
    assert.equal(first[1], 'listed');
    assert.match(first[2]!, /^[01]\.\d\d$/);
    assert.equal(first[4], entries[0]!.clusterId ?? '–');
    assert.deepEqual((await cells(1)).slice(0, 2), ['PLANT-B', 'no']);
    assert.deepEqual((await cells(2)).slice(0, 2), ['NOBODY-42', 'unknown account']);
    await shot('find-list');
  });

  test('legend under the graph; reasons in words with links to the accounts behind them', async () => {
    const top = (await api('/v1/clusters?sort=risk&limit=1&minSize=2')).items[0];
    await page.goto(`${base}/ui/#/clusters/${top.clusterId}`);
    const legend = page.getByRole('figure', { name: 'Legend' });
    await legend.waitFor();
    const legendText = await legend.innerText();
    for (const words of ['size = PageRank', 'red ring = labelled fraud', 'edge width = amount', 'pass through', 'collector'])
      assert.ok(legendText.includes(words), `legend says "${words}": ${legendText}`);
    // The cluster's reasons: words, with member links that open the member.
    const reason = page
      .locator('.panel ul.reasons > li')
      .filter({ has: page.locator('ul.behind') })
      .first();
    await reason.waitFor({ timeout: 30_000 });
    const text = await reason.locator('.reason-text').innerText();
    assert.match(text, /members? (is|are) labelled fraud|members have a risk of/);
    assert.doesNotMatch(text, /^[A-Z_]+:/, 'words, not a code');
    await page.waitForFunction(() => window.acctnetGraph && !window.acctnetGraph.layoutRunning(), undefined, { timeout: 60_000 });
    await shot('cluster-legend-reasons');
    const member = reason.locator('ul.behind button').first();
    const memberId = await member.innerText();
    await member.click();
    await panelShows(memberId);

    // An account whose flow reason names its risky senders: the link opens the sender.
    const detail = await api(`/v1/clusters/${top.clusterId}`);
    let explained: { accountId: string; behind: string; text: string } | null = null;
    for (const m of detail.members.slice(0, 40)) {
      const a = await api(`/v1/accounts/${encodeURIComponent(m.accountId)}`);
      const e = a.explanations.find((x: { code: string; accounts: unknown[] }) => x.code.startsWith('FUNDS_') && x.accounts.length);
      if (e) {
        explained = { accountId: m.accountId, behind: e.accounts[0].accountId, text: e.text };
        break;
      }
    }
    assert.ok(explained, 'a member of the riskiest cluster has a flow reason with the accounts behind it');
    await page.goto(`${base}/ui/#/accounts/${encodeURIComponent(explained.accountId)}`);
    await panelShows(explained.accountId);
    const item = page.locator('.panel ul.reasons > li', { hasText: explained.text });
    await item.waitFor();
    assert.match(explained.text, /^\d+% of the money it (received|sent)/);
    await shot('account-reasons');
    await item.locator('ul.behind a', { hasText: explained.behind }).first().click();
    await panelShows(explained.behind);
  });

  test('follow money: the planted chain drawn with amounts and dates', async () => {
    await page.goto(`${base}/ui/#/accounts/PLANT-A`);
    await panelShows('PLANT-A');
    await page.getByRole('textbox', { name: 'Path to account' }).fill('PLANT-D');
    await page.getByRole('button', { name: 'Follow money' }).click();
    const rows = page.locator('ol.paths > li').first().locator('table.path-transfers tbody tr');
    await rows.nth(2).waitFor({ timeout: 60_000 });
    const expected = (await api('/v1/accounts/PLANT-A/paths?to=PLANT-D&hops=4&paths=5')).paths;
    assert.deepEqual(expected[0].accounts, ['PLANT-A', 'PLANT-B', 'PLANT-C', 'PLANT-D']);
    const shown = [];
    for (let k = 0; k < 3; k++) shown.push((await rows.nth(k).locator('td').allInnerTexts()).map((t) => t.trim()));
    assert.deepEqual(
      shown.map((r) => [r[0], r[1], r[2]]),
      expected[0].transfers.map((t: { at: string; source: string; target: string }) => [
        t.at.replace('T', ' ').slice(0, 16),
        t.source,
        t.target,
      ]),
    );
    assert.equal(await page.locator('ol.paths > li').count(), 2);
    // Drawn: the graph holds the path's accounts and each edge carries its amount and date.
    const drawn = await page.evaluate(() => {
      const g = window.acctnetGraph.graph;
      return {
        nodes: g.nodes().sort(),
        edges: g.mapEdges((_e: string, a: { label: string }, s: string, t: string) => `${s}>${t} ${a.label}`).sort(),
      };
    });
    assert.deepEqual(drawn.nodes, ['PLANT-A', 'PLANT-B', 'PLANT-C', 'PLANT-D', 'PLANT-E']);
    const first = expected[0].transfers[0];
    assert.ok(drawn.edges.includes(`PLANT-A>PLANT-B 10,000 ${first.currency} · ${first.at.slice(0, 10)}`), drawn.edges.join(' | '));
    await page.getByRole('figure', { name: 'Legend' }).waitFor();
    await page.waitForTimeout(500);
    await shot('paths');
  });

  /** Relations the graph draws now (sigma's reduced display data), as "source>target". */
  const shownEdges = () =>
    page.evaluate(() => {
      const v = window.acctnetGraph;
      return v.graph
        .filterEdges((e: string) => !v.sigma.getEdgeDisplayData(e).hidden)
        .map((e: string) => `${v.graph.source(e)}>${v.graph.target(e)}`)
        .sort();
    });
  const fadedNodes = () =>
    page.evaluate(() => {
      const v = window.acctnetGraph;
      return v.graph.filterNodes((n: string) => v.sigma.getNodeDisplayData(n).color === '#e4e7ec').sort();
    });
  const dayOf = (ms: number) => String(Math.floor(ms / DAY));

  test('time slider on a neighbourhood: before the fall the predecessor trades, after the rise the successor; Play moves forward', async () => {
    await page.goto(`${base}/ui/#/accounts/MIGR-C1`);
    await panelShows('MIGR-C1');
    const from = page.getByRole('slider', { name: 'From date' });
    const to = page.getByRole('slider', { name: 'To date' });
    await to.waitFor({ timeout: 30_000 });
    const all = await shownEdges();
    const old = ['MIGR-C1>MIGR-OLD', 'MIGR-C3>MIGR-OLD', 'MIGR-OLD>MIGR-C2'];
    const successor = ['MIGR-C1>MIGR-NEW', 'MIGR-C3>MIGR-NEW', 'MIGR-NEW>MIGR-C2'];
    assert.deepEqual(all, [...old, ...successor].sort(), 'the whole period shows both');
    assert.equal(await from.getAttribute('min'), dayOf(plantedAsOf - 40 * DAY));
    assert.equal(await to.getAttribute('max'), dayOf(plantedAsOf - 7 * DAY));

    // Before the fall (up to 24 days before asOf): the predecessor's relations only.
    await to.fill(dayOf(plantedAsOf - 24 * DAY));
    assert.deepEqual(await shownEdges(), old.sort());
    assert.deepEqual(await fadedNodes(), ['MIGR-NEW']);
    const status = page.locator('.time-slider [role=status]');
    assert.match(
      await status.innerText(),
      /^Transfers from \d+ \w+ \d{4} to \d+ \w+ \d{4} \(17 days\): 3 of 6 relations and 4 of 5 accounts active\.$/,
    );
    assert.equal(
      await to.getAttribute('aria-valuetext'),
      new Date(plantedAsOf - 24 * DAY).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
    );
    await shot('time-slider-before');
    // After the rise (from 22 days before asOf on): the successor's only. From pushes To along.
    await from.fill(dayOf(plantedAsOf - 22 * DAY));
    assert.equal(await to.inputValue(), dayOf(plantedAsOf - 22 * DAY), 'the handles do not cross');
    await to.fill(dayOf(plantedAsOf - 7 * DAY));
    assert.deepEqual(await shownEdges(), successor.sort());
    assert.deepEqual(await fadedNodes(), ['MIGR-OLD']);
    await shot('time-slider-after');
    // By keyboard: one day earlier on To.
    await to.focus();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await to.inputValue(), dayOf(plantedAsOf - 8 * DAY));

    // Play from the whole period: a window from the first day moves forward to the last.
    await page.getByRole('button', { name: 'Whole period' }).click();
    assert.deepEqual(await shownEdges(), all);
    await page.getByRole('button', { name: 'Play' }).click();
    assert.deepEqual(await shownEdges(), old.sort(), 'the window starts before the fall');
    assert.equal(await page.locator('.time-play').getAttribute('aria-pressed'), 'true');
    await page.waitForFunction(() => window.document.querySelector('.time-play').textContent === 'Play', undefined, { timeout: 60_000 });
    assert.deepEqual(await shownEdges(), successor.sort(), 'and ends after the rise');
    assert.equal(await to.inputValue(), dayOf(plantedAsOf - 7 * DAY));
  });

  test('time slider on a cluster hides the relations whose first transfer is after the range', async () => {
    const top = (await api('/v1/clusters?sort=risk&limit=1&minSize=2')).items[0];
    const detail = await api(`/v1/clusters/${top.clusterId}`);
    await page.goto(`${base}/ui/#/clusters/${top.clusterId}`);
    const to = page.getByRole('slider', { name: 'To date' });
    await to.waitFor({ timeout: 30_000 });
    const edges = detail.graph.edges as Array<{ source: string; target: string; first: string; last: string }>;
    const firsts = edges.map((e) => Math.floor(Date.parse(e.first) / DAY)).sort((a, b) => a - b);
    const cut = firsts[Math.floor(firsts.length / 2)]!;
    await to.fill(String(cut));
    const expected = edges.filter((e) => Math.floor(Date.parse(e.first) / DAY) <= cut).map((e) => `${e.source}>${e.target}`);
    assert.ok(expected.length > 0 && expected.length < edges.length, `the cut splits the relations: ${expected.length} of ${edges.length}`);
    assert.deepEqual(await shownEdges(), expected.sort());
  });

  test('case export: JSON valid against its schema, a printable page, an audit entry each', async () => {
    const schema = await api('/v1/cases/schema');
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const compiled = ajv.compile(schema);
    const validate = Object.assign((d: unknown): boolean => compiled(d), {
      get errors() {
        return compiled.errors;
      },
    });
    await page.goto(`${base}/ui/#/accounts/PLANT-C`);
    await panelShows('PLANT-C');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export case (JSON)' }).click()]);
    assert.match(download.suggestedFilename(), /^case-account-PLANT-C-.*\.json$/);
    const file = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
    assert.ok(validate(file), JSON.stringify(validate.errors));
    assert.equal(file.subject.id, 'PLANT-C');
    assert.deepEqual(file.transfers.map((t: { txId: string }) => t.txId).sort(), ['pl-2', 'pl-3']);
    await page.locator('.case-result', { hasText: file.auditId }).waitFor();

    const [printable] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Printable case' }).click()]);
    await printable.waitForLoadState();
    await printable.locator('h1', { hasText: 'Case: account PLANT-C' }).waitFor();
    assert.equal(await printable.locator('table').count(), 2, 'accounts and transfers (no migration table: none)');
    assert.ok((await printable.locator('body').innerText()).includes('PLANT-B'));
    await printable.setViewportSize({ width: 1100, height: 900 });
    await printable.screenshot({ path: path.join(ARTIFACTS, 'case-printable.png') });
    await printable.close();
    const audit = (await api('/v1/audit?limit=5')).items.filter((a: { action: string }) => a.action === 'case.export');
    assert.deepEqual(
      audit.slice(0, 2).map((a: { target: string; details: { format: string } }) => [a.target, a.details.format]),
      [
        ['account:PLANT-C', 'html'],
        ['account:PLANT-C', 'json'],
      ],
    );
  });

  test('review list: reasons in words, confirm writes an audit entry, keyboard reachable, no page errors', async () => {
    const review = await api('/v1/review?limit=50');
    assert.ok(review.items.length > 0, 'the seeded world has model-only candidates');
    await page.getByRole('link', { name: 'Review' }).click();
    const rows = page.locator('table.review tbody tr');
    await rows.first().waitFor({ timeout: 30_000 });
    assert.equal(await rows.count(), review.items.length);
    const item = review.items[0] as { accountId: string; reasons: string[] };
    const row = page.locator(`table.review tbody tr[data-account="${item.accountId}"]`);
    assert.match(await row.locator('ul.reasons').innerText(), /learned model scores it [0-9.]+ — calibrated on investigated accounts/);
    await shot('review');
    // By keyboard: focus the confirm button and press Enter.
    await row.getByRole('button', { name: `Confirm ${item.accountId} as fraud` }).focus();
    await page.keyboard.press('Enter');
    await row.locator('.audit').waitFor({ timeout: 20_000 });
    assert.match(await row.locator('.audit').innerText(), new RegExp(`label\\.create on account:${item.accountId} by test investigator`));
    const labels = await api(`/v1/accounts/${encodeURIComponent(item.accountId)}/labels`);
    assert.equal(labels.current?.label, 'fraud');
    assert.equal(labels.current?.note, 'confirmed from the review list');
    const audit = (await api('/v1/audit?limit=3')).items[0];
    assert.equal(audit.action, 'label.create');
    assert.equal(audit.target, `account:${item.accountId}`);
    await shot('review-confirmed');
    assert.deepEqual(pageErrors, [], 'no script errors in the page');
  });
  test('review page: an open unlisting request (dual control) is confirmed by a second person and published', async () => {
    const listed = (await api('/v1/blacklist')).entries[0].accountId as string;
    const id = 'ovr_browser-review';
    await createBlacklistRepository(s.driver, s.config.neo4j).requestOverride({
      id,
      accountId: listed,
      action: 'exclude',
      reason: 'customer proved the payments legitimate',
      requestedBy: 'another investigator',
      requestedByKey: 'key_another',
    });
    await page.getByRole('link', { name: 'Clusters' }).click();
    await page.getByRole('link', { name: 'Review' }).click();
    const row = page.locator(`table.pending-requests tbody tr[data-pending="${id}"]`);
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /keep off the list[\s\S]*customer proved the payments legitimate[\s\S]*another investigator/);
    await shot('review-pending-override');
    await row.getByRole('button', { name: 'Confirm' }).click();
    await row.locator('.audit').waitFor({ timeout: 20_000 });
    assert.match(await row.locator('.audit').innerText(), new RegExp(`override\\.confirm on account:${listed}`));
    assert.ok(!(await api('/v1/blacklist')).entries.some((e: { accountId: string }) => e.accountId === listed), 'off the served list');
    assert.deepEqual(pageErrors, [], 'no script errors in the page');
  });
  // Last: it pins the list and runs again.
  test("account panel: while a pin holds a newer run's list, it says the list is an older run's", async () => {
    const served = await api('/v1/blacklist');
    const listed = served.entries[0].accountId as string;
    const before = await api(`/v1/accounts/${encodeURIComponent(listed)}`);
    assert.equal(before.blacklist.sameRun, true);
    await page.goto(`${base}/ui/#/accounts/${encodeURIComponent(listed)}`);
    await panelShows(listed);
    assert.equal(await page.locator('.panel .list-run-note').count(), 0, 'no note while the list is the analysis run’s');
    await administer(s.rt.publishDeps(), { keyId: 'test', name: 'test', role: 'admin' }, 'blacklist.pin', served.version);
    const second = await s.recompute();
    assert.equal(second.publication, 'held');
    await page.goto(`${base}/ui/#/clusters`);
    await page.goto(`${base}/ui/#/accounts/${encodeURIComponent(listed)}`);
    await panelShows(listed);
    const note = page.locator('.panel .list-run-note');
    await note.waitFor({ timeout: 30_000 });
    // Beside the listing it qualifies: "listed in vN — the served list was built from run …".
    const text = await note.locator('..').innerText();
    assert.ok(text.includes(`listed in v${served.version}`) && text.includes(before.runId) && text.includes(second.runId), text);
    // It names the held version, why it is held, and what it says about this account.
    const during = await api(`/v1/accounts/${encodeURIComponent(listed)}`);
    assert.equal(during.blacklist.held.version, second.blacklistVersion);
    assert.ok(text.includes(`is v${second.blacklistVersion}, held (version ${served.version} is pinned)`), text);
    assert.ok(text.includes(during.blacklist.held.listed ? 'it lists this account' : 'it does not list this account'), text);
    await shot('account-list-run-note');
    await administer(s.rt.publishDeps(), { keyId: 'test', name: 'test', role: 'admin' }, 'blacklist.unpin', null);
    assert.deepEqual(pageErrors, [], 'no script errors in the page');
  });
});
