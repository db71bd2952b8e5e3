// @ts-check
import tseslint from 'typescript-eslint';

const noVscode = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'vscode', message: 'The engine and protocol must not depend on VS Code.' }],
    patterns: [{ group: ['**/extension/**', '**/server/**'], message: 'The engine and protocol know only tfjs.' }],
  }],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'lib/**', '.vscode-test/**', 'test-results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  { files: ['src/nn/**/*.ts', 'src/adapters/**/*.ts', 'src/protocol/**/*.ts', 'src/cli/**/*.ts'], rules: noVscode },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/nn/**', '**/adapters/**', '**/server/**', '**/extension/**', '@tensorflow/*', 'vscode', 'vscode-*'], message: 'The webview depends on the protocol only.' },
        { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'worker_threads', 'util', 'events', 'buffer', 'stream'], message: 'The webview runs in a browser: no Node modules.' },
      ] }],
    },
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/nn/**', '**/adapters/**', '**/server/**', '@tensorflow/*'], message: 'The extension depends on the protocol only; models live in the server.' }] }],
    },
  },
);
