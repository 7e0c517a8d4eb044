// The learned model's card in a few lines of text, for `acctnet recompute --wait` and `acctnet runs`.
import type { ModelCard } from '../analysis/learned.js';

export function modelCardLines(
  card: ModelCard & { shadow?: { listed: number; added: number; removed: number } },
  runId?: string,
): string[] {
  const lines: string[] = [];
  const l = card.labels;
  const sources = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  if (card.status !== 'trained') {
    // Why it did not train, and what it had: the labels by source and the card's notes.
    lines.push(`learned model (${card.mode}): ${card.message ?? card.status}`);
    if (l) lines.push(`  labels: ${l.fraud} fraud (${sources(l.bySource.fraud)}), ${l.legit} legit (${sources(l.bySource.legit)})`);
    for (const note of card.notes ?? []) lines.push(`  note: ${note}`);
    return lines;
  }
  lines.push(
    `learned model (${card.mode}): ${card.model}, trained on ${l.fraud} fraud / ${l.legit} legit labels + ${l.sampled} sampled unlabelled accounts; ` +
      `${card.folds}-fold cross-validation grouped by cluster: ROC-AUC ${card.rocAuc}, PR-AUC ${card.prAuc}` +
      (card.logisticRocAuc !== null ? ` (logistic regression on the same folds: ROC-AUC ${card.logisticRocAuc})` : '') +
      (card.rulesRocAuc != null ? `; the rules alone on the same labels: ROC-AUC ${card.rulesRocAuc}` : '') +
      (card.rocAucLegitOnly !== null ? `; against legit labels only: ROC-AUC ${card.rocAucLegitOnly}` : ''),
  );
  lines.push(`  labels by source: fraud (${sources(l.bySource.fraud)}), legit (${sources(l.bySource.legit)})`);
  for (const note of card.notes) lines.push(`  note: ${note}`);
  if (card.topFeatures.length) lines.push(`  top features: ${card.topFeatures.map((f) => `${f.name} ${f.importance}`).join(', ')}`);
  if (card.shadow)
    lines.push(
      `  shadow: the learned list would hold ${card.shadow.listed} entries (${card.shadow.added} not served now, ${card.shadow.removed} served now dropped); the served list is unchanged` +
        (runId ? `; which accounts: GET /v1/runs/${runId}/shadow?change=added|removed` : ''),
    );
  return lines;
}
