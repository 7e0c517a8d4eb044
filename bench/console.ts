// npm run bench:console [-- --sizes 10,500,2000,5000 --runs 3] — the console's graph view (sigma.js +
// ForceAtlas2 in a worker, the same GraphView class the cluster page uses) on synthetic graphs in
// Debian's chromium, headless with SwiftShader: software WebGL on the CPU, so a pessimistic figure for
// an investigator's laptop with a GPU. Reports time to first frame, layout time, and frames per second
// while the camera moves (every frame a full redraw), during the layout and after it.
import { build } from 'esbuild';
import fs from 'node:fs';
import http from 'node:http';
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

type Result = { nodes: number; edges: number; firstFrameMs: number; layoutDoneMs: number; fpsDuringLayout: number; fps: number };
const browser = await launchChromium();
const report = [
  `### bench:console — ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: ${machine()}; chromium headless, SwiftShader (software WebGL), viewport 1200×800. Median of ${args.runs} runs, each in a fresh page.`,
  '',
  '| nodes | edges | first frame | layout done | fps while the layout runs | fps after | ≥ 30 fps after |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | --- |',
];
try {
  for (const n of String(args.sizes).split(',').map(Number)) {
    const results: Result[] = [];
    for (let k = 0; k < Number(args.runs); k++) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${base}/index.html`);
      await page.waitForFunction(() => 'runGraphBench' in globalThis);
      const r = (await page.evaluate(`runGraphBench(${n})`)) as Result;
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
      results.push(r);
      log(
        `${n} nodes: first frame ${r.firstFrameMs.toFixed(0)} ms, layout ${r.layoutDoneMs.toFixed(0)} ms, ${r.fpsDuringLayout.toFixed(1)} / ${r.fps.toFixed(1)} fps`,
      );
      await page.close();
    }
    const m = (f: (r: Result) => number) => median(results.map(f));
    const fps = m((r) => r.fps);
    report.push(
      `| ${results[0]!.nodes} | ${results[0]!.edges} | ${m((r) => r.firstFrameMs).toFixed(0)} ms | ${(m((r) => r.layoutDoneMs) / 1000).toFixed(1)} s | ${m((r) => r.fpsDuringLayout).toFixed(1)} | ${fps.toFixed(1)} | ${fps >= 30 ? 'yes' : 'no'} |`,
    );
  }
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(`${report.join('\n')}\n`);
