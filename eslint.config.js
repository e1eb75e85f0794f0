// Lint: ESLint's and typescript-eslint's recommended rules (syntax-level; tsc --strict does the
// type checking), and the layers of src/ (DESIGN.md, "Who may import whom"). Generated models
// are left out: they are regenerated from crds/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers: src/api is the shared layer and imports no other; allocator, sdk and webhooks
// import api only; the controller imports api and drives the allocator, and its built-in
// scheduler (controller/builtin) uses the SDK; the CLI composes them all. Nothing under src/
// imports scripts/, examples/ or bench/: the image ships src/ alone.
const LAYERS = ['api', 'allocator', 'controller', 'webhooks', 'sdk', 'cli'];
const OUTSIDE_SRC = ['scripts', 'examples', 'bench', 'test'];

/** A no-restricted-imports rule for files of `layer` that may import only `allowed` layers. */
function layerRule(layer, allowed) {
  const forbidden = LAYERS.filter((l) => l !== layer && !allowed.includes(l));
  const dynamic = (dirs) => `ImportExpression[source.value=/^(\\.\\.\\/)+(${dirs.join('|')})\\//]`;
  return {
    // import() too: no-restricted-imports reads only static imports.
    'no-restricted-syntax': [
      'error',
      ...(forbidden.length === 0
        ? []
        : [
            {
              selector: dynamic(forbidden),
              message: `src/${layer} may not import ${forbidden.join(', ')} (DESIGN.md: who may import whom).`,
            },
          ]),
      {
        selector: dynamic(OUTSIDE_SRC),
        message: 'nothing under src/ imports scripts/, examples/, bench/ or test/: the image ships src/ alone.',
      },
    ],
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...forbidden.map((l) => ({
            group: [`**/${l}/**`, `../${l}/**`, `../../${l}/**`],
            message: `src/${layer} may import only ${['api', ...allowed.filter((a) => a !== 'api')].join(', ')} of src/ (DESIGN.md: who may import whom); put a shared helper in src/api.`,
          })),
          {
            group: OUTSIDE_SRC.flatMap((d) => [`**/${d}/**`]),
            message: 'nothing under src/ imports scripts/, examples/, bench/ or test/: the image ships src/ alone.',
          },
        ],
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'src/api/generated/', 'charts/', '.agora/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        performance: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        NodeJS: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // The console's page scripts run in the browser, not in Node.
    files: ['src/controller/console/assets/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        window: 'readonly',
        document: 'readonly',
        location: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        EventSource: 'readonly',
        URLSearchParams: 'readonly',
        Node: 'readonly',
        uPlot: 'readonly',
      },
    },
  },
  { files: ['src/api/**/*.ts'], rules: layerRule('api', []) },
  { files: ['src/allocator/**/*.ts'], rules: layerRule('allocator', ['api']) },
  { files: ['src/sdk/**/*.ts'], rules: layerRule('sdk', ['api']) },
  { files: ['src/webhooks/**/*.ts'], rules: layerRule('webhooks', ['api']) },
  { files: ['src/controller/**/*.ts'], ignores: ['src/controller/builtin/**'], rules: layerRule('controller', ['api', 'allocator']) },
  { files: ['src/controller/builtin/**/*.ts'], rules: layerRule('controller', ['api', 'allocator', 'sdk']) },
  { files: ['src/cli/**/*.ts'], rules: layerRule('cli', ['api', 'allocator', 'controller', 'webhooks', 'sdk']) },
);
