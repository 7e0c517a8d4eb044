import crypto from 'node:crypto';
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { int, toNumber, toNumberOrNull } from '../convert.js';
import { cypher } from '../cypher.js';
import { txRunner } from '../session.js';

export type LabelValue = 'fraud' | 'legit';

export interface NewLabel {
  accountId: string;
  label: LabelValue;
  note: string | null;
  source: string;
  createdBy: string;
}

export interface LabelEvent extends NewLabel {
  id: string;
  createdAt: number;
  retractedAt: number | null;
  retractedBy: string | null;
  retractReason: string | null;
}

function toLabel(r: { get(k: string): unknown; has(k: string): boolean }): LabelEvent {
  const opt = (k: string) => (r.has(k) ? r.get(k) : null);
  return {
    id: r.get('id') as string,
    accountId: r.get('accountId') as string,
    label: r.get('label') as LabelValue,
    note: (r.get('note') as string | null) ?? null,
    source: r.get('source') as string,
    createdBy: r.get('createdBy') as string,
    createdAt: toNumber(r.get('createdAt')),
    retractedAt: toNumberOrNull(opt('retractedAt')),
    retractedBy: (opt('retractedBy') as string | null) ?? null,
    retractReason: (opt('retractReason') as string | null) ?? null,
  };
}

/**
 * Appends labels in the caller's transaction, in order: of two labels for one account the later
 * one is in force (they share createdAt; the label sequence decides). A label identical to the one
 * in force at that point (label and note; earlier labels of the same call count) is skipped.
 * Returns the ones created.
 */
export async function appendLabels(tx: ManagedTransaction, labels: NewLabel[]): Promise<LabelEvent[]> {
  if (labels.length === 0) return [];
  const now = Date.now();
  const ids = [...new Set(labels.map((l) => l.accountId))];
  const inForce = new Map<string, { label: string; note: string }>();
  for (const r of (await tx.run(cypher('labels/current-for-accounts'), { ids })).records)
    inForce.set(r.get('accountId') as string, { label: r.get('label') as string, note: (r.get('note') as string | null) ?? '' });
  const rows: Array<NewLabel & { id: string; createdAt: ReturnType<typeof int> }> = [];
  for (const l of labels) {
    const cur = inForce.get(l.accountId);
    if (cur && cur.label === l.label && cur.note === (l.note ?? '')) continue;
    inForce.set(l.accountId, { label: l.label, note: l.note ?? '' });
    rows.push({ ...l, id: `lbl_${crypto.randomUUID()}`, createdAt: int(now) });
  }
  if (rows.length === 0) return [];
  const result = await tx.run(cypher('labels/create-labels'), { labels: rows });
  if (result.records.length) await tx.run(cypher('labels/bump-generation'), { at: int(now) });
  return result.records.map(toLabel);
}

/** Marks a label event retracted in the caller's transaction; null if there is no such label. */
export async function retractLabel(tx: ManagedTransaction, id: string, by: string, reason: string): Promise<LabelEvent | null> {
  const r = (await tx.run(cypher('labels/retract-label'), { id, at: int(Date.now()), by, reason })).records[0];
  if (r) await tx.run(cypher('labels/bump-generation'), { at: int(Date.now()) });
  return r ? toLabel(r) : null;
}

export function createLabelRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = txRunner(driver, cfg);
  return {
    append(labels: NewLabel[]): Promise<LabelEvent[]> {
      return write((tx) => appendLabels(tx, labels));
    },

    async forAccount(accountId: string): Promise<LabelEvent[]> {
      const result = await read((tx) => tx.run(cypher('labels/account-labels'), { accountId }));
      return result.records.map(toLabel);
    },

    /** Of some account ids, those with no stored account (never in a transfer). */
    async unknownAccounts(ids: readonly string[]): Promise<string[]> {
      if (!ids.length) return [];
      const result = await read((tx) => tx.run(cypher('labels/unknown-accounts'), { ids: [...new Set(ids)] }));
      return result.records.map((r) => r.get('id') as string);
    },

    /** Every label event of some accounts, newest first per account. */
    async forAccounts(ids: readonly string[]): Promise<LabelEvent[]> {
      if (!ids.length) return [];
      const result = await read((tx) => tx.run(cypher('labels/events-for-accounts'), { ids }));
      return result.records.map(toLabel);
    },

    /** accountId → label in force, for some accounts. */
    async currentFor(ids: readonly string[]): Promise<Map<string, LabelValue>> {
      if (!ids.length) return new Map();
      const result = await read((tx) => tx.run(cypher('labels/current-for-accounts'), { ids }));
      return new Map(result.records.map((r) => [r.get('accountId') as string, r.get('label') as LabelValue]));
    },

    /** accountId → label in force. */
    async current(): Promise<Map<string, LabelValue>> {
      return new Map([...(await this.currentWithSources())].map(([id, l]) => [id, l.label]));
    },

    /** accountId → label in force and where it came from. */
    async currentWithSources(): Promise<Map<string, { label: LabelValue; source: string }>> {
      const result = await read((tx) => tx.run(cypher('labels/current-labels')));
      return new Map(
        result.records.map((r) => [
          r.get('accountId') as string,
          { label: r.get('label') as LabelValue, source: r.get('source') as string },
        ]),
      );
    },
  };
}

export type LabelRepository = ReturnType<typeof createLabelRepository>;
