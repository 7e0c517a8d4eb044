// The graph view's level of detail in chromium (software WebGL, as console.browser.test.ts): the
// console's own GraphView on the synthetic graphs bench:console measures (src/console/bench). What
// is drawn is read back from sigma (its graph and reduced display data). No server: the view alone.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../../dev/chromium.js';
import { ROOT } from '../helpers/env.js';

// In-page code runs in the browser; the suite compiles without the DOM library.
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const GROUP = '\u0000group:';
const BUDGET = 500;

describe('graph level of detail in chromium', { timeout: 300_000 }, () => {
  let browser: Browser;
  let server: http.Server;
  let base: string;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `chromium not found at ${CHROMIUM}`);
    const out = path.join(ROOT, 'artifacts', 'lod-page');
    fs.mkdirSync(out, { recursive: true });
    await build({
      entryPoints: [path.join(ROOT, 'src', 'console', 'bench', 'graph-bench.ts')],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      outfile: path.join(out, 'graph-bench.js'),
      logLevel: 'warning',
    });
    fs.copyFileSync(path.join(ROOT, 'src', 'console', 'bench', 'index.html'), path.join(out, 'index.html'));
    server = http.createServer((req, res) => {
      const file = path.join(out, path.basename(new URL(req.url ?? '/', 'http://x').pathname) || 'index.html');
      if (!fs.existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(fs.readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  const open = async (n: number, lod: boolean) => {
    await page?.close();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/index.html`);
    await page.waitForFunction(() => 'openView' in window);
    assert.equal(await page.evaluate(({ n, lod }) => window.openView(n, lod), { n, lod }), n);
  };

  /** The drawn graph: accounts drawn as themselves, aggregates with their sizes, relations. */
  const drawn = () =>
    page.evaluate((group: string) => {
      const v = window.view;
      const g = v.drawn();
      const accounts = g.filterNodes((n: string) => !n.startsWith(group));
      const groups = g.filterNodes((n: string) => n.startsWith(group));
      return {
        whole: g === v.graph,
        accounts,
        groups: groups.map((k: string) => ({ key: k, members: v.lod.members.get(k), label: g.getNodeAttribute(k, 'label') })),
        edges: g.mapEdges((_e: string, a: { merged?: number }, s: string, t: string) => ({ s, t, merged: a.merged ?? 0 })),
        fraud: v.graph.filterNodes((_n: string, a: { fraud: boolean }) => a.fraud),
        order: v.graph.order,
      };
    }, GROUP);

  test('a 3,000-account view draws the budget of accounts, groups the rest, bounds the relations', async () => {
    await open(3000, true);
    const d = await drawn();
    assert.equal(d.whole, false);
    // The whole view is visible: the weightiest BUDGET accounts (plus labelled fraud) are drawn.
    assert.ok(d.accounts.length >= BUDGET && d.accounts.length <= BUDGET + d.fraud.length, `${d.accounts.length} accounts drawn`);
    for (const f of d.fraud) assert.ok(d.accounts.includes(f), `labelled fraud ${f} drawn as itself`);
    const grouped = d.groups.flatMap((g: { members: string[] }) => g.members);
    assert.equal(new Set(grouped).size, grouped.length, 'each account in at most one group');
    assert.equal(grouped.length + d.accounts.length, 3000, 'every account drawn or grouped');
    for (const g of d.groups) assert.equal(g.label, `${g.members.length} account${g.members.length === 1 ? '' : 's'}`);
    assert.ok(d.groups.length > 0 && d.groups.length <= 2 * 12 * 12, `${d.groups.length} groups`);
    const isGroup = (k: string) => k.startsWith(GROUP);
    assert.equal(d.edges.filter((e: { s: string; t: string }) => isGroup(e.s) && isGroup(e.t)).length, 0, 'no group-to-group relations');
    const perGroup = new Map<string, number>();
    for (const e of d.edges) for (const k of [e.s, e.t]) if (isGroup(k)) perGroup.set(k, (perGroup.get(k) ?? 0) + 1);
    assert.ok(Math.max(...perGroup.values()) <= 3, 'at most 3 relations per group');
    assert.ok(
      d.edges.some((e: { merged: number }) => e.merged > 1),
      'merged relations sum several',
    );
    fs.mkdirSync(path.join(ROOT, 'artifacts', 'console'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'artifacts', 'console', 'level-of-detail.png') });
    // Drawn relations stay while the camera moves (the level of detail bounds them).
    assert.equal(await page.evaluate(() => window.view.sigma.getSetting('hideEdgesOnMove')), false);
  });

  test('selecting a grouped account draws it; clicking a group zooms in and splits it', async () => {
    const before = await drawn();
    const big = before.groups
      .filter((g: { key: string }) => g.key.includes(':in:'))
      .sort((a: any, b: any) => b.members.length - a.members.length)[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.ok(big && big.members.length >= 3, 'a group in view');
    const member = big.members[0];
    await page.evaluate((id: string) => window.view.select(id), member);
    assert.ok((await drawn()).accounts.includes(member), 'the selected account is drawn as itself');

    const ratio = await page.evaluate(() => window.view.sigma.getCamera().ratio);
    // What sigma's click reached (clickNode), to tell a click that missed its group from a group that
    // did not zoom.
    await page.evaluate(() => {
      window.clicked = [];
      window.view.sigma.on('clickNode', ({ node }: { node: string }) => window.clicked.push(node));
    });
    // The groups a click at their centre reaches (sigma's picking: no account drawn over it), largest first.
    const target = (await drawn()).groups.sort((a: any, b: any) => b.members.length - a.members.length); // eslint-disable-line @typescript-eslint/no-explicit-any
    const pickable = await page.evaluate(
      (keys: string[]) => {
        const v = window.view;
        const out: { key: string; at: { x: number; y: number } }[] = [];
        for (const key of keys) {
          const a = v.drawn().getNodeAttributes(key);
          const at = v.sigma.graphToViewport({ x: a.x, y: a.y });
          if (at.x > 0 && at.y > 0 && at.x < 1200 && at.y < 800 && v.sigma.getNodeAtPosition(at) === key) out.push({ key, at });
        }
        return out;
      },
      target.map((g: { key: string }) => g.key),
    );
    assert.ok(pickable.length > 0, 'a group that can be clicked');
    // The mouse goes to the group first: sigma hovers it (the same picking a click uses), so a group
    // the pointer does not reach (a drawing not yet current) is passed over rather than clicked blind.
    let pick: { key: string; at: { x: number; y: number } } | undefined;
    for (const p of pickable.slice(0, 5)) {
      await page.mouse.move(p.at.x, p.at.y);
      const hovered = await page
        .waitForFunction((k: string) => window.view.hovered === k, p.key, { timeout: 2_000 })
        .then(
          () => true,
          () => false,
        );
      if (hovered) {
        pick = p;
        break;
      }
    }
    assert.ok(pick, `the pointer hovers one of ${Math.min(5, pickable.length)} pickable groups`);
    const members: string[] = target.find((g: { key: string }) => g.key === pick.key).members;
    await page.mouse.click(pick.at.x, pick.at.y);
    const zoomed = await page
      .waitForFunction((r: number) => window.view.sigma.getCamera().ratio < r * 0.5, ratio, { timeout: 10_000 })
      .then(
        () => true,
        () => false,
      );
    const seen = await page.evaluate(() => ({ clicked: window.clicked, ratio: window.view.sigma.getCamera().ratio }));
    assert.ok(
      zoomed,
      `clicking group ${JSON.stringify(pick.key)} zooms in: clickNode saw ${JSON.stringify(seen.clicked)}, camera ratio ${ratio} → ${seen.ratio}`,
    );
    await page.evaluate(() => window.settle());
    const after = await drawn();
    // The group split: some members drawn as themselves, the others in smaller groups.
    const shown = members.filter((m: string) => after.accounts.includes(m)).length;
    assert.ok(shown > 0, `${shown} of ${members.length} members drawn after zooming in`);
    const largest = Math.max(
      0,
      ...after.groups
        .filter((g: { members: string[] }) => g.members.some((m) => members.includes(m)))
        .map((g: { members: string[] }) => g.members.length),
    );
    assert.ok(largest < members.length, `the members' largest group now holds ${largest} of ${members.length}`);
  });

  test('the time range fades a group only when none of its members traded in it', async () => {
    const result = await page.evaluate((group: string) => {
      const v = window.view;
      // Synthetic relations carry no dates: give each a day by its order, then pick the first half.
      const DAY = 86_400_000;
      let k = 0;
      v.graph.forEachEdge((e: string) => {
        const at = Date.UTC(2026, 0, 1) + (k++ % 60) * DAY;
        v.graph.mergeEdgeAttributes(e, { first: at, last: at });
      });
      v.applyLod();
      v.setTimeRange({ from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 1) + 10 * DAY - 1 });
      const g = v.drawn();
      const active = new Set<string>();
      v.graph.forEachEdge((e: string, _a: unknown, s: string, t: string) => {
        if (v.edgeInRange(e)) active.add(s).add(t);
      });
      const wrong: string[] = [];
      let faded = 0;
      g.forEachNode((n: string) => {
        const members = n.startsWith(group) ? v.lod.members.get(n) : [n];
        const expectFaded = !members.some((m: string) => active.has(m));
        const isFaded = v.sigma.getNodeDisplayData(n).color === '#e4e7ec';
        if (isFaded) faded++;
        if (expectFaded !== isFaded) wrong.push(n);
      });
      const hiddenWrong = g.filterEdges(
        (e: string, a: { first: number }) => v.sigma.getEdgeDisplayData(e).hidden !== a.first >= Date.UTC(2026, 0, 11),
      ).length;
      return { wrong, faded, hiddenWrong, order: g.order };
    }, GROUP);
    assert.deepEqual(result.wrong, []);
    assert.ok(result.faded > 0 && result.faded < result.order, `${result.faded} of ${result.order} faded`);
    assert.equal(result.hiddenWrong, 0);
  });

  test('small views and views with the level of detail off draw every account', async () => {
    await open(600, true);
    assert.equal((await drawn()).whole, true, '600 accounts: below the threshold');
    await open(2000, false);
    const d = await drawn();
    assert.equal(d.whole, true);
    assert.equal(d.accounts.length, 2000);
    assert.equal(await page.evaluate(() => window.view.sigma.getSetting('hideEdgesOnMove')), true, 'edges hidden while moving, as before');
    assert.deepEqual(pageErrors, []);
  });

  test("accounts named like Object.prototype's properties (__proto__, constructor, toString) are drawn with their relations", async () => {
    // graphology keeps neighbours in plain objects: such ids collided with the prototype and the
    // cluster page stopped drawing ("an edge … already exists").
    await open(50, true);
    const r = await page.evaluate(() => {
      const v = window.view;
      const some = v.graph.nodes()[0];
      const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
      const before = { order: v.graph.order, size: v.graph.size };
      v.add(
        ids.map((id: string) => ({ id, role: null, score: 0.5, label: id === 'constructor' ? 'fraud' : null })),
        [
          { source: some, target: '__proto__', count: 1, amount: 10 },
          { source: '__proto__', target: 'constructor', count: 1, amount: 10 },
          { source: 'constructor', target: 'toString', count: 2, amount: 10 },
          { source: 'toString', target: 'hasOwnProperty', count: 1, amount: 10 },
          { source: 'hasOwnProperty', target: some, count: 1, amount: 10 },
        ],
        some,
        { layout: false },
      );
      v.setLabel('toString', 'fraud');
      v.select('__proto__');
      return {
        added: v.graph.order - before.order,
        relations: v.graph.size - before.size,
        labels: v.graph
          .mapNodes((_k: string, a: { label: string }) => a.label)
          .filter((l: string) => ids.includes(l))
          .sort(),
        drawn: ids.map((id: string) => v.viewportOf(id) !== null),
      };
    });
    assert.deepEqual(r, {
      added: 4,
      relations: 5,
      labels: ['__proto__', 'constructor', 'hasOwnProperty', 'toString'],
      drawn: [true, true, true, true],
    });
    assert.deepEqual(pageErrors, []);
  });
});
