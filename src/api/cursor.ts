// Opaque cursors: base64url of a small JSON object. A tampered cursor is a 400, never a 500.
import { badRequest } from './errors.js';

export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T extends Record<string, unknown>>(
  cursor: string | undefined,
  check: (v: Record<string, unknown>) => v is T,
): T | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value) && check(value as Record<string, unknown>)) return value as T;
  } catch {
    // fall through
  }
  throw badRequest('cursor is not valid: pass back the nextCursor of the previous page unchanged');
}
