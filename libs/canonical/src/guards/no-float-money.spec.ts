import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * No binary floats touch money: the canonical model and the revenue engine must not
 * parse, round or format numbers with floating-point helpers. Day counts use integer arithmetic.
 */
const ROOTS = [join(__dirname, '..'), join(__dirname, '..', '..', '..', 'revenue', 'src')];

const FORBIDDEN: [RegExp, string][] = [
  [/\bparseFloat\s*\(/, 'parseFloat'],
  [/\bNumber\s*\(/, 'Number(...) conversion'],
  [/\.toFixed\s*\(/, 'toFixed'],
  [/\.toPrecision\s*\(/, 'toPrecision'],
  [/\bMath\.(round|ceil|trunc|fround)\s*\(/, 'Math rounding'],
  [/\bNumber\.parseFloat\b/, 'Number.parseFloat'],
  [/\b\d+\.\d+(e[+-]?\d+)?\b(?!['"`])/i, 'a float literal'],
  [/\bfrom\s+['"]decimal\.js['"]/, 'decimal.js in the engine (use exact bigint ratios)'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return sourceFiles(path);
    }
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Drops comments and string literals so prose and examples ("0.002") do not trip the scan. */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`/g, "''");
}

export function floatMoneyViolations(files: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const lines = code(readFileSync(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      for (const [pattern, what] of FORBIDDEN) {
        if (pattern.test(line)) {
          found.push(`${relative(process.cwd(), file)}:${String(i + 1)} uses ${what}`);
        }
      }
    });
  }
  return found;
}

describe('no float math on money', () => {
  const files = ROOTS.flatMap(sourceFiles);

  it('scans the canonical model and the revenue engine', () => {
    expect(files.some((f) => f.includes('revenue'))).toBe(true);
    expect(files.length).toBeGreaterThan(20);
  });

  it('finds no float helpers in their sources', () => {
    expect(floatMoneyViolations(files)).toEqual([]);
  });

  it('would catch one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'float-guard-'));
    const bad = join(dir, 'bad.ts');
    writeFileSync(
      bad,
      "export const cents = (m: string) => Math.round(parseFloat(m) * 100);\nconst x = '0.5'; // 1.5 in a comment\n",
    );
    expect(floatMoneyViolations([bad])).toEqual([
      expect.stringContaining('parseFloat'),
      expect.stringContaining('Math rounding'),
    ]);
  });
});
