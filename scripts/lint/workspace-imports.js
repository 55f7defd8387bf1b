// ESLint rule `roomgate/workspace-imports`: the workspace graph must match the imports.
// turbo hashes a package's tasks from its own files and the packages it declares; an import of
// another workspace package that is not declared (or a relative path into its files) leaves the
// importer's cached typecheck/test "pass" standing after that package changes.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const packageRoots = new Map();

/** The directory of the nearest package.json above `file`, and that manifest (cached per directory). */
function owningPackage(file) {
  let dir = dirname(file);
  const visited = [];
  while (!packageRoots.has(dir)) {
    visited.push(dir);
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      packageRoots.set(dir, { root: dir, manifest: JSON.parse(readFileSync(manifest, 'utf8')) });
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      packageRoots.set(dir, undefined);
      break;
    }
    dir = parent;
  }
  const found = packageRoots.get(dir);
  for (const seen of visited) packageRoots.set(seen, found);
  return found;
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Options: `scope` — the workspace packages' npm scope (`@roomgate`); `rootFiles` — absolute paths of
 * repository-root files every workspace may import by relative path (shared tool settings, which
 * turbo.json lists in `globalDependencies` so that a change to them reruns every task).
 * @type {import('eslint').Rule.RuleModule}
 */
export const workspaceImports = {
  meta: {
    type: 'problem',
    docs: { description: 'Workspace packages import each other only through declared `workspace:*` dependencies and their `exports`' },
    schema: [
      {
        type: 'object',
        properties: { scope: { type: 'string' }, rootFiles: { type: 'array', items: { type: 'string' } } },
        required: ['scope'],
        additionalProperties: false,
      },
    ],
    messages: {
      undeclared: '\'{{name}}\' is imported by {{importer}} but not declared in its package.json (add "{{name}}": "workspace:*")',
      crossesBoundary: "'{{specifier}}' reaches outside {{importer}} by relative path; import the other package through its exports",
    },
  },
  create(context) {
    const { scope, rootFiles = [] } = context.options[0];
    const filename = context.physicalFilename;
    const owner = owningPackage(filename);
    if (!owner) return {};
    const { root, manifest } = owner;
    const declared = new Set(
      ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {})),
    );
    const importer = manifest.name ?? (relative(context.cwd, root) || '.');

    function check(node) {
      const source = node.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const specifier = source.value;
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(filename), specifier);
        if (target !== root && !target.startsWith(root + sep) && !rootFiles.includes(target)) {
          context.report({ node: source, messageId: 'crossesBoundary', data: { specifier, importer } });
        }
        return;
      }
      if (!specifier.startsWith(`${scope}/`)) return;
      const name = packageName(specifier);
      if (name !== manifest.name && !declared.has(name)) {
        context.report({ node: source, messageId: 'undeclared', data: { name, importer } });
      }
    }

    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
