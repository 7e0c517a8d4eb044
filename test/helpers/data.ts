import fs from 'node:fs';
import path from 'node:path';
import { backgroundTransfers } from '../../dev/synth/background.js';
import { writeTransfersCsv } from '../../dev/synth/write-csv.js';

/** A seeded canonical CSV and the totals a correct ingest must reproduce. */
export async function syntheticCsv(dir: string, opts: { rows: number; accounts: number; seed?: number; prefix?: string }) {
  const file = path.join(dir, `tx-${opts.rows}.csv`);
  const transfers = [
    ...backgroundTransfers({
      seed: opts.seed ?? 7,
      accounts: opts.accounts,
      transactions: opts.rows,
      start: Date.UTC(2026, 0, 1),
      days: 90,
      idPrefix: opts.prefix ?? 'AC',
    }),
  ];
  await writeTransfersCsv(file, transfers);
  const accounts = new Set<string>();
  let amountMinor = 0;
  for (const t of transfers) {
    accounts.add(t.from);
    accounts.add(t.to);
    amountMinor += Math.round(Number(t.amount) * 100);
  }
  return { file, rows: transfers.length, accounts: accounts.size, amountMinor };
}

export function writeFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
