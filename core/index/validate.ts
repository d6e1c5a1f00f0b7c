/**
 * Request bodies are checked against small schemas shaped like JSON Schema (type,
 * properties, required, enum, bounds, format), so a reader knows them at sight, and
 * typed: `Infer<typeof S>` is the TypeScript type a valid value has. Objects refuse
 * properties they do not list: the API accepts exactly its whitelist, so a misspelt
 * field is an error the caller sees rather than a setting silently not applied.
 */
import { isAbsolute } from 'node:path';

/** Named string formats, each with the phrase an error uses when a value is not one. */
const FORMATS = {
  absolutePath: {
    test: (v: string) => isAbsolute(v) && !v.includes('\0'),
    means: 'an absolute path',
  },
  /** A path on this computer as typed: absolute, or from the home folder (`~`, `~/x`, `x`). */
  localPath: {
    test: (v: string) => v !== '' && !v.includes('\0'),
    means: 'a path: absolute, or from your home folder (~, ~/Documents or Documents)',
  },
  /** One line of text, e.g. an exclude pattern (a newline would smuggle in a second rule). */
  line: { test: (v: string) => !/[\r\n\0]/.test(v), means: 'a single line of text' },
  /** An http(s) URL, or empty for none. */
  httpUrlOrEmpty: {
    test: (v: string) => v === '' || /^https?:\/\/[^\s/?#]+[^\s]*$/.test(v),
    means: 'an http:// or https:// URL, or empty',
  },
} satisfies Record<string, { test(v: string): boolean; means: string }>;

export type Schema =
  | { readonly type: 'boolean' }
  | { readonly type: 'integer'; readonly minimum?: number; readonly maximum?: number }
  | {
      readonly type: 'string';
      readonly minLength?: number;
      readonly maxLength?: number;
      readonly enum?: readonly string[];
      readonly format?: keyof typeof FORMATS;
    }
  | {
      readonly type: 'array';
      readonly items: Schema;
      readonly maxItems?: number;
      readonly uniqueItems?: boolean;
    }
  | {
      readonly type: 'object';
      readonly properties: { readonly [name: string]: Schema };
      readonly required?: readonly string[];
    };

export type Infer<S> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'integer' }
    ? number
    : S extends { type: 'string'; enum: readonly (infer E)[] }
      ? E
      : S extends { type: 'string' }
        ? string
        : S extends { type: 'array'; items: infer I }
          ? Infer<I>[]
          : S extends { type: 'object'; properties: infer P }
            ? InferObject<P, S extends { required: readonly (infer R)[] } ? R : never>
            : never;

type InferObject<P, R> = {
  -readonly [K in keyof P as K extends R ? K : never]: Infer<P[K]>;
} & { -readonly [K in keyof P as K extends R ? never : K]?: Infer<P[K]> };

/**
 * A value that does not fit its schema; `field` names where (`retention.daily`,
 * `patterns[2]`). `problems` holds every misfit found, this one first, so a form can flag
 * all its bad fields at once instead of one per try.
 */
export class ValidationError extends Error {
  readonly problems: { field: string; problem: string }[];

  constructor(
    readonly field: string,
    readonly problem: string,
    more: { field: string; problem: string }[] = [],
  ) {
    super(`${field || 'the request body'} ${problem}`);
    this.name = 'ValidationError';
    this.problems = [{ field, problem }, ...more];
  }
}

/** Returns the value typed by its schema, or throws `ValidationError` with every misfit. */
export function validate<S extends Schema>(schema: S, value: unknown, field = ''): Infer<S> {
  const found: ValidationError[] = [];
  check(schema, value, field, found);
  const [first, ...rest] = found;
  if (first)
    throw new ValidationError(
      first.field,
      first.problem,
      rest.flatMap((e) => e.problems),
    );
  return value as Infer<S>;
}

/** Records each misfit in `found` and goes on: siblings are checked even after one fails. */
function check(schema: Schema, value: unknown, field: string, found: ValidationError[]): void {
  try {
    checkOne(schema, value, field, found);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    found.push(error);
  }
}

function checkOne(schema: Schema, value: unknown, field: string, found: ValidationError[]): void {
  switch (schema.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new ValidationError(field, 'must be true or false');
      return;
    case 'integer': {
      const { minimum = Number.MIN_SAFE_INTEGER, maximum = Number.MAX_SAFE_INTEGER } = schema;
      if (
        !Number.isSafeInteger(value) ||
        (value as number) < minimum ||
        (value as number) > maximum
      )
        throw new ValidationError(field, `must be a whole number from ${minimum} to ${maximum}`);
      return;
    }
    case 'string':
      return checkString(schema, value, field);
    case 'array': {
      if (!Array.isArray(value)) throw new ValidationError(field, 'must be a list');
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        throw new ValidationError(field, `must have at most ${schema.maxItems} items`);
      value.forEach((item, i) => check(schema.items, item, `${field}[${i}]`, found));
      if (schema.uniqueItems) {
        const seen = new Set<string>();
        value.forEach((item, i) => {
          const key = JSON.stringify(item);
          if (seen.has(key)) throw new ValidationError(`${field}[${i}]`, 'repeats an earlier item');
          seen.add(key);
        });
      }
      return;
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new ValidationError(field, 'must be a JSON object');
      const at = (name: string) => (field ? `${field}.${name}` : name);
      for (const name of Object.keys(value))
        if (!Object.hasOwn(schema.properties, name))
          found.push(
            new ValidationError(
              at(name),
              `is not a known field (known: ${Object.keys(schema.properties).join(', ')})`,
            ),
          );
      for (const name of schema.required ?? [])
        if (!Object.hasOwn(value, name)) found.push(new ValidationError(at(name), 'is required'));
      for (const [name, sub] of Object.entries(schema.properties))
        if (Object.hasOwn(value, name))
          check(sub, (value as Record<string, unknown>)[name], at(name), found);
      return;
    }
  }
}

function checkString(
  schema: Extract<Schema, { type: 'string' }>,
  value: unknown,
  field: string,
): void {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (schema.enum && !schema.enum.includes(value))
    throw new ValidationError(field, `must be one of ${schema.enum.join(', ')}`);
  if (schema.minLength !== undefined && value.length < schema.minLength)
    throw new ValidationError(
      field,
      schema.minLength === 1
        ? 'must not be empty'
        : `must be at least ${schema.minLength} characters`,
    );
  if (schema.maxLength !== undefined && value.length > schema.maxLength)
    throw new ValidationError(field, `must be at most ${schema.maxLength} characters`);
  if (schema.format && !FORMATS[schema.format].test(value))
    throw new ValidationError(field, `must be ${FORMATS[schema.format].means}`);
}
