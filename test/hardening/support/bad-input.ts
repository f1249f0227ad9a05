import fc from 'fast-check';

/** Strings that have broken parsers, loggers, databases and terminals before. */
export const nastyStrings = [
  '\ud800',
  'tail\udfff',
  '\udc00\ud800',
  'a\u0000b',
  '\u0000',
  '\u202eevil\u202c',
  '\u200f\u0627\u0644\u200e',
  '\ufeff',
  '\u2028\u2029',
  '\u0085\u000b\u000c',
  '🦙🦙🦙',
  'e\u0301\u0301\u0301',
  '\uffff\ufffe',
  '%00%ff%',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '{{7*7}}',
  "'; DROP TABLE keys; --",
  '',
  ' ',
  'null',
  '__proto__',
  'constructor',
  'x'.repeat(5000),
];

export const nastyString = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...nastyStrings) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
);

const nastyNumber = fc.constantFrom(0, -0, -1, 1e308, -1e308, 5e-324, 2 ** 53 + 1, 0.1, 1e-7, 1.5, 4_294_967_297);

/** Any JSON value, with odd strings and numbers over-represented. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }) },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, [], {}, [null], { '': null }, JSON.parse('{"__proto__":{"polluted":true}}'), JSON.parse('{"constructor":{"prototype":{"polluted":true}}}')) },
);

type Mutation = { at: number; action: 'delete' | 'replace' | 'wrap-in-array' | 'wrap-in-object' | 'stringify'; value: unknown };

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  action: fc.constantFrom('delete', 'replace', 'replace', 'wrap-in-array', 'wrap-in-object', 'stringify'),
  value: anyJson,
});

/** Every place in a JSON document a value sits: (container, key) pairs. */
const locations = (root: unknown): Array<{ container: Record<string, unknown> | unknown[]; key: string | number }> => {
  const found: Array<{ container: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      value.forEach((child, index) => {
        found.push({ container: value, key: index });
        visit(child);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        found.push({ container: value as Record<string, unknown>, key });
        visit(child);
      }
    }
  };
  visit(root);
  return found;
};

const applyMutation = (document: unknown, mutation: Mutation) => {
  const places = locations(document);
  if (places.length === 0) return;
  const { container, key } = places[mutation.at % places.length];
  const current = (container as Record<string | number, unknown>)[key];
  const set = (value: unknown) => {
    (container as Record<string | number, unknown>)[key] = value;
  };
  switch (mutation.action) {
    case 'delete':
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key as string];
      return;
    case 'replace':
      // A copy: arbitraries hand out shared instances, which later mutations must not turn into cycles.
      return set(structuredClone(mutation.value));
    case 'wrap-in-array':
      return set([current]);
    case 'wrap-in-object':
      return set({ value: current });
    case 'stringify':
      return set(JSON.stringify(current) ?? 'undefined');
  }
};

/** A valid body with one to three fields deleted, retyped, wrapped or replaced by odd values. */
export const mutatedBody = (seed: unknown): fc.Arbitrary<unknown> =>
  fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }).map((mutations) => {
    const document = structuredClone(seed);
    for (const mutation of mutations) applyMutation(document, mutation);
    return document;
  });

/** Text that is not a JSON object: broken, truncated, of the wrong kind. */
export const malformedJsonText = (seed: unknown): fc.Arbitrary<string> => {
  const valid = JSON.stringify(seed);
  return fc.oneof(
    fc.nat({ max: Math.max(0, valid.length - 1) }).map((cut) => valid.slice(0, cut)),
    fc.string({ unit: 'binary', maxLength: 64 }).map((garbage) => `${valid}${garbage}x`),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom(
      '',
      ' ',
      'null',
      '[]',
      '[{}]',
      '"text"',
      '42',
      'true',
      '{',
      '}',
      '{"a":}',
      "{'model':'echo'}",
      '{"model":"echo",}',
      '{"model":"echo" /* comment */}',
      `\ufeff${valid}`,
      `${valid}${valid}`,
      '{"a":1e999999}',
      '{"a":-}',
      '{"a":"\\ud800"}',
      '{"a":"\\u0000"}',
      '{"a":"unterminated}',
      '\u0000\u0000\u0000',
      '{"__proto__":{"polluted":true},"model":"echo"}',
    ),
  );
};

/** `{"a":[[[[...]]]]}`-style nesting, `depth` levels deep. */
export const deeplyNested = (depth: number, shape: 'array' | 'object'): string =>
  shape === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
