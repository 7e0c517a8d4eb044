// 400 messages for schema errors: a value that must be one of a few words names them; a union with
// another kind of member keeps ajv's text (which names that member too). Checked against ajv's own
// errors for the shapes TypeBox gives (a union of literals is anyOf of const).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { validationMessage } from '../../src/api/errors.js';

const ajv = new Ajv({ allErrors: true });
const message = (schema: object, data: unknown, context = 'body') => {
  const validate = ajv.compile(schema);
  assert.equal(validate(data), false);
  return validationMessage(validate.errors as never, context);
};
const words = (...values: string[]) => ({ anyOf: values.map((v) => ({ const: v })) });

test('a union of literals: "must be one of" with the words; the other errors keep their text', () => {
  const schema = { type: 'object', properties: { label: words('fraud', 'legit'), note: { type: 'string', maxLength: 3 } } };
  assert.equal(message(schema, { label: 'Fraud' }), 'body/label must be one of: fraud, legit');
  assert.equal(
    message(schema, { label: 'x', note: 'long' }),
    'body/label must be one of: fraud, legit, body/note must NOT have more than 3 characters',
  );
  assert.equal(
    message({ type: 'object', properties: { sort: { enum: ['score', 'size'] } } }, { sort: 'bogus' }, 'querystring'),
    'querystring/sort must be one of: score, size',
  );
});

test('a union with another kind of member is left to ajv (it would otherwise say only the words are allowed)', () => {
  assert.equal(message({ type: 'object', properties: { x: { anyOf: [words('a', 'b'), { type: 'null' }] } } }, { x: 'c' }), null);
  assert.equal(
    message({ type: 'object', properties: { x: { anyOf: [{ const: 'all' }, { type: 'string', pattern: '^[0-9]+$' }] } } }, { x: 'c' }),
    null,
  );
  assert.equal(message({ type: 'object', properties: { n: { type: 'integer' } } }, { n: 'c' }), null, 'nothing to rewrite');
});
