import fs from 'node:fs';
import { once } from 'node:events';
import { transferCsvHeader, transferCsvLine, type SyntheticTransfer } from './background.js';

/** Writes transfers as canonical CSV, honouring back-pressure (constant memory). */
export async function writeTransfersCsv(file: string, transfers: Iterable<SyntheticTransfer>): Promise<number> {
  const out = fs.createWriteStream(file);
  let n = 0;
  let buffer = transferCsvHeader();
  for (const t of transfers) {
    buffer += transferCsvLine(t);
    n++;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return n;
}
