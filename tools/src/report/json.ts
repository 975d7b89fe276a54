/**
 * JSON reports: indented for reading, with arrays of numbers (and short strings) kept on one line (a 1,000-sample
 * latency list stays one line), non-finite numbers as `null` (as JSON.stringify does), written
 * atomically.
 */
import { is, writeFileAtomic } from '@stereo-sdk/core';

function isFlat(v: unknown[]): boolean {
  return v.every((x) => x === null || typeof x === 'number' || typeof x === 'boolean' || (typeof x === 'string' && x.length <= 24));
}

/**
 * Formats a value as indented JSON text (trailing newline).
 * @param value - anything JSON.stringify accepts.
 * @example
 * formatJson({ samplesMs: [1.5, 2] }); // '{\n  "samplesMs": [1.5, 2]\n}\n'
 */
export function formatJson(value: unknown): string {
  const walk = (v: unknown, indent: string): string => {
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      if (isFlat(v)) return `[${v.map((x) => JSON.stringify(x ?? null)).join(', ')}]`;
      const inner = indent + '  ';
      return `[\n${v.map((x) => inner + walk(x, inner)).join(',\n')}\n${indent}]`;
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && typeof x !== 'function');
      if (entries.length === 0) return '{}';
      const inner = indent + '  ';
      return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${walk(x, inner)}`).join(',\n')}\n${indent}}`;
    }
    return JSON.stringify(v) ?? 'null';
  };
  return walk(value, '') + '\n';
}

/**
 * Writes a JSON report atomically.
 * @param path - destination file; parent folders are created.
 * @param value - the report.
 * @example
 * await writeJson('bench.json', result);
 */
export async function writeJson(path: string, value: unknown): Promise<void> {
  is.assertString('path', path);
  await writeFileAtomic(path, formatJson(value));
}

/** Rounds every number in a plain data structure to `digits` decimals (reports need no float noise). */
export function roundNumbers<T>(value: T, digits = 3): T {
  const f = 10 ** digits;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v * f) / f : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
