/**
 * An unlabeled folder of stereo pairs (the user's own cameras), no disparity. Recognised
 * anywhere under the root, each folder by the first pattern that matches:
 * - subfolders `left/` + `right/` (any case) or `image_2/` + `image_3/`: files paired by name;
 * - `im0.*` + `im1.*` in one folder: one pair named after the folder;
 * - files `<key>_left.*` + `<key>_right.*` (also `-left`/`-right`), `<key>_L.*` + `<key>_R.*`,
 *   and `left<key>.*` + `right<key>.*` (also `left_<key>`).
 */
import path from 'node:path';
import type { DatasetReader, SampleEntry } from '../entry.js';
import { findImage, findName, imagesByStem, isImageFile, listDir, stem } from '../fs.js';

const MAX_DEPTH = 6;

const SUBFOLDER_PAIRS: readonly (readonly [string, string])[] = [
  ['left', 'right'],
  ['image_2', 'image_3'],
];

/** File-name patterns: each captures the shared key of a left or right file. */
const FILE_PATTERNS: readonly { left: RegExp; right: RegExp }[] = [
  { left: /^(.*)[_-]left$/i, right: /^(.*)[_-]right$/i },
  { left: /^(.*)_L$/i, right: /^(.*)_R$/i },
  { left: /^left[_-]?(.*)$/i, right: /^right[_-]?(.*)$/i },
];

const join = (...parts: string[]): string => parts.filter((p) => p !== '').join('/');

interface Found {
  entries: SampleEntry[];
  /** Subfolders consumed as image folders, not to be searched again. */
  consumed: string[];
}

async function pairsInFolder(root: string, rel: string, files: string[], dirs: string[]): Promise<Found> {
  const dir = path.join(root, rel);
  for (const [l, r] of SUBFOLDER_PAIRS) {
    const ld = findName(dirs, [l]);
    const rd = findName(dirs, [r]);
    if (ld === undefined || rd === undefined) continue;
    const [lefts, rights] = await Promise.all([imagesByStem(path.join(dir, ld)), imagesByStem(path.join(dir, rd))]);
    const entries: SampleEntry[] = [];
    for (const [key, lf] of lefts) {
      const rf = rights.get(key);
      if (rf !== undefined) entries.push(entry(join(rel, key), path.join(dir, ld, lf), path.join(dir, rd, rf)));
    }
    return { entries, consumed: [ld, rd] };
  }
  const im0 = findImage(files, ['im0']);
  const im1 = findImage(files, ['im1']);
  if (im0 !== undefined && im1 !== undefined) {
    return { entries: [entry(rel === '' ? path.basename(root) : rel, path.join(dir, im0), path.join(dir, im1))], consumed: [] };
  }
  const images = files.filter(isImageFile);
  for (const { left, right } of FILE_PATTERNS) {
    const rights = new Map<string, string>();
    for (const f of images) {
      const m = right.exec(stem(f));
      if (m && !rights.has(m[1])) rights.set(m[1], f);
    }
    const entries: SampleEntry[] = [];
    for (const f of images) {
      const m = left.exec(stem(f));
      const rf = m ? rights.get(m[1]) : undefined;
      if (m && rf !== undefined) entries.push(entry(join(rel, m[1] === '' ? stem(f) : m[1]), path.join(dir, f), path.join(dir, rf)));
    }
    if (entries.length > 0) return { entries, consumed: [] };
  }
  return { entries: [], consumed: [] };
}

const entry = (name: string, left: string, right: string): SampleEntry => ({
  name: `pairs/${name}`,
  left,
  right,
  meta: { dataset: 'pairs' },
});

async function indexPairs(root: string): Promise<SampleEntry[]> {
  const out: SampleEntry[] = [];
  let level = [''];
  for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const rel of level) {
      const { files, dirs } = await listDir(path.join(root, rel));
      const found = await pairsInFolder(root, rel, files, dirs);
      out.push(...found.entries);
      next.push(...dirs.filter((d) => !found.consumed.includes(d)).map((d) => join(rel, d)));
    }
    level = next;
  }
  return out;
}

export const pairsReader: DatasetReader = {
  layout: 'left/ + right/ (or image_2/ + image_3/) subfolders, im0/im1, *_left/*_right, *_L/*_R or left*/right* image files',
  rootIsDirectory: true,
  index: indexPairs,
};
