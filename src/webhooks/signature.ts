// Webhook signatures: HMAC-SHA256, hex, over `${timestamp}.${rawBody}` (timestamp in Unix seconds).
// During a secret rotation a delivery carries one signature per valid secret:
//   X-Acctnet-Signature: v1=<hex>, v1=<hex>
// A receiver accepts the delivery if any signature matches one of its secrets and the timestamp is
// within the tolerance (5 minutes) of its clock; it remembers delivery ids to reject replays.
import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'x-acctnet-signature';
export const TIMESTAMP_HEADER = 'x-acctnet-timestamp';
export const VERSION_HEADER = 'x-acctnet-version';
export const DELIVERY_HEADER = 'x-acctnet-delivery';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function sign(secret: string, timestamp: number, rawBody: string): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');
}

export function signatureHeader(secrets: readonly string[], timestamp: number, rawBody: string): string {
  return secrets.map((s) => `v1=${sign(s, timestamp, rawBody)}`).join(', ');
}

export type Verification = { ok: true } | { ok: false; reason: string };

export function verifySignature(opts: {
  header: string | undefined;
  timestamp: string | undefined;
  rawBody: string;
  secrets: readonly string[];
  nowSeconds?: number;
  toleranceSeconds?: number;
}): Verification {
  if (!opts.header || !opts.timestamp) return { ok: false, reason: 'missing signature or timestamp header' };
  const ts = Number(opts.timestamp);
  if (!Number.isInteger(ts)) return { ok: false, reason: 'malformed timestamp' };
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS))
    return { ok: false, reason: 'timestamp outside the tolerance (replay or clock skew)' };
  const given = opts.header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.startsWith('v1='))
    .map((p) => Buffer.from(p.slice(3), 'hex'));
  for (const secret of opts.secrets) {
    const expected = Buffer.from(sign(secret, ts, opts.rawBody), 'hex');
    if (given.some((g) => g.length === expected.length && crypto.timingSafeEqual(g, expected))) return { ok: true };
  }
  return { ok: false, reason: 'no signature matches' };
}
