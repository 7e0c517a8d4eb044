// acctnet/analysis/money-paths: the strongest ways money went from one account to another.
// A path is a sequence of transfers s → a → … → t, each one leaving no earlier than the previous one
// arrived (money cannot leave before it arrived), through distinct accounts. Its strength is its
// bottleneck: the smallest transfer on it, the most money that can have travelled the whole way.
// Paths through the same accounts count once (their strongest transfer choice). Pure: the caller
// reads the transfers (bounded) and passes them in.

export interface MoneyTransfer {
  txId: string;
  source: string;
  target: string;
  /** Epoch ms. */
  at: number;
  /** Comparable amount (the base currency). */
  amount: number;
}

export interface MoneyPath {
  accounts: string[];
  transfers: MoneyTransfer[];
  /** The smallest transfer on the path. */
  strength: number;
}

export interface MoneyPathOptions {
  maxHops: number;
  maxPaths: number;
  /** Transfers tried before the search stops and says so (`truncated`). */
  maxSteps: number;
}

export const MONEY_PATH_DEFAULTS: MoneyPathOptions = { maxHops: 4, maxPaths: 3, maxSteps: 200_000 };

export function moneyPaths(
  transfers: readonly MoneyTransfer[],
  from: string,
  to: string,
  options: Partial<MoneyPathOptions> = {},
): { paths: MoneyPath[]; truncated: boolean; steps: number } {
  const o = { ...MONEY_PATH_DEFAULTS, ...options };
  if (!(o.maxHops >= 1)) throw new Error('acctnet/analysis/money-paths: maxHops must be ≥ 1');
  if (!(o.maxPaths >= 1)) throw new Error('acctnet/analysis/money-paths: maxPaths must be ≥ 1');
  if (from === to) throw new Error('acctnet/analysis/money-paths: from and to must differ');
  const out = new Map<string, MoneyTransfer[]>();
  const into = new Map<string, string[]>();
  const seenTx = new Set<string>();
  for (const t of transfers) {
    if (t.source === t.target || seenTx.has(t.txId) || !(t.amount > 0)) continue;
    seenTx.add(t.txId);
    (out.get(t.source) ?? out.set(t.source, []).get(t.source)!).push(t);
    (into.get(t.target) ?? into.set(t.target, []).get(t.target)!).push(t.source);
  }
  for (const list of out.values()) list.sort((a, b) => b.amount - a.amount || a.at - b.at || (a.txId < b.txId ? -1 : 1));
  // Hops still needed to reach `to` (ignoring time): prunes branches that cannot arrive in time.
  const need = new Map<string, number>([[to, 0]]);
  let layer = [to];
  for (let d = 1; d <= o.maxHops && layer.length; d++) {
    const next: string[] = [];
    for (const v of layer)
      for (const u of into.get(v) ?? [])
        if (!need.has(u)) {
          need.set(u, d);
          next.push(u);
        }
    layer = next;
  }

  const best = new Map<string, MoneyPath>();
  let ranked: MoneyPath[] = [];
  const floor = () => (ranked.length < o.maxPaths ? 0 : ranked[ranked.length - 1]!.strength);
  const record = (path: MoneyTransfer[], strength: number) => {
    const accounts = [from, ...path.map((t) => t.target)];
    const key = accounts.join('\u0000');
    const cur = best.get(key);
    if (cur && cur.strength >= strength) return;
    best.set(key, { accounts, transfers: [...path], strength });
    ranked = [...best.values()]
      .sort((a, b) => b.strength - a.strength || a.accounts.length - b.accounts.length || (a.accounts.join() < b.accounts.join() ? -1 : 1))
      .slice(0, o.maxPaths);
    for (const [k, p] of best) if (!ranked.includes(p)) best.delete(k);
  };

  let steps = 0;
  let truncated = false;
  const onPath = new Set<string>([from]);
  const stack: MoneyTransfer[] = [];
  const walk = (u: string, arrivedAt: number, strength: number) => {
    if (u === to) {
      record(stack, strength);
      return;
    }
    const left = o.maxHops - stack.length;
    if (left <= 0) return;
    for (const t of out.get(u) ?? []) {
      if (truncated) return;
      // Sorted by amount: once a transfer cannot beat the weakest kept path, none after it can.
      if (Math.min(strength, t.amount) <= floor()) break;
      if (t.at < arrivedAt || onPath.has(t.target)) continue;
      const n = need.get(t.target);
      if (n === undefined || n > left - 1) continue;
      if (++steps > o.maxSteps) {
        truncated = true;
        return;
      }
      onPath.add(t.target);
      stack.push(t);
      walk(t.target, t.at, Math.min(strength, t.amount));
      stack.pop();
      onPath.delete(t.target);
    }
  };
  walk(from, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  return { paths: ranked, truncated, steps };
}
