/**
 * `env:NAME` and `secret:NAME` references in secret-bearing config values
 * (`api_key`, header values). They may sit inside a longer string
 * (`Bearer secret:github-token`).
 */
const referencePattern = /\b(env|secret):([A-Za-z0-9_][A-Za-z0-9_./+=@-]*)/g;

export interface Reference {
  kind: 'env' | 'secret';
  name: string;
}

/** Looks up the value behind a reference; hosts decide where secrets come from. */
export interface SecretResolver {
  resolve(reference: Reference): Promise<string | undefined>;
}

/** The references a value contains, in order. */
export const findReferences = (value: string): Reference[] =>
  [...value.matchAll(referencePattern)].map((match) => ({ kind: match[1] as Reference['kind'], name: match[2] }));

/** Replaces every reference in `value`; throws naming `field` when one cannot be resolved. */
export const resolveReferences = async (value: string, resolver: SecretResolver, field: string): Promise<string> => {
  const references = findReferences(value);
  if (references.length === 0) return value;
  const values = await Promise.all(references.map((reference) => resolver.resolve(reference)));
  let index = 0;
  return value.replace(referencePattern, () => {
    const resolved = values[index];
    const reference = references[index];
    index += 1;
    if (resolved === undefined) {
      throw new Error(`${field}: ${reference.kind}:${reference.name} is not set`);
    }
    return resolved;
  });
};

/** Reads `env:` from the process environment; `secret:` through `secrets` when given. */
export const environmentResolver = (
  environment: Record<string, string | undefined>,
  secrets?: (name: string) => Promise<string | undefined>,
): SecretResolver => ({
  async resolve(reference) {
    if (reference.kind === 'env') return environment[reference.name];
    return secrets ? secrets(reference.name) : undefined;
  },
});
