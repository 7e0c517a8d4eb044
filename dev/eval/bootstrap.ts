// Paired bootstrap of ROC-AUC(acctnet) − ROC-AUC(baseline), pooled over label seeds.
//
// One replicate: for EACH label seed, resample that seed's evaluable accounts with replacement (the
// same draw for both scores: paired) and compute the AUC difference; the replicate's value is the
// mean of those differences over the seeds (the statistic reported is the mean over seeds too). The
// 95% interval is the 2.5th and 97.5th percentile of the replicates. Replicates in which a seed's
// resample lacks positives or negatives are dropped (counted in `dropped`).
import { createRng } from '../synth/rng.js';
import { ascendingOrder, rocAuc } from './metrics.js';

export interface PairedSample {
  /** 1 = fraud, 0 = not, per evaluable account. */
  y: ArrayLike<number>;
  a: ArrayLike<number>;
  b: ArrayLike<number>;
}

export interface BootstrapInterval {
  /** Mean over seeds of AUC(a) − AUC(b) on the full samples. */
  diff: number;
  lo: number;
  hi: number;
  resamples: number;
  dropped: number;
}

export function pairedBootstrapAuc(samples: readonly PairedSample[], resamples = 1000, seed: string | number = 1): BootstrapInterval {
  const rng = createRng(`eval-bootstrap-${seed}`);
  const prepared = samples.map((s) => ({ ...s, oa: ascendingOrder(s.a), ob: ascendingOrder(s.b), w: new Uint32Array(s.y.length) }));
  const full = prepared.map((s) => rocAuc(s.a, s.y, undefined, s.oa) - rocAuc(s.b, s.y, undefined, s.ob));
  const diff = full.reduce((x, v) => x + v, 0) / Math.max(full.length, 1);
  const values: number[] = [];
  let dropped = 0;
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    let ok = true;
    for (const s of prepared) {
      const n = s.y.length;
      s.w.fill(0);
      for (let k = 0; k < n; k++) s.w[Math.floor(rng() * n)]!++;
      const d = rocAuc(s.a, s.y, s.w, s.oa) - rocAuc(s.b, s.y, s.w, s.ob);
      if (Number.isNaN(d)) ok = false;
      sum += d;
    }
    if (ok) values.push(sum / prepared.length);
    else dropped++;
  }
  values.sort((x, y) => x - y);
  const q = (p: number) =>
    values.length ? values[Math.min(values.length - 1, Math.max(0, Math.floor(p * (values.length - 1) + 0.5)))]! : NaN;
  return { diff, lo: q(0.025), hi: q(0.975), resamples, dropped };
}
