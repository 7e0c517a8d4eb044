// npm run bench:console [-- --sizes 10,500,2000,5000 --runs 3] — the console's graph view (sigma.js +
// ForceAtlas2 in a worker, the same GraphView class the cluster page uses) on synthetic graphs in
// Debian's chromium, headless with SwiftShader: software WebGL on the CPU, so a pessimistic figure for
// an investigator's laptop with a GPU. Reports time to first frame, layout time, and frames per second
// while the camera moves (every frame a full redraw), during the layout and after it (at the whole view
// and zoomed in to a third), each without and with the level of detail (src/console/lod.ts).
import { build } from 'esbuild';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../dev/chromium.js';
import { BENCH_DIR, ROOT, log, machine, median } from './common.js';

const { values: args } = parseArgs({
  options: { sizes: { type: 'string', default: '10,500,2000,5000' }, runs: { type: 'string', default: '3' } },
});

const out = path.join(BENCH_DIR, 'console');
fs.mkdirSync(out, { recursive: true });
await build({
  entryPoints: [path.join(ROOT, 'src', 'console', 'bench', 'graph-bench.ts')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  outfile: path.join(out, 'graph-bench.js'),
  logLevel: 'warning',
});
fs.copyFileSync(path.join(ROOT, 'src', 'console', 'bench', 'index.html'), path.join(out, 'index.html'));

const server = http.createServer((req, res) => {
  const file = path.join(out, path.basename(new URL(req.url ?? '/', 'http://x').pathname) || 'index.html');
  if (!fs.existsSync(file)) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(fs.readFileSync(file));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

type Result = {
  nodes: number;
  edges: number;
  firstFrameMs: number;
  layoutDoneMs: number;
  fpsDuringLayout: number;
  fps: number;
  fpsZoomed: number;
  drawnNodes: number;
  drawnEdges: number;
  drawnZoomed: number;
};
const browser = await launchChromium();
const report = [
  `### bench:console — ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: ${machine()}; load average at start ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(
      ' / ',
    )}; chromium headless, SwiftShader (software WebGL), viewport 1200×800. Median of ${args.runs} runs, each in a fresh page; per run, the view without and with the level of detail one after the other (same load).`,
  '',
  '| nodes | edges | level of detail | first frame | layout done | fps while the layout runs | drawn after (nodes / edges) | fps after | drawn zoomed in (⅓) | fps zoomed in | ≥ 30 fps after |',
  '| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
];
try {
  for (const n of String(args.sizes).split(',').map(Number)) {
    const results: Record<'off' | 'on', Result[]> = { off: [], on: [] };
    for (let k = 0; k < Number(args.runs); k++) {
      for (const lod of ['off', 'on'] as const) {
        const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${base}/index.html`);
        await page.waitForFunction(() => 'runGraphBench' in globalThis);
        const r = (await page.evaluate(`runGraphBench(${n}, ${lod === 'on'})`)) as Result;
        if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
        results[lod].push(r);
        log(
          `${n} nodes, level of detail ${lod}: first frame ${r.firstFrameMs.toFixed(0)} ms, layout ${r.layoutDoneMs.toFixed(0)} ms, ` +
            `${r.fpsDuringLayout.toFixed(1)} / ${r.fps.toFixed(1)} fps (${r.drawnNodes} / ${r.drawnEdges} drawn) / zoomed ${r.fpsZoomed.toFixed(1)} fps (${r.drawnZoomed} drawn)`,
        );
        await page.close();
      }
    }
    for (const lod of ['off', 'on'] as const) {
      const m = (f: (r: Result) => number) => median(results[lod].map(f));
      const fps = m((r) => r.fps);
      const first = results[lod][0]!;
      report.push(
        `| ${first.nodes} | ${first.edges} | ${lod} | ${m((r) => r.firstFrameMs).toFixed(0)} ms | ${(m((r) => r.layoutDoneMs) / 1000).toFixed(1)} s | ${m((r) => r.fpsDuringLayout).toFixed(1)} | ${m((r) => r.drawnNodes).toFixed(0)} / ${m((r) => r.drawnEdges).toFixed(0)} | ${fps.toFixed(1)} | ${m((r) => r.drawnZoomed).toFixed(0)} | ${m((r) => r.fpsZoomed).toFixed(1)} | ${fps >= 30 ? 'yes' : 'no'} |`,
      );
    }
  }
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(`${report.join('\n')}\n`);
