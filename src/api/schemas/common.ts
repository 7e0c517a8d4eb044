// Schema conventions: TypeBox for params, query, body and every response status; ids are strings,
// times are ISO 8601 strings in responses, amounts are integers in minor units with their currency.
import { Type } from '@fastify/type-provider-typebox';

export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String(),
  },
  { $id: 'ErrorResponse', description: 'Every error: 4xx say what to fix, 5xx never carry internals.' },
);

/** Responses every route may give besides its own. */
export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  413: ErrorResponse,
  429: ErrorResponse,
  500: ErrorResponse,
  503: ErrorResponse,
} as const;

export const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });
export const NullableIsoTime = Type.Union([IsoTime, Type.Null()]);
export const AccountId = Type.String({ minLength: 1, maxLength: 1024, description: 'Account id exactly as ingested' });
