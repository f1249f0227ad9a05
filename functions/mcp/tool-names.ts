import { createHash } from 'node:crypto';

/** OpenAI function names and most MCP clients accept at most 64 characters of `[A-Za-z0-9_-]`. */
export const maxToolNameLength = 64;
/** Longest server name a federated name can carry (the config allows 32). */
export const maxServerNameLength = 32;

const separator = '__';
const validToolName = /^[A-Za-z0-9_-]+$/;
const hashLengths = [8, 12, 16, 24];

/**
 * The federated name of a server's tool: `<server>__<tool>` when that is a
 * valid name of at most 64 characters; otherwise the tool part is sanitised,
 * shortened and given a stable hash of the original name. Server names never
 * contain `__` (config names are `[A-Za-z0-9-]`), so the text before the first
 * `__` always names the server and names of different servers never collide.
 */
export const federatedToolName = (server: string, tool: string, hashLength: number = hashLengths[0]): string => {
  assertServerName(server);
  const plain = `${server}${separator}${tool}`;
  if (plain.length <= maxToolNameLength && validToolName.test(plain)) return plain;
  const hash = createHash('sha256').update(`${server}\u0000${tool}`).digest('hex').slice(0, hashLength);
  const room = maxToolNameLength - server.length - separator.length - 1 - hash.length;
  const stem = tool.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, room);
  return `${server}${separator}${stem}_${hash}`;
};

/** The server a federated name belongs to, or undefined when the name has no `<server>__` prefix. */
export const serverOfToolName = (name: string): string | undefined => {
  const index = name.indexOf(separator);
  return index > 0 ? name.slice(0, index) : undefined;
};

/**
 * Federated names for one server's tools, as a map federated name → tool name.
 * Within the list no two tools share a name: a shortened name that meets
 * another tool's name gets a longer hash, and a tool listed twice upstream is
 * kept once.
 */
export const federateToolNames = (server: string, tools: readonly string[]): Map<string, string> => {
  const unique = [...new Set(tools)];
  // Index into hashLengths per tool, raised for shortened names that clash.
  const level = new Map<string, number>(unique.map((tool) => [tool, 0]));
  for (;;) {
    const owners = new Map<string, string[]>();
    for (const tool of unique) {
      const name = federatedToolName(server, tool, hashLengths[level.get(tool) ?? 0]);
      owners.set(name, [...(owners.get(name) ?? []), tool]);
    }
    const clashing = [...owners.values()].filter((candidates) => candidates.length > 1).flat();
    const lengthen = clashing.filter((tool) => !isPlain(server, tool) && (level.get(tool) ?? 0) < hashLengths.length - 1);
    if (lengthen.length === 0) return new Map([...owners].map(([name, candidates]) => [name, keeper(server, candidates)]));
    for (const tool of lengthen) level.set(tool, (level.get(tool) ?? 0) + 1);
  }
};

const isPlain = (server: string, tool: string) => federatedToolName(server, tool) === `${server}${separator}${tool}`;

/** A clash left after the longest hash (practically impossible) keeps the plain-named, else the first-listed, tool. */
const keeper = (server: string, candidates: string[]) => candidates.find((tool) => isPlain(server, tool)) ?? candidates[0];

const assertServerName = (server: string) => {
  if (server.length === 0 || server.length > maxServerNameLength || server.includes(separator)) {
    throw new Error(`MCP server name "${server}" must have 1 to ${maxServerNameLength} characters and no "${separator}".`);
  }
};
