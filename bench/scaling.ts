// npm run bench:scaling: where the single analysis process ends. Builds the analysis graph the
// way src/analysis/graph.ts does (graphology DirectedGraph, one edge per ordered pair with the same
// five attributes) on random sparse graphs of growing size, and reports heap bytes per account and
// per relation, build time, and V8's hard limit on a Map's entries (graphology keeps nodes and
// edges in Maps). No database. docs/scaling.md quotes its output.
//
//   npm run bench:scaling [-- --sizes 100k:570k,1m:5.7m]   (accounts:relations; k and m suffixes)
import v8 from 'node:v8';
import vm from 'node:vm';
import { DirectedGraph } from 'graphology';
import { dampedWeight } from '../src/analysis/graph.js';
import { createRng } from '../src/analysis/rng.js';

function parseCount(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`not a count: "${text}" (use e.g. 100k or 5.7m)`);
  const scale = m[2]!.toLowerCase() === 'k' ? 1e3 : m[2]!.toLowerCase() === 'm' ? 1e6 : 1;
  return Math.round(Number(m[1]) * scale);
}

function argSizes(): Array<[number, number]> {
  const i = process.argv.indexOf('--sizes');
  const text = i >= 0 ? process.argv[i + 1] : '100k:570k,500k:2.85m,1m:5.7m';
  if (!text) throw new Error('--sizes needs a value, e.g. 100k:570k,1m:5.7m');
  return text.split(',').map((s) => {
    const [a, r] = s.split(':');
    if (!a || !r) throw new Error(`size "${s}" must be accounts:relations, e.g. 1m:5.7m`);
    return [parseCount(a), parseCount(r)];
  });
}

// A full collection before each reading, without asking the user for --expose-gc.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function measure(accounts: number, relations: number): void {
  const rng = createRng(`scaling-${accounts}-${relations}`);
  const ids = Array.from({ length: accounts }, (_, i) => `acct-${String(i).padStart(9, '0')}`);
  const before = heapUsed();
  const t0 = performance.now();
  const graph = new DirectedGraph({ allowSelfLoops: false });
  for (let i = 0; i < accounts; i++) graph.addNode(ids[i]!, { i });
  const afterNodes = heapUsed();
  let added = 0;
  while (added < relations) {
    // Heavy-tailed out-degree like payment data: most accounts send to few, some to many.
    const a = Math.floor(rng() * accounts);
    const b = Math.floor(Math.pow(rng(), 2) * accounts);
    if (a === b || graph.hasDirectedEdge(ids[a]!, ids[b]!)) continue;
    const amount = 10 + rng() * 1000;
    const count = 1 + Math.floor(rng() * 4);
    // As src/analysis/graph.ts builds it: an edge holds PageRank's weight only.
    graph.addDirectedEdge(ids[a]!, ids[b]!, { weight: dampedWeight(amount, count) });
    added++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = heapUsed();
  const perNode = (afterNodes - before) / accounts;
  const perEdge = (after - afterNodes) / relations;
  console.log(
    `| ${accounts.toLocaleString('en')} | ${relations.toLocaleString('en')} | ${seconds.toFixed(1)} s | ` +
      `${((after - before) / 2 ** 20).toFixed(0)} MiB | ${perNode.toFixed(0)} B | ${perEdge.toFixed(0)} B |`,
  );
  if (graph.size !== relations) throw new Error(`built ${graph.size} relations, wanted ${relations}`);
}

function mapLimit(): number {
  const m = new Map<number, number>();
  try {
    for (let i = 0; i < 2 ** 26; i++) m.set(i, i);
  } catch {
    return m.size;
  }
  return -1;
}

console.log(`Node ${process.version}, heap limit ${(v8.getHeapStatistics().heap_size_limit / 2 ** 30).toFixed(1)} GiB`);
console.log('| accounts | relations | build | heap | per account | per relation |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [a, r] of argSizes()) measure(a, r);
const limit = mapLimit();
console.log(`V8 Map entry limit: ${limit < 0 ? 'not reached at 2^26' : `${limit.toLocaleString('en')} (2^${Math.log2(limit)})`}`);
