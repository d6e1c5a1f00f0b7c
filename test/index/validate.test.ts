import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate, ValidationError, type Schema } from '../../core/index/validate.js';

const SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 5 },
    path: { type: 'string', format: 'absolutePath' },
    kind: { type: 'string', enum: ['a', 'b'] },
    count: { type: 'integer', minimum: 1, maximum: 3 },
    on: { type: 'boolean' },
    tags: {
      type: 'array',
      items: { type: 'string', format: 'line' },
      maxItems: 2,
      uniqueItems: true,
    },
    inner: {
      type: 'object',
      properties: { depth: { type: 'integer', minimum: 0 } },
      required: ['depth'],
    },
  },
  required: ['name'],
} as const satisfies Schema;

function fieldOf(value: unknown): string {
  try {
    validate(SCHEMA, value);
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    return error.field;
  }
  return 'valid';
}

test('a value that fits its schema comes back typed and unchanged', () => {
  const value = {
    name: 'x',
    path: '/tmp',
    kind: 'a',
    count: 2,
    on: false,
    tags: ['p'],
    inner: { depth: 0 },
  };
  const checked = validate(SCHEMA, value);
  assert.equal(checked, value);
  const depth: number | undefined = checked.inner?.depth;
  assert.equal(depth, 0);
});

test('each misfit is reported at its field, nested fields by dotted path and index', () => {
  assert.equal(fieldOf({}), 'name');
  assert.equal(fieldOf({ name: '' }), 'name');
  assert.equal(fieldOf({ name: 'toolong' }), 'name');
  assert.equal(fieldOf({ name: 1 }), 'name');
  assert.equal(fieldOf({ name: 'x', path: 'relative' }), 'path');
  assert.equal(fieldOf({ name: 'x', kind: 'c' }), 'kind');
  assert.equal(fieldOf({ name: 'x', count: 0 }), 'count');
  assert.equal(fieldOf({ name: 'x', count: 1.5 }), 'count');
  assert.equal(fieldOf({ name: 'x', count: '2' }), 'count');
  assert.equal(fieldOf({ name: 'x', on: 'true' }), 'on');
  assert.equal(fieldOf({ name: 'x', tags: 'p' }), 'tags');
  assert.equal(fieldOf({ name: 'x', tags: ['a', 'b', 'c'] }), 'tags');
  assert.equal(fieldOf({ name: 'x', tags: ['a', 'a'] }), 'tags[1]');
  assert.equal(fieldOf({ name: 'x', tags: ['ok', 'two\nlines'] }), 'tags[1]');
  assert.equal(fieldOf({ name: 'x', inner: {} }), 'inner.depth');
  assert.equal(fieldOf({ name: 'x', inner: { depth: -1 } }), 'inner.depth');
  assert.equal(fieldOf({ name: 'x', inner: [] }), 'inner');
});

test('fields the schema does not list are refused, not ignored', () => {
  assert.equal(fieldOf({ name: 'x', nmae: 'y' }), 'nmae');
  assert.equal(fieldOf({ name: 'x', inner: { depth: 1, extra: true } }), 'inner.extra');
  // JSON.parse makes __proto__ an own key: it is refused like any other unknown field.
  assert.equal(fieldOf(JSON.parse('{"name":"x","__proto__":{"polluted":1}}')), '__proto__');
});

test('a body that is not an object is named as the request body', () => {
  for (const value of [null, [], 'x', 3]) {
    assert.throws(() => validate(SCHEMA, value), {
      name: 'ValidationError',
      field: '',
      message: 'the request body must be a JSON object',
    });
  }
});

test('messages say what the field must be', () => {
  assert.throws(() => validate(SCHEMA, { name: 'x', count: 9 }), {
    message: 'count must be a whole number from 1 to 3',
  });
  assert.throws(() => validate(SCHEMA, { name: 'x', kind: 'z' }), {
    message: 'kind must be one of a, b',
  });
  assert.throws(() => validate(SCHEMA, { name: 'x', path: 'rel' }), {
    message: 'path must be an absolute path',
  });
});

test('every misfit is reported at once, the first one as the error', () => {
  try {
    validate(SCHEMA, { name: '', count: 9, inner: {}, extra: 1 });
    assert.fail('accepted');
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(
      error.problems.map((p) => p.field),
      ['extra', 'name', 'count', 'inner.depth'],
    );
    assert.equal(error.field, 'extra');
  }
});
