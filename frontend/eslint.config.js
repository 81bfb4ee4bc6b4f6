// ESLint 9 flat config: typescript-eslint (type-aware), react-hooks and jsx-a11y.
// `npm run lint` runs with --max-warnings 0, so every reported problem fails the build.
import js from '@eslint/js';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'src/api/schema.d.ts', 'coverage', 'test-results'] },
  {
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // page.evaluate() callbacks run in the browser.
    files: ['e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['src/**/*.{ts,tsx}', 'vite.config.ts'],
    extends: [
      js.configs.recommended,
      ...tseslint.configs.strictTypeChecked,
      ...tseslint.configs.stylisticTypeChecked,
    ],
    languageOptions: {
      ecmaVersion: 2022,
      globals: { ...globals.browser },
      parserOptions: {
        projectService: { allowDefaultProject: ['vite.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: {
      'react-hooks': reactHooks,
      'jsx-a11y': jsxA11y,
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...jsxA11y.flatConfigs.strict.rules,
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { attributes: false } },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Features never import each other (bulletproof-react): shared code lives in
      // components/, lib/, hooks/ or api/, and app/ (portal/ for the client area) composes
      // the features.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../features/*', '../../../features/*'],
              message: 'Import features through @/features/<name> from app/ only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/features/*/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Inside a feature use relative imports; reaching into another feature is banned.
              group: ['@/features/*', '../../../features/*'],
              message: 'Features must not import other features.',
            },
            { group: ['@/app/*'], message: 'Features must not import the app layer.' },
            { group: ['@/portal/*'], message: 'Staff features must not import the client area.' },
          ],
        },
      ],
    },
  },
  {
    // The client area (src/portal) is a second application: it uses the shared components/,
    // lib/, hooks/ and api/, never the staff dashboard's app/ or features/.
    files: ['src/portal/**/*.{ts,tsx}'],
    ignores: ['src/portal/features/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@/app/*', '@/features/*'],
              message: 'The client area must not import the staff dashboard.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/portal/features/*/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // The same rule as for the staff features, inside the client area.
              group: ['@/portal/features/*', '../../../features/*'],
              message: 'Features must not import other features.',
            },
            {
              group: ['@/portal/routes/*', '@/portal/router', '@/app/*', '@/features/*'],
              message: 'Client-area features must not import routes or the staff dashboard.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/app/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../features/*', '../../../features/*'],
              message: 'Import features through @/features/<name> from app/ only.',
            },
            {
              group: ['@/portal/*', '!@/portal/router'],
              message: 'The staff dashboard mounts the client area through @/portal/router only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.test.{ts,tsx}', 'src/testing/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
);
