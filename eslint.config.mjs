// Lint: typescript-eslint's recommended rules, plus the type-aware ones that catch what bites a bot
// running while infrastructure fails: a promise nobody awaits or catches, a promise where a callback
// was expected, a throw of something that is not an Error.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'src/adapters/console/assets/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      // botbuilder takes most of a second to load: the Teams adapter is required where it is used.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['/adapters/teams/'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Tests, benches and the stand-ins read raw platform payloads (Slack blocks, Teams activities)
    // whose shapes they assert or echo; typing every one would restate the platforms' docs.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'soak/**/*.ts', 'docs/tools/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { module: 'readonly', require: 'readonly', __dirname: 'readonly' } },
  },
);
