// ESLint 9 flat config. Syntax-only (no type-aware rules) so `eslint .` stays fast;
// `tsc --noEmit` does the type checking.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const linted = ['{functions,lib,bin,test,bench,scripts}/**/*.ts'];

// Adapter layers that functions/core must never depend on (ports live in core,
// implementations outside it). functions/http is deliberately absent: core uses
// its framework-free request/response helpers.
const adapterDirs = ['providers', 'stores', 'mcp', 'knowledge', 'handlers', 'local', 'runtime', 'observability'];
const adapterPackages = [
  '@aws-sdk/*',
  '@smithy/*',
  '@middy/*',
  'aws-lambda',
  '@modelcontextprotocol/*',
  '@aws-lambda-powertools/*',
];

// Relative specifiers only say where they point given the importing file's
// depth (`../mcp` from functions/core/x.ts is functions/mcp, from
// functions/core/chat/x.ts it is functions/core/mcp), so one block per depth.
const coreBoundaries = [0, 1, 2, 3].map((depth) => {
  const up = '../'.repeat(depth + 1);
  return {
    files: [`functions/core/${'*/'.repeat(depth)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: adapterDirs.flatMap((dir) => [`${up}${dir}`, `${up}${dir}/**`]),
              message: 'functions/core must not import adapters; depend on a port in core instead.',
            },
            {
              group: adapterDirs.flatMap((dir) => [`**/functions/${dir}`, `**/functions/${dir}/**`]),
              message: 'functions/core must not import adapters; depend on a port in core instead.',
            },
            {
              group: adapterPackages.flatMap((pkg) => [pkg, `${pkg}/**`]),
              message: 'functions/core must stay free of AWS, Middy, Lambda and MCP SDK packages.',
            },
          ],
        },
      ],
    },
  };
});

export default defineConfig(
  {
    ignores: ['**/node_modules/**', 'cdk.out/**', 'coverage/**', '.tollway/**', '.scratch/**', 'bench/results/**', '**/dist/**'],
  },
  {
    files: linted,
    extends: [tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x skips `.ts` dependencies and no-cycle sees nothing:
      // the resolver maps `./x.js` specifiers to `./x.ts` and the files are parsed as TypeScript.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // `const { dropped: _dropped, ...rest } = value` is how the code omits a key.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests type parsed JSON bodies as Record<string, any> on purpose, to drill into them in assertions.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  ...coreBoundaries,
);
