// Where a label came from: plain constants, shared by the label input rules and the analysis' model card.

/**
 * Where a label came from. The learned model's card counts labels by source: labels from acctnet's
 * own alerts are not a random sample of fraud (a model trained on them learns to find what acctnet
 * already finds), chargebacks are, investigations are in between.
 */
export const LABEL_SOURCES = ['investigation', 'chargeback', 'import', 'alert'] as const;
export type LabelSource = (typeof LABEL_SOURCES)[number];

/** The source kind of a stored label (labels stored before sources had kinds: `api` → investigation, `file:…` → import). */
export function labelSourceKind(source: string): LabelSource | 'other' {
  if ((LABEL_SOURCES as readonly string[]).includes(source)) return source as LabelSource;
  if (source === 'api') return 'investigation';
  if (source.startsWith('file:')) return 'import';
  return 'other';
}
