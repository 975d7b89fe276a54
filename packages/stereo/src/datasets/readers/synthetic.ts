/**
 * The tree written by `stereo-sdk dataset synth --out DIR`:
 * `meta.json` (`generator: "stereo-sdk-synth"`, `version`, `count`, `width`, `height`,
 * `maxDisparity`, `seed`), `left/NNNNNN.png`, `right/NNNNNN.png`, `disparity/NNNNNN.pfm` (dense,
 * left-referenced) and `occlusion/NNNNNN.png` (255 = occluded in the right view).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, FileFormatError, readDisparity, readMask } from '@stereo-sdk/core';
import type { DatasetReader, SampleEntry, SampleExtras } from '../entry.js';
import { imagesByStem, listDir, stem } from '../fs.js';
import { validMask } from '../ground-truth.js';

interface SynthMeta {
  generator: string;
  version: number;
  count?: number;
  maxDisparity?: number;
  seed?: number;
}

async function readMeta(root: string): Promise<SynthMeta> {
  const file = path.join(root, 'meta.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new DatasetError(`${root}: not a synthetic dataset (meta.json not found)`);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (err) {
    throw new FileFormatError(file, `not valid JSON (${(err as Error).message})`);
  }
  const m = meta as Partial<SynthMeta> | null;
  if (m === null || typeof m !== 'object' || m.generator !== 'stereo-sdk-synth') {
    throw new FileFormatError(file, `expected "generator": "stereo-sdk-synth"`);
  }
  if (m.version !== 1) throw new FileFormatError(file, `unsupported version ${String(m.version)} (this reader knows version 1)`);
  return m as SynthMeta;
}

async function indexSynthetic(root: string): Promise<SampleEntry[]> {
  const meta = await readMeta(root);
  const [lefts, rights, disps, occs] = await Promise.all([
    imagesByStem(path.join(root, 'left')),
    imagesByStem(path.join(root, 'right')),
    listDir(path.join(root, 'disparity')).then((l) => new Set(l.files.filter((f) => f.endsWith('.pfm')).map(stem))),
    imagesByStem(path.join(root, 'occlusion')),
  ]);
  const entries: SampleEntry[] = [];
  for (const [key, lf] of lefts) {
    const rf = rights.get(key);
    if (rf === undefined) throw new DatasetError(`${path.join(root, 'right')}: missing the right view of ${key}`);
    const gt = disps.has(key) ? path.join(root, 'disparity', `${key}.pfm`) : undefined;
    const occFile = occs.get(key);
    const occ = occFile === undefined ? undefined : path.join(root, 'occlusion', occFile);
    entries.push({
      name: `synthetic/${key}`,
      left: path.join(root, 'left', lf),
      right: path.join(root, 'right', rf),
      gt,
      meta: { dataset: 'synthetic', ...(meta.maxDisparity !== undefined ? { ndisp: meta.maxDisparity, maxDisparity: meta.maxDisparity } : {}) },
      extras: async (): Promise<SampleExtras> => {
        const [disparity, occlusion] = await Promise.all([
          gt === undefined ? undefined : readDisparity(gt, { format: 'pfm' }),
          occ === undefined ? undefined : readMask(occ),
        ]);
        return { ...(disparity ? { disparity, valid: validMask(disparity) } : {}), ...(occlusion ? { occlusion } : {}) };
      },
    });
  }
  if (meta.count !== undefined && entries.length !== meta.count && entries.length > 0) {
    throw new DatasetError(`${root}: meta.json says count ${meta.count} but left/ holds ${entries.length} images`);
  }
  return entries;
}

export const syntheticReader: DatasetReader = {
  layout: 'meta.json ("generator": "stereo-sdk-synth") with left/, right/, disparity/*.pfm, occlusion/',
  rootIsDirectory: true,
  index: indexSynthetic,
};
