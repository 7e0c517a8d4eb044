// The markdown report of npm run eval: one summary row per dataset, recall per typology, the target
// checks, and the datasets skipped (with why).
import type { SkippedDataset } from './datasets.js';
import { fmt, type DatasetResult, type Stat } from './measure.js';

const ms = (s: Stat, d = 3) => (s.sd > 0 ? `${fmt(s.mean, d)} ± ${fmt(s.sd, d)}` : fmt(s.mean, d));
const pct = (n: number, of: number) => (of ? `${fmt(n, 1)} (${fmt((100 * n) / of, 2)}%)` : '—');

export function report(results: DatasetResult[], skipped: SkippedDataset[], meta: { date: string; mode: string; command: string }): string {
  const lines = [
    `### npm run eval — ${meta.date} (${meta.mode})`,
    '',
    `Command: \`${meta.command}\`. Means over label seeds (± sample sd); Δ = ROC-AUC(acctnet) − ROC-AUC(baseline) with its paired bootstrap 95% interval.`,
    '',
    '| dataset | version | use | mode | accounts | fraud | labels (fraud / legit) | acctnet ROC-AUC | baseline ROC-AUC | Δ [95% CI] | PR-AUC acctnet / baseline | k | P@k acctnet / baseline | list precision | list recall | listed unlabelled | victims listed | look-alikes listed | migration P / R | legit successors listed | targets |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |',
  ];
  for (const r of results) {
    const s = r.summary;
    const use = r.tuning ? 'tuning' : r.external ? 'report (external)' : 'report (held out)';
    const met = r.checks.filter((c) => c.met).length;
    const targets = r.checks.length ? `${met}/${r.checks.length} met` : 'none (tuning)';
    lines.push(
      `| ${r.description} | ${r.version} | ${use} | ${r.mode} | ${r.accounts} | ${r.fraud} | ${fmt(s.fraudLabels.mean, 1)} / ${fmt(s.legitLabels.mean, 1)} | ${ms(s.acctnetRocAuc)} | ${ms(s.baselineRocAuc)} | ${fmt(r.bootstrap.diff)} [${fmt(r.bootstrap.lo)}, ${fmt(r.bootstrap.hi)}] | ${fmt(s.acctnetPrAuc.mean)} / ${fmt(s.baselinePrAuc.mean)} | ${fmt(s.k.mean, 1)} | ${fmt(s.acctnetPAtK.mean)} / ${fmt(s.baselinePAtK.mean)} | ${ms(s.listPrecision)} | ${ms(s.listRecall)} | ${fmt(s.listedUnlabelled.mean, 1)} | ${pct(s.victimsListed.mean, r.victims)} | ${pct(s.lookalikesListed.mean, r.lookalikes)} | ${s.migrationPrecision ? `${fmt(s.migrationPrecision.mean)} / ${fmt(s.migrationRecall!.mean)}` : '—'} | ${r.summary.migrationPrecision ? fmt(s.legitSuccessorsListed.mean, 1) : '—'} | ${targets} |`,
    );
  }
  for (const s of skipped) lines.push(`| ${s.name} | — | — | — | — | — | — | ${s.skipped} | | | | | | | | | | | | | |`);
  lines.push('', 'Recall per typology (fraud accounts not given as labels; mean over label seeds):', '');
  lines.push('| dataset | typology | unlabelled fraud | recall |', '| --- | --- | ---: | ---: |');
  for (const r of results)
    for (const [t, v] of Object.entries(r.summary.byTypology))
      lines.push(`| ${r.description} | ${t} | ${fmt(v.fraud.mean, 1)} | ${ms(v.recall)} |`);
  lines.push('', 'Targets:', '');
  lines.push('| dataset | target | value | needed | met? |', '| --- | --- | ---: | --- | --- |');
  for (const r of results)
    for (const c of r.checks)
      lines.push(`| ${r.description} | ${c.name} | ${fmt(c.value, 4)} | ${c.target} | ${c.met ? 'met' : '**missed**'} |`);
  lines.push('', 'Time per dataset (s):', '');
  for (const r of results)
    lines.push(
      `- ${r.description}: ${Object.entries(r.seconds)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  for (const s of skipped) lines.push(`- ${s.name}: ${s.skipped}`);
  return lines.join('\n');
}
