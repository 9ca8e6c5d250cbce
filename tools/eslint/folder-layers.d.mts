import type { ESLint, Rule } from 'eslint';

declare const plugin: ESLint.Plugin & { rules: { 'folder-layers': Rule.RuleModule } };
export default plugin;
