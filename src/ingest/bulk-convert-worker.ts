// A thread of the bulk conversion (bulk-convert.ts): reads the byte ranges it is given with the
// streaming path's reader and checks each row with the worker's own per-row validation, then hands
// the results back. What depends on earlier rows (line numbers, repeated tx_ids, jobs, first
// transfer times) stays with the converter.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { ItemPacker, type ConvertThreadData, type RangeResult, type RangeTask } from './bulk-convert-items.js';
import { readRows, type ReadStats } from './read-rows.js';
import { checkRow } from './write-chunk.js';

const data = workerData as ConvertThreadData;

function readPrefix(end: number): Buffer {
  const prefix = Buffer.alloc(end);
  const fd = fs.openSync(data.file, 'r');
  try {
    fs.readSync(fd, prefix, 0, end, 0);
  } finally {
    fs.closeSync(fd);
  }
  return prefix;
}

async function* rangeBytes(task: RangeTask, prefix: Buffer | null): AsyncGenerator<Buffer> {
  if (prefix) yield prefix;
  for await (const chunk of fs.createReadStream(data.file, { start: task.start, end: task.end - 1, highWaterMark: 1 << 20 }))
    yield chunk as Buffer;
}

/** Line breaks the CSV reader counts in the header read in front of a range (csv-parse's count starts at 1). */
async function prefixBreaks(prefix: Buffer): Promise<number> {
  const stats: ReadStats = { lines: 1, crlfInside: 0 };
  for await (const item of readRows(Readable.from([prefix]), 'csv', data.map, { midFile: false, stats })) {
    throw new Error(`the header in front of a range holds a record (line ${item.line})`);
  }
  return stats.lines - 1;
}

/** The header in front of every range after the first is the same bytes: read and counted once per thread. */
let header: { end: number; bytes: Buffer; lines: number } | null = null;
async function headerOf(end: number): Promise<{ bytes: Buffer; lines: number }> {
  if (header?.end !== end) {
    const bytes = readPrefix(end);
    header = { end, bytes, lines: await prefixBreaks(bytes) };
  }
  return header;
}

async function readRange(task: RangeTask): Promise<RangeResult> {
  const h = task.prefixEnd > 0 ? await headerOf(task.prefixEnd) : null;
  const prefix = h?.bytes ?? null;
  const prefixLines = h?.lines ?? 0;
  const stats: ReadStats = { lines: 0, crlfInside: 0 };
  const items = new ItemPacker();
  for await (const item of readRows(Readable.from(rangeBytes(task, prefix)), data.format, data.map, { midFile: task.index > 0, stats })) {
    const line = item.line - prefixLines;
    // A record from the header in front: the range was not cut where a record starts.
    if (line < 1) throw new Error(`a record was read from the header in front of the range (line ${item.line})`);
    if (item.kind === 'rejected') items.add({ ...item, line });
    else items.add({ kind: 'row', row: checkRow({ line, fields: item.fields, raw: item.raw }, data.rules) });
  }
  // csv-parse counts from 1; readline counts the lines it read.
  const lines = data.format === 'csv' ? stats.lines - 1 - prefixLines : stats.lines;
  return { index: task.index, items: items.finish(), lines, crlfInside: stats.crlfInside, prefixLines };
}

parentPort!.on('message', (task: RangeTask) => {
  readRange(task).then(
    (result) =>
      parentPort!.postMessage(
        result,
        'items' in result
          ? [result.items.kinds.buffer as ArrayBuffer, result.items.lines.buffer as ArrayBuffer, result.items.nums.buffer as ArrayBuffer]
          : [],
      ),
    (err: unknown) => parentPort!.postMessage({ index: task.index, error: (err as Error)?.message ?? String(err) } satisfies RangeResult),
  );
});
