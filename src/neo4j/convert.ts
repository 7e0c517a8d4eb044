// Neo4j Integers come back as objects; callers above the repositories only see numbers.
import neo4j, { type Integer } from 'neo4j-driver';

export function toNumber(value: unknown): number {
  if (neo4j.isInt(value)) {
    const int = value as Integer;
    if (!int.inSafeRange()) throw new RangeError(`acctnet/neo4j: integer ${int.toString()} exceeds 2^53`);
    return int.toNumber();
  }
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new TypeError(`acctnet/neo4j: expected an integer, got ${typeof value}`);
}

export function toNumberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

/** JS numbers reach Neo4j as Floats; integers Cypher must compare or LIMIT by go through this. */
export function int(value: number): Integer {
  return neo4j.int(value);
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
