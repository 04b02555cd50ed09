// The small JavaScript project "create a project" writes: no dependencies, a page, a module and
// its tests (Node's built-in runner), so it works as soon as it is downloaded. The offline
// engine's unit tests run these tests for real.

export interface ProjectFile {
  /** Workspace-relative path, under the project's folder. */
  path: string;
  content: string;
}

/** The code to try `sum` with run_js; run_js cannot see the workspace, so the function comes along. */
export const SUM_TRY_CODE = [
  'function sum(...numbers) {',
  '  return numbers.reduce((total, n) => total + n, 0);',
  '}',
  'console.log(sum(1, 2, 3));',
].join('\n');

export function demoProjectFiles(folder: string): ProjectFile[] {
  const name = packageName(folder);
  const files: Record<string, string> = {
    'README.md': readme(name),
    'package.json': `${JSON.stringify(
      {
        name,
        version: '0.1.0',
        private: true,
        type: 'module',
        description: "A small project created by Switchboard's offline engine.",
        scripts: { test: 'node --test' },
      },
      null,
      2,
    )}\n`,
    'index.html': indexHtml(name),
    'src/main.js': MAIN_JS,
    'src/sum.js': SUM_JS,
    'test/sum.test.js': SUM_TEST_JS,
  };
  return Object.entries(files).map(([path, content]) => ({ path: `${folder}/${path}`, content }));
}

/** npm names are lower-case, URL-safe and short. */
function packageName(folder: string): string {
  const base = folder.split('/').at(-1) ?? folder;
  const name = base.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '').slice(0, 214);
  return name === '' ? 'demo-project' : name;
}

function readme(name: string): string {
  return `# ${name}

A small JavaScript project created by Switchboard's offline engine: a \`sum\` function, a page
that uses it, and tests. No dependencies.

- \`src/sum.js\`: adds numbers, refusing anything that is not a finite number.
- \`src/main.js\`: wires the form in \`index.html\` to \`sum\`.
- \`test/sum.test.js\`: the tests, for Node's built-in test runner.

## Run it

    npm test                  # node --test
    python3 -m http.server    # or any static file server, then open http://localhost:8000

(\`index.html\` loads an ES module, which browsers do not allow from \`file://\`.)
`;
}

function indexHtml(name: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${name}</title>
  </head>
  <body>
    <h1>${name}</h1>
    <form id="sum-form">
      <label>Numbers <input name="numbers" value="1 2 3" aria-describedby="hint"></label>
      <button>Add them up</button>
    </form>
    <p id="hint">Separate the numbers with spaces or commas.</p>
    <p><output id="result" for="sum-form"></output></p>
    <script type="module" src="src/main.js"></script>
  </body>
</html>
`;
}

const MAIN_JS = `import { parseNumbers, sum } from './sum.js';

const form = document.querySelector('#sum-form');
const result = document.querySelector('#result');

form.addEventListener('submit', (event) => {
  event.preventDefault();
  try {
    const numbers = parseNumbers(new FormData(form).get('numbers'));
    result.textContent = \`Sum: \${sum(...numbers)}\`;
  } catch (error) {
    result.textContent = error.message;
  }
});
`;

const SUM_JS = `/** Adds numbers; throws on anything that is not a finite number, so mistakes show early. */
export function sum(...numbers) {
  for (const n of numbers) {
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new TypeError(\`not a finite number: \${String(n)}\`);
  }
  return numbers.reduce((total, n) => total + n, 0);
}

/** "1, 2 3" → [1, 2, 3]; throws on a word that is not a number. */
export function parseNumbers(text) {
  const words = String(text).split(/[\\s,]+/).filter((word) => word !== '');
  return words.map((word) => {
    const n = Number(word);
    if (!Number.isFinite(n)) throw new TypeError(\`not a number: \${word}\`);
    return n;
  });
}
`;

const SUM_TEST_JS = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNumbers, sum } from '../src/sum.js';

test('sum adds its arguments', () => {
  assert.equal(sum(1, 2, 3), 6);
  assert.equal(sum(), 0);
});

test('sum refuses what is not a finite number', () => {
  assert.throws(() => sum(1, '2'), TypeError);
  assert.throws(() => sum(Number.NaN), TypeError);
});

test('parseNumbers reads spaces and commas', () => {
  assert.deepEqual(parseNumbers('1, 2 3'), [1, 2, 3]);
  assert.throws(() => parseNumbers('1 two'), TypeError);
});
`;
