// ESLint for the JavaScript of EPSS (`npm run check`): the overlay (overlay_js/src) and the
// scripts of the service's own pages (epss/static). Rules that find mistakes, not matters of
// taste; tsc (tsconfig.json, overlay_js/tsconfig.json) checks the types.
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';

// The overlay's files are joined into one closure in the order of order.txt
// (epss/overlay/bundle.py). Each says what it offers the later files in an `/* exported … */`
// comment and what it takes from the earlier ones in a `/* global … */` comment: no-undef
// holds it to the second, no-unused-vars to both, and this rule has every name it takes
// offered by an earlier file (or be STYLES or CORE, made by the bundler). A name from a later file
// would be in its temporal dead zone while the bundle starts.
const OVERLAY = new URL('overlay_js/src/', import.meta.url);
const ORDER = readFileSync(new URL('order.txt', OVERLAY), 'utf8').split('\n')
  .map((line) => line.split('#')[0].trim()).filter((name) => name.endsWith('.js'));
const names = (text, directive) => [...text.matchAll(new RegExp(`/\\*\\s*${directive}\\s([^*]*)\\*/`, 'g'))]
  .flatMap((m) => m[1].split(/[\s,]+/)).filter(Boolean).map((name) => name.split(':')[0]);
const offered = (file) => names(readFileSync(new URL(file, OVERLAY), 'utf8'), 'exported');

const declaredEarlier = {
  meta: {
    type: 'problem',
    docs: { description: 'An overlay file takes only names that an earlier file of order.txt offers' },
    schema: [],
  },
  create(context) {
    const file = context.filename.split(/[\\/]/).pop();
    const place = ORDER.indexOf(file);
    return {
      Program(node) {
        if (place < 0) {
          context.report({ node, message: `${file} is not in overlay_js/src/order.txt` });
          return;
        }
        const earlier = new Set(['STYLES', 'CORE', ...ORDER.slice(0, place).flatMap(offered)]);
        for (const name of names(context.sourceCode.getText(), 'global')) {
          if (!earlier.has(name)) {
            context.report({ node, message: `'${name}' is not offered (/* exported */) by a file before ${file} in order.txt` });
          }
        }
      },
    };
  },
};

export default [
  {
    // Not yet checked: the browser extension, the API docs' and the demo's scripts, the
    // OpenID test provider. Vendored and installed code is never checked.
    ignores: ['epss/static/vendor/', 'overlay_js/extension/', 'epss/operations/', 'epss/demo/',
      'tests/', '.venv/', '.lrs-venv/', 'build/', 'dist/', 'epss-data/', 'epss-demo/'],
  },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'array-callback-return': 'error',
      'eqeqeq': ['error', 'always', { null: 'ignore' }],
      'no-constructor-return': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-promise-executor-return': 'error',
      'no-self-compare': 'error',
      'no-sequences': 'error',
      'no-template-curly-in-string': 'error',
      'no-throw-literal': 'error',
      'no-unmodified-loop-condition': 'error',
      'no-unreachable-loop': 'error',
      'no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      'no-unused-private-class-members': 'error',
    },
  },
  {
    files: ['overlay_js/src/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'script', globals: globals.browser },
    plugins: { overlay: { rules: { 'declared-earlier': declaredEarlier } } },
    rules: {
      'overlay/declared-earlier': 'error',
      // rjsmin, the bundle's minifier, reads a template literal inside another as code and
      // takes the spaces out of its text.
      'no-restricted-syntax': ['error', {
        selector: 'TemplateLiteral TemplateLiteral',
        message: 'No template literal inside another: the minifier (rjsmin) would change its text.',
      }],
    },
  },
  {
    // Each page script is one function, called at once: nothing leaks onto the page.
    files: ['epss/static/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'script', globals: globals.browser },
    rules: { 'no-implicit-globals': 'error', 'strict': ['error', 'function'] },
  },
  {
    files: ['*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
  },
];
