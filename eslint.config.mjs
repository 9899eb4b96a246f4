import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'reports/', 'data/', 'web/dist/', 'screenshots/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // The clinical core runs without the service: generatePlan and screenPatient load in a script, a bench or a CDS card.
    files: ['src/rules/**/*.ts', 'src/screening/**/*.ts', 'src/prescription/**/*.ts'],
    ignores: ['**/*.module.ts', '**/*.controller.ts', '**/*.service.ts', '**/*.entity.ts', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'typeorm', 'fastify', '@fastify/*'],
              message:
                'The clinical core is framework-free: keep Nest, Fastify and TypeORM in modules, controllers, services and entities.',
            },
            {
              group: [
                '**/*.module',
                '**/*.controller',
                '**/*.service',
                '**/*.entity',
                '**/validation.pipe',
                '**/problem.filter',
                '**/database/*',
              ],
              message:
                'The clinical core is framework-free: import framework-free helpers (e.g. common/field-errors) instead.',
            },
          ],
        },
      ],
    },
  },
  {
    // Files and functions a reader can hold in mind: split along the seams before they grow past these.
    files: ['src/**/*.ts', 'web/src/**/*.{ts,tsx}'],
    ignores: ['**/*.spec.ts', '**/*.test.ts', '**/*.test.tsx', 'src/database/migrations/**'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 100 }],
    },
  },
  {
    // The web app runs in the browser; its end-to-end suite in Node.
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
