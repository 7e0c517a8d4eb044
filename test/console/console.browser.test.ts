// The console in a real browser: Debian's chromium driven by playwright-core against a real server
// (real Neo4j, real Redis, a recompute worker) holding an analysed graph. A missing browser fails the
// test: scripts/test.mjs installs chromium when it can, and this file never skips.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../../dev/chromium.js';
import { createSuccessorRepository } from '../../src/neo4j/repositories/successors.js';
import { createRecomputeWorker } from '../../src/runs/recompute-worker.js';
import { buildServer } from '../../src/server.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';
import { createKeys, type Keys } from '../helpers/app.js';
import { ROOT, testLogger } from '../helpers/env.js';
import { handEvidence } from '../helpers/evidence.js';

// In-page code runs in the browser; the suite compiles without the DOM library.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ARTIFACTS = path.join(ROOT, 'artifacts', 'console');

/** Pixels of the screenshot that are neither the white background nor grey (edges, borders). */
async function colouredPixels(page: Page, png: Buffer): Promise<{ coloured: number; nonWhite: number; total: number }> {
  return page.evaluate(async (b64: string) => {
    const img = new window.Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const data: Uint8ClampedArray = ctx.getImageData(0, 0, img.width, img.height).data;
    let coloured = 0;
    let nonWhite = 0;
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i]!;
      const g = data[i + 1]!;
      const b = data[i + 2]!;
      if (r < 245 || g < 245 || b < 245) nonWhite++;
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
    }
    return { coloured, nonWhite, total: data.length / 4 };
  }, png.toString('base64'));
}

describe('console in chromium', { timeout: 300_000 }, () => {
  let s: AnalysedServices;
  let keys: Keys;
  let server: FastifyInstance;
  let worker: Worker;
  let base: string;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  let labelledAccount = '';

  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  };
  const api = async (url: string) => {
    const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${keys.admin}` } });
    assert.equal(res.status, 200, `${url}: ${res.status}`);
    return res.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  /** The account panel's heading once it shows `id`. */
  const panelShows = (id: string) => page.locator('.panel h2', { hasText: id }).waitFor({ timeout: 20_000 });

  before(async () => {
    assert.ok(
      fs.existsSync(CHROMIUM),
      `chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set ACCTNET_CHROMIUM`,
    );
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    s = await openAnalysedServices({}, { accounts: 800, seed: 9 });
    keys = await createKeys(s);
    const log = testLogger();
    worker = createRecomputeWorker({
      config: s.config,
      driver: s.driver,
      redis: s.rt.redis(),
      webhookQueue: s.rt.webhookQueue(),
      log,
    });
    server = await buildServer({ config: s.config, runtime: s.rt, logger: log });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const address = server.server.address();
    assert.ok(address && typeof address === 'object');
    base = `http://127.0.0.1:${address.port}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await worker?.close();
    await s?.close();
  });

  test('a wrong key is refused on the sign-in page', async () => {
    await page.goto(`${base}/`);
    await page.locator('#key').fill('acctnet_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.login [role=alert].error').waitFor();
    assert.match(await page.locator('.login [role=alert]').innerText(), /API key|unknown|rejected/i);
    await page.locator('#key').fill(keys.gateway);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.login [role=alert]', { hasText: 'gateway' }).waitFor();
  });

  test('sign in, open the riskiest cluster, see it drawn with WebGL, click an account, label it fraud', async () => {
    await page.locator('#key').fill(keys.investigator);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('table.clusters tbody tr').first().waitFor();
    await shot('clusters');

    const riskiest = (await api('/v1/clusters?sort=risk&limit=1&minSize=2')).items[0];
    const firstLink = page.locator('table.clusters tbody tr a').first();
    assert.equal(await firstLink.innerText(), riskiest.clusterId, 'the clusters page lists the riskiest cluster first');
    await firstLink.click();

    await page.locator('.graph canvas.sigma-nodes').waitFor();
    const gl = await page.evaluate(() => {
      const canvas = document.querySelector('.graph canvas.sigma-nodes');
      const ctx = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
      return ctx ? { lost: ctx.isContextLost(), version: String(ctx.getParameter(ctx.VERSION)) } : null;
    });
    assert.ok(gl, 'sigma draws the nodes into a WebGL context');
    assert.equal(gl.lost, false);
    // Wait for ForceAtlas2 to settle, then read the pixels of a screenshot (WebGL canvases read back blank).
    await page.waitForFunction(() => window.acctnetGraph && !window.acctnetGraph.layoutRunning(), undefined, { timeout: 30_000 });
    await page.waitForTimeout(300);
    const graphShot = await page.locator('.graph').screenshot({ path: path.join(ARTIFACTS, 'cluster-graph.png') });
    const pixels = await colouredPixels(page, graphShot);
    const detail = await api(`/v1/clusters/${riskiest.clusterId}`);
    assert.ok(detail.graph.nodes.length >= 2);
    assert.ok(
      pixels.coloured > 40 * detail.graph.nodes.length,
      `nodes drawn: ${pixels.coloured} coloured pixels of ${pixels.total} for ${detail.graph.nodes.length} nodes`,
    );
    await shot('cluster');

    // An account that is not listed yet, drawn apart from the others so a click lands on it.
    const served = await api('/v1/blacklist?format=json');
    const listed = new Set<string>(served.entries.map((e: { accountId: string }) => e.accountId));
    const candidates = detail.members.filter((m: { accountId: string; label: string | null }) => !listed.has(m.accountId) && !m.label);
    assert.ok(candidates.length > 0, 'the riskiest cluster of the seeded world has an unlisted, unlabelled member');
    const target = await page.evaluate(
      (ids: string[]) => {
        const g = window.acctnetGraph;
        const all = g.graph.nodes().map((id: string) => ({ id, p: g.viewportOf(id) }));
        let best: { id: string; gap: number; p: { x: number; y: number } } | null = null;
        for (const id of ids) {
          const p = g.viewportOf(id);
          if (!p) continue;
          let gap = Infinity;
          for (const o of all) if (o.id !== id) gap = Math.min(gap, Math.hypot(o.p.x - p.x, o.p.y - p.y));
          if (!best || gap > best.gap) best = { id, gap, p };
        }
        return best;
      },
      candidates.map((m: { accountId: string }) => m.accountId),
    );
    assert.ok(target, 'a candidate is drawn');
    const box = (await page.locator('.graph').boundingBox())!;
    await page.mouse.move(box.x + target.p.x, box.y + target.p.y);
    await page.locator('.tooltip', { hasText: target.id }).waitFor({ timeout: 5_000 });
    await page.mouse.click(box.x + target.p.x, box.y + target.p.y);
    await panelShows(target.id);
    assert.match(page.url(), new RegExp(`account=${encodeURIComponent(target.id)}`));
    await shot('account-panel');

    const labelForm = page.getByRole('form', { name: 'Label this account' });
    await labelForm.locator('select[name=label]').selectOption('fraud');
    await labelForm.locator('input[name=note]').fill('browser test: confirmed by chargebacks');
    await labelForm.getByRole('button', { name: 'Add label' }).click();
    const audit = page.locator('.action-result .audit');
    await audit.waitFor();
    const auditText = await audit.innerText();
    assert.match(auditText, new RegExp(target.id));
    assert.match(auditText, /test investigator \(investigator\)/);
    const labels = await api(`/v1/accounts/${encodeURIComponent(target.id)}/labels`);
    assert.equal(labels.current?.label, 'fraud');
    assert.equal(labels.current?.note, 'browser test: confirmed by chargebacks');
    await shot('labelled');
    labelledAccount = target.id;
  });

  test('trigger a recompute on the Runs page, follow its progress, see the blacklist change', async () => {
    assert.ok(labelledAccount, 'the previous test labelled an account');
    const before = (await api('/v1/blacklist/versions')).servedVersion as number;
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('button', { name: 'Request a recompute' }).click();
    await page.locator('.audit', { hasText: 'recompute' }).waitFor();
    // The worker picks it up; the page polls until the new run is finished.
    await page
      .waitForFunction(
        (v: number) => {
          const cells = [...document.querySelectorAll('table.runs tbody tr:first-child td')].map((td: any) => td.textContent);
          return cells[1] === 'succeeded' && cells[7] !== '–' && Number(String(cells[7]).slice(1)) > v;
        },
        before,
        { timeout: 120_000, polling: 500 },
      )
      .catch(async (err: Error) => {
        // Say what the runs and the list were doing, not only that the page did not change.
        const runs = await api('/v1/runs?limit=3');
        const versions = await api('/v1/blacklist/versions');
        const row = await page.locator('table.runs tbody tr:first-child').textContent();
        throw new Error(
          `${err.message}\nfirst row on the page: ${row}\nruns: ${JSON.stringify(runs).slice(0, 3000)}\nversions: ${JSON.stringify(versions).slice(0, 1500)}`,
        );
      });
    await shot('runs');
    const after = (await api('/v1/blacklist/versions')).servedVersion as number;
    assert.ok(after > before, `a new version is served (${before} → ${after})`);

    await page.getByRole('link', { name: 'Blacklist' }).click();
    await page.locator('.served', { hasText: `version ${after}` }).waitFor();
    await page.locator('#since').selectOption(String(before));
    await page.getByRole('button', { name: 'Show changes' }).click();
    await page.locator('.diff', { hasText: labelledAccount }).waitFor({ timeout: 10_000 });
    const diff = await api(`/v1/blacklist?since=${before}`);
    assert.ok(
      diff.added.some((e: { accountId: string }) => e.accountId === labelledAccount),
      'the account labelled fraud is added to the list',
    );
    await shot('blacklist-diff');
  });

  test('new successors: more than a page of them; "Show more" lists the rest', async () => {
    const successors = createSuccessorRepository(s.driver, s.config.neo4j);
    const now = Date.now();
    const evidence = handEvidence();
    for (let k = 0; k < 205; k++)
      await successors.record(
        {
          from: 'PAGEPRED',
          to: `PAGESUCC${String(k).padStart(3, '0')}`,
          score: 0.8,
          listScore: 0.8,
          fallAt: now - 86_400_000,
          riseAt: now,
          depth: 1,
          evidence,
        },
        now - k * 1000,
      );
    await page.goto(`${base}/ui/#/successors`);
    const more = page.getByRole('button', { name: 'Show 200 more' });
    await more.waitFor();
    const rows = page.locator('table tbody tr');
    assert.equal(await rows.count(), 200, 'the first page');
    assert.equal(await rows.first().locator('td').nth(1).innerText(), 'PAGESUCC000', 'newest first');
    await more.click();
    await page.locator('p', { hasText: '205 shown.' }).waitFor();
    assert.equal(await rows.count(), 205);
    assert.equal(await more.count(), 0, 'nothing more to show');
    await shot('successors');
  });

  test('jump along a migration link', async () => {
    const migrations = (await api('/v1/migrations?limit=50')).items as Array<{ from: string; to: string; score: number }>;
    assert.ok(migrations.length > 0, 'the seeded world has migrations');
    const m = migrations[0]!;
    await page.goto(`${base}/ui/#/accounts/${encodeURIComponent(m.from)}`);
    await panelShows(m.from);
    const link = page.locator('.panel ul.migrations a', { hasText: m.to }).first();
    await link.waitFor();
    await shot('migration-from');
    await link.click();
    await panelShows(m.to);
    await page.locator('.panel ul.migrations a', { hasText: m.from }).first().waitFor();
    await shot('migration-to');
  });

  test('keyboard: the member list opens an account; an expired key returns to sign-in', async () => {
    const member = page.locator('.member-list button').first();
    await member.focus();
    const id = await member.innerText();
    await page.keyboard.press('Enter');
    await panelShows(id);

    const listed = await api('/v1/keys');
    const mine = listed.items.find((k: { name: string }) => k.name === 'test investigator');
    const revoke = await fetch(`${base}/v1/keys/${mine.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${keys.admin}` } });
    assert.equal(revoke.status, 200);
    await page.getByRole('link', { name: 'Clusters' }).click();
    await page.locator('.login [role=alert]', { hasText: 'sign in again' }).waitFor();
    assert.deepEqual(
      consoleErrors.filter((e) => !/401|Unauthorized/.test(e)),
      [],
      'no script errors in the page',
    );
  });
});
