// ESLint rule enforcing eslint/layers.js on src/: each import is resolved to a path and checked
// against the importing module's row. Packages are checked too: src/ ships with `dependencies`
// only, so importing a devDependency there would break the production install.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LAYERS, SHARED } from './layers.js';

const within = (file, entry) => file === entry || file.startsWith(`${entry}/`);

/** The table row for a module: the longest key that is the file or one of its folders. */
function rowOf(file) {
  return Object.keys(LAYERS)
    .filter((key) => within(file, key))
    .sort((a, b) => b.length - a.length)[0];
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export function importProblem(fromFile, spec, devDependencies) {
  if (!fromFile.startsWith('src/')) return undefined;
  if (!spec.startsWith('.')) {
    const name = packageName(spec);
    if (!devDependencies.has(name)) return undefined;
    return `"${name}" is a devDependency; production code may import only dependencies`;
  }
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), spec));
  const row = rowOf(fromFile);
  if (row === undefined) {
    return `${fromFile} has no row in eslint/layers.js; add its folder there and to docs/architecture.md`;
  }
  if (!target.startsWith('src/')) return `${row} may not import ${target}: production code stays inside src/`;
  if (within(target, row) || SHARED.includes(target)) return undefined;
  if (LAYERS[row].some((allowed) => within(target, allowed))) return undefined;
  const allowed = [...LAYERS[row], 'shared modules'].join(', ');
  return `${row} may not import ${target} (allowed: ${allowed}); see docs/architecture.md`;
}

function devDependenciesOf(cwd) {
  const pkg = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8'));
  return new Set(Object.keys(pkg.devDependencies ?? {}));
}

export const importLayersRule = {
  meta: { type: 'problem', schema: [], docs: { description: 'src/ folders import only what eslint/layers.js allows' } },
  create(context) {
    const fromFile = path.relative(context.cwd, context.filename).split(path.sep).join('/');
    if (!fromFile.startsWith('src/')) return {};
    const devDependencies = devDependenciesOf(context.cwd);
    const check = (node) => {
      const source = node.source;
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const message = importProblem(fromFile, source.value, devDependencies);
      if (message !== undefined) context.report({ node: source, message });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
