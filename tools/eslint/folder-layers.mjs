// A local ESLint plugin: folder layers inside one source root, lowest first. A file may import (relative imports,
// resolved to their folder) from its own folder and from folders declared below its own, never from one above: that
// keeps folder-level import loops out. Files directly under the root (app.module.ts, main.ts) compose everything and
// are not checked; a folder missing from the list is reported, so a new folder gets its place on purpose.
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** @type {import('eslint').Rule.RuleModule} */
const folderLayers = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports between the folders of a source root only go down the declared layers' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
        },
        required: ['root', 'layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      upward:
        "'{{from}}/' may not import from '{{to}}/' ('{{source}}'): '{{to}}' is a higher layer. Move what it needs into '{{from}}/' or a lower folder.",
      unlisted: "Folder '{{folder}}/' is not in the folder-layers list of {{root}}; give it its place there.",
    },
  },
  create(context) {
    const [{ root, layers }] = context.options;
    const rootDir = isAbsolute(root) ? root : resolve(context.cwd, root);
    const rank = new Map(layers.map((folder, i) => [folder, i]));
    /** The folder of a path directly under the root, or null outside it or for a file at its top. */
    const folderOf = (path) => {
      const rel = relative(rootDir, path);
      if (rel.startsWith('..') || isAbsolute(rel) || !rel.includes(sep)) return null;
      return rel.split(sep)[0];
    };
    const from = folderOf(context.filename);
    if (from === null) return {};
    const fromRank = rank.get(from);

    const check = (node) => {
      if (node?.type !== 'Literal' || typeof node.value !== 'string' || !node.value.startsWith('.')) return;
      const to = folderOf(resolve(dirname(context.filename), node.value));
      if (to === null || to === from) return;
      const toRank = rank.get(to);
      if (fromRank === undefined || toRank === undefined) {
        const folder = fromRank === undefined ? from : to;
        context.report({
          node,
          messageId: 'unlisted',
          data: { folder, root: relative(context.cwd, rootDir) || '.' },
        });
      } else if (toRank > fromRank) {
        context.report({ node, messageId: 'upward', data: { from, to, source: node.value } });
      }
    };

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportEqualsDeclaration: (node) => check(node.moduleReference.expression),
      CallExpression: (node) => {
        const callee = node.callee;
        const isRequire = callee.type === 'Identifier' && callee.name === 'require';
        const isMock =
          callee.type === 'MemberExpression' &&
          callee.object.name === 'vi' &&
          callee.property.name === 'mock';
        if (isRequire || isMock) check(node.arguments[0]);
      },
    };
  },
};

export default {
  meta: { name: 'revline-folder-layers' },
  rules: { 'folder-layers': folderLayers },
};
