import { describe, expect, it } from 'vitest';
import { federatedToolName, federateToolNames, maxToolNameLength, serverOfToolName } from '../../functions/mcp/tool-names.js';

const validName = /^[A-Za-z0-9_-]{1,64}$/;

describe('federated tool names', () => {
  it('joins server and tool with a double underscore when that is a valid name', () => {
    expect(federatedToolName('everything', 'get-sum')).toBe('everything__get-sum');
    expect(federatedToolName('knowledge_base', 'search')).toBe('knowledge_base__search');
  });

  it('keeps long names within 64 characters, valid, and distinct', () => {
    const server = 'a-server-name-of-thirty-two-char';
    const tools = ['x'.repeat(100), `${'x'.repeat(99)}y`, `${'x'.repeat(40)}`, 'short'];

    const names = [...federateToolNames(server, tools).keys()];

    expect(server).toHaveLength(32);
    expect(names).toHaveLength(tools.length);
    expect(new Set(names).size).toBe(tools.length);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(maxToolNameLength);
      expect(name).toMatch(validName);
      expect(serverOfToolName(name)).toBe(server);
    }
  });

  it('sanitises characters outside [A-Za-z0-9_-] and tells apart tools that sanitise alike', () => {
    const names = federateToolNames('files', ['read.file', 'read/file', 'read file', 'read_file']);

    expect([...names.values()].sort()).toEqual(['read file', 'read.file', 'read/file', 'read_file']);
    expect(names.get('files__read_file')).toBe('read_file');
    for (const name of names.keys()) expect(name).toMatch(validName);
    expect(new Set(names.keys()).size).toBe(4);
  });

  it('gives the same tool the same name every time', () => {
    const first = federatedToolName('github', 'repos.list-for-authenticated-user.with.a.very.long.suffix.indeed');
    const second = federatedToolName('github', 'repos.list-for-authenticated-user.with.a.very.long.suffix.indeed');

    expect(first).toBe(second);
    expect(first).toHaveLength(maxToolNameLength);
    expect(first).toMatch(/^github__repos_list-for-authenticated-user_with_[a-z_]+_[0-9a-f]{8}$/);
  });

  it('lengthens the hash when a shortened name meets a tool literally named like it', () => {
    const shortened = federatedToolName('files', 'read.file');
    const literal = shortened.slice('files__'.length);

    const names = federateToolNames('files', ['read.file', literal]);

    expect(names.get(shortened)).toBe(literal);
    const other = [...names].find(([, tool]) => tool === 'read.file')?.[0];
    expect(other).toMatch(/^files__read_file_[0-9a-f]{12}$/);
  });

  it('round-trips every federated name to its server and tool', () => {
    const tools = ['echo', 'get-sum', 'a.b', 'ü-umlaut', 'y'.repeat(80)];
    for (const server of ['everything', 'other-server', 'knowledge_base']) {
      for (const [name, tool] of federateToolNames(server, tools)) {
        expect(serverOfToolName(name)).toBe(server);
        expect(federateToolNames(server, tools).get(name)).toBe(tool);
      }
    }
    expect(serverOfToolName('no-separator')).toBeUndefined();
  });

  it('refuses server names that could not keep names short or unambiguous', () => {
    expect(() => federatedToolName('x'.repeat(33), 'tool')).toThrow(/1 to 32 characters/);
    expect(() => federatedToolName('bad__server', 'tool')).toThrow();
  });
});
