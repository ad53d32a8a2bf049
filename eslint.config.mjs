// Lint, including the layering rule of architecture.md (as VS Code's code-layering does):
// shared imports nothing of the others; core only shared; main core + shared; preload only
// shared; renderer only shared; platform only shared. Electron only in the thin shell.
import tseslint from 'typescript-eslint'

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
  },
})

const NODE_ONLY = ['node:*', 'better-sqlite3', 'ws']

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'bench/results/**', '.daybook-data/**', '.daybook-platform/**', 'native/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Timings in bench and tests may be floats; money in the app never is.
    files: ['src/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='parseFloat']", message: 'Money is never a float: use parseMajor or decimal.js.' },
        { selector: "CallExpression[callee.property.name='toFixed']", message: 'Money is never a float: use minorToDecimalString or formatMoney.' },
      ],
    },
  },
  layer(['src/shared/**'], ['**/main/**', '**/renderer/**', '**/preload/**', '**/platform/**', 'electron', 'react', ...NODE_ONLY], 'src/shared is pure: it imports nothing of the other layers and no I/O.'),
  layer(['src/main/core/**'], ['electron', '**/renderer/**', '**/preload/**', '**/platform/**', '**/serve/**', '../index', '../core-host'], 'The core imports only src/shared: no Electron, no shell, no renderer.'),
  layer(['src/main/serve/**'], ['electron', '**/renderer/**', '**/preload/**', '**/platform/**'], 'serve hosts the core without Electron: it imports core and shared only.'),
  layer(['src/main/*.ts'], ['**/renderer/**', '**/preload/**', '**/platform/**'], 'main imports core and shared only.'),
  layer(['src/preload/**'], ['**/main/**', '**/renderer/**', '**/platform/**', ...NODE_ONLY], 'The preload imports only src/shared (and electron).'),
  layer(['src/renderer/**'], ['electron', '**/main/**', '**/preload/**', '**/platform/**', ...NODE_ONLY], 'The renderer imports only src/shared: it talks to the core through window.daybook.'),
  layer(['src/platform/**'], ['electron', '**/main/**', '**/renderer/**', '**/preload/**'], 'The platform imports only src/shared.'),
  layer(['test/**', 'bench/**'], ['electron'], 'Code under test must not import electron: it would try to download the binary.'),
)
