/**
 * A Messages request shaped like the ones Claude Code sends: the two system
 * blocks with `cache_control`, its twenty tools, extended thinking,
 * `metadata.user_id`, a cache breakpoint on the last user block, and the
 * `anthropic-beta` values it sets (some of which Bedrock does not take).
 */
const toolNames = [
  'Task', 'Bash', 'Glob', 'Grep', 'ExitPlanMode', 'Read', 'Edit', 'MultiEdit', 'Write', 'NotebookEdit',
  'WebFetch', 'TodoWrite', 'WebSearch', 'BashOutput', 'KillShell', 'SlashCommand', 'Skill', 'AskUserQuestion', 'ListMcpResources', 'ReadMcpResource',
];

const toolFor = (name: string, index: number) => ({
  name,
  description: `The ${name} tool. Use it when the task needs it; read the parameters' descriptions first.`,
  input_schema: {
    type: 'object' as const,
    properties: {
      [index % 2 === 0 ? 'command' : 'file_path']: { type: 'string', description: 'What to act on.' },
      description: { type: 'string', description: 'A short description of the call, in five to ten words.' },
    },
    required: [index % 2 === 0 ? 'command' : 'file_path'],
    additionalProperties: false,
    $schema: 'http://json-schema.org/draft-07/schema#',
  },
});

export const claudeCodeBetas = ['claude-code-20250219', 'interleaved-thinking-2025-05-14', 'fine-grained-tool-streaming-2025-05-14', 'context-management-2025-06-27'];

/** The betas of `claudeCodeBetas` Bedrock's allowlist keeps. */
export const claudeCodeBetasOnBedrock = ['interleaved-thinking-2025-05-14', 'fine-grained-tool-streaming-2025-05-14', 'context-management-2025-06-27'];

export const claudeCodeRequest = (model: string, question = 'Where is the request router defined?') => ({
  model,
  max_tokens: 32_000,
  temperature: 1,
  system: [
    { type: 'text' as const, text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' as const } },
    { type: 'text' as const, text: 'You are an interactive CLI tool that helps users with software engineering tasks. '.repeat(40), cache_control: { type: 'ephemeral' as const } },
  ],
  tools: toolNames.map(toolFor),
  thinking: { type: 'enabled' as const, budget_tokens: 31_999 },
  metadata: { user_id: 'user_3f9a_account_7c1e_session_42' },
  messages: [
    {
      role: 'user' as const,
      content: [
        { type: 'text' as const, text: '<system-reminder>This is a reminder that your todo list is currently empty.</system-reminder>' },
        { type: 'text' as const, text: question, cache_control: { type: 'ephemeral' as const } },
      ],
    },
  ],
});
