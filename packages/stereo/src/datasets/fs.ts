/** Small directory helpers shared by the readers (sorted listings, case-insensitive lookups). */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Image extensions the core image reader decodes. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp', '.ppm', '.pgm'];

export const isImageFile = (name: string): boolean => IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());

/** File extension removed, e.g. `000005_10.png` → `000005_10`. */
export const stem = (name: string): string => name.slice(0, name.length - path.extname(name).length);

/** Sorted entries of a directory, hidden ones skipped; `[]` when it does not exist. */
export async function listDir(dir: string): Promise<{ files: string[]; dirs: string[] }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return { files: [], dirs: [] };
  }
  const files: string[] = [];
  const dirs: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    // Follow symlinks: datasets are often linked into place.
    const kind = e.isSymbolicLink() ? await statKind(path.join(dir, e.name)) : e.isDirectory() ? 'dir' : 'file';
    if (kind === 'dir') dirs.push(e.name);
    else if (kind === 'file') files.push(e.name);
  }
  return { files: files.sort(byCodeUnit), dirs: dirs.sort(byCodeUnit) };
}

async function statKind(p: string): Promise<'dir' | 'file' | undefined> {
  try {
    const s = await stat(p);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/** Locale-independent ordering, so indexes are identical on every machine. */
export const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function isDirectory(p: string): Promise<boolean> {
  return (await statKind(p)) === 'dir';
}

export async function isFile(p: string): Promise<boolean> {
  return (await statKind(p)) === 'file';
}

/** Image files of a directory keyed by stem (first extension wins in sorted order). */
export async function imagesByStem(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of (await listDir(dir)).files) {
    if (isImageFile(f) && !out.has(stem(f))) out.set(stem(f), f);
  }
  return out;
}

/** First name in `names` matching one of `candidates` case-insensitively, or undefined. */
export function findName(names: readonly string[], candidates: readonly string[]): string | undefined {
  for (const c of candidates) {
    const hit = names.find((n) => n.toLowerCase() === c.toLowerCase());
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** First image file whose stem is one of `stems` (case-insensitive). */
export function findImage(files: readonly string[], stems: readonly string[]): string | undefined {
  for (const s of stems) {
    const hit = files.find((f) => isImageFile(f) && stem(f).toLowerCase() === s.toLowerCase());
    if (hit !== undefined) return hit;
  }
  return undefined;
}
