// Domain errors: thrown where they happen (repositories translate Neo4j driver errors here), mapped
// once to an HTTP status (api/errors.ts) and a CLI exit (cli/context.ts).

export type DomainErrorKind = 'not-found' | 'conflict' | 'forbidden' | 'storage-unavailable' | 'misconfigured';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }
}

/** What was asked for does not exist (a version, a webhook). */
export class NotFound extends DomainError {
  constructor(message: string) {
    super('not-found', message);
    this.name = 'NotFound';
  }
}

/** The request contradicts the current state (approve a version that is not held, a stale lock holder's write). */
export class Conflict extends DomainError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'Conflict';
  }
}

/** The caller may not do this, whatever their role (confirm their own dual-control request). */
export class Forbidden extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
    this.name = 'Forbidden';
  }
}

/** Neo4j or Redis did not answer: retry later. `store`: which one, when known (the API's 503 names it). */
export class StorageUnavailable extends DomainError {
  constructor(
    message: string,
    cause?: unknown,
    readonly store: 'neo4j' | 'redis' | null = null,
  ) {
    super('storage-unavailable', message, { cause });
    this.name = 'StorageUnavailable';
  }
}

/** A store answered but refused this process's settings (Neo4j's credentials): retrying will not help. */
export class Misconfigured extends DomainError {
  constructor(message: string, cause?: unknown) {
    super('misconfigured', message, { cause });
    this.name = 'Misconfigured';
  }
}

const UNAVAILABLE = new Set(['ServiceUnavailable', 'SessionExpired']);

/**
 * No connection within the driver's connectionAcquisitionTimeout (code N/A): a Neo4j that accepts
 * connections and does not answer (a hung or stopped JVM), or every pooled connection busy.
 */
function acquisitionTimedOut(err: { message?: string } | null | undefined): boolean {
  return typeof err?.message === 'string' && err.message.startsWith('Connection acquisition timed out');
}

/** A driver error that means Neo4j did not answer (unreachable, a lost session, no pooled connection in time). */
export function isNeo4jUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: string } | null;
  return !!e && ((typeof e.code === 'string' && UNAVAILABLE.has(e.code)) || acquisitionTimedOut(e));
}

/** A Neo4j driver error as a domain error (or the error unchanged when it is none of ours). */
export function fromDriverError(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  const e = err as { code?: string; message?: string } | null;
  if (isNeo4jUnavailable(e)) return new StorageUnavailable(`acctnet/neo4j: ${e!.message ?? e!.code}`, err, 'neo4j');
  if (e && typeof e.code === 'string') {
    if (e.code === 'Neo.ClientError.Schema.ConstraintValidationFailed') return new Conflict(e.message ?? e.code);
  }
  return err;
}

export const HTTP_STATUS: Record<DomainErrorKind, number> = {
  'not-found': 404,
  conflict: 409,
  forbidden: 403,
  'storage-unavailable': 503,
  misconfigured: 503,
};
/** CLI exit codes (sysexits): 69 service unavailable (retry later), 78 configuration (fix the settings); other domain errors exit 1. */
export const EXIT_CODE: Record<DomainErrorKind, number> = {
  'not-found': 1,
  conflict: 1,
  forbidden: 1,
  'storage-unavailable': 69,
  misconfigured: 78,
};
