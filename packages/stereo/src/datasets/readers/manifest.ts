/**
 * A `manifest.json` listing scenes of mixed origin (the format of `datasets/real`): an array of
 * `{ family, scene, dir, left, right, gt?, gtFormat, gtDivisor, invalid, calib? }`, paths relative
 * to the manifest. `gtFormat` is `png8 | pgm8 | png16 | pfm`; disparity = raw / `gtDivisor`;
 * `invalid` says how missing ground truth is marked (`zero`, `inf`) or that it is dense (`none`).
 * `calib` names a KITTI or Middlebury-style calibration file, optionally followed by a description.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FileFormatError, FileNotFoundError, readDisparity, type DisparityMap } from '@stereo-sdk/core';
import { readCalibration, toCalibration } from '../calibration.js';
import type { DatasetReader, SampleEntry, SampleExtras } from '../entry.js';
import { validMask, zeroToInvalid } from '../ground-truth.js';

const GT_FORMATS = ['png8', 'pgm8', 'png16', 'pfm'] as const;
const INVALID = ['zero', 'inf', 'none'] as const;

interface ManifestScene {
  family: string;
  scene: string;
  dir: string;
  left: string;
  right: string;
  gt?: string;
  gtFormat: (typeof GT_FORMATS)[number];
  gtDivisor: number;
  invalid: (typeof INVALID)[number];
  calib?: string;
}

/** Checks one manifest item, naming the manifest and item index in every complaint. */
function checkScene(raw: unknown, i: number, file: string): ManifestScene {
  const bad = (problem: string): FileFormatError => new FileFormatError(file, `scene ${i}: ${problem}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('not an object');
  const o = raw as Record<string, unknown>;
  for (const key of ['family', 'scene', 'dir', 'left', 'right'] as const) {
    if (typeof o[key] !== 'string' || o[key] === '') throw bad(`'${key}' must be a non-empty string`);
  }
  const gt = o.gt;
  if (gt !== undefined && (typeof gt !== 'string' || gt === '')) throw bad("'gt' must be a non-empty string");
  const gtFormat = o.gtFormat ?? 'pfm';
  if (!GT_FORMATS.includes(gtFormat as ManifestScene['gtFormat'])) throw bad(`'gtFormat' must be one of ${GT_FORMATS.join(', ')}`);
  const gtDivisor = o.gtDivisor ?? 1;
  if (typeof gtDivisor !== 'number' || !(gtDivisor > 0)) throw bad("'gtDivisor' must be a positive number");
  const invalid = o.invalid ?? (gtFormat === 'pfm' ? 'inf' : 'zero');
  if (!INVALID.includes(invalid as ManifestScene['invalid'])) throw bad(`'invalid' must be one of ${INVALID.join(', ')}`);
  if (o.calib !== undefined && typeof o.calib !== 'string') throw bad("'calib' must be a string");
  return { ...(o as unknown as ManifestScene), gtFormat, gtDivisor, invalid } as ManifestScene;
}

/** Decodes ground truth as the manifest describes it; every pixel marked missing becomes Infinity. */
async function readGroundTruth(file: string, s: ManifestScene): Promise<DisparityMap> {
  const disp =
    s.gtFormat === 'pfm'
      ? await readDisparity(file, { format: 'pfm' })
      : await readDisparity(file, { format: s.gtFormat, divisor: s.gtDivisor });
  if (s.gtFormat === 'pfm' && s.gtDivisor !== 1) for (let i = 0; i < disp.data.length; i++) disp.data[i] /= s.gtDivisor;
  if (s.invalid === 'zero') return s.gtFormat === 'pfm' ? zeroToInvalid(disp) : disp;
  if (s.invalid === 'none' && s.gtFormat !== 'pfm') {
    // The integer readers map raw 0 to Infinity; for dense maps a raw 0 is a real disparity of 0.
    for (let i = 0; i < disp.data.length; i++) if (disp.data[i] === Infinity) disp.data[i] = 0;
  }
  return disp;
}

async function indexManifest(root: string): Promise<SampleEntry[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(root, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError(root, 'manifest');
    throw new FileFormatError(root, `not valid JSON (${(err as Error).message})`);
  }
  const list = Array.isArray(json) ? json : (json as { scenes?: unknown })?.scenes;
  if (!Array.isArray(list)) throw new FileFormatError(root, 'expected an array of scenes (or { "scenes": [...] })');
  const base = path.dirname(root);
  return list.map((raw, i): SampleEntry => {
    const s = checkScene(raw, i, root);
    const dir = path.resolve(base, s.dir);
    const gt = s.gt === undefined ? undefined : path.join(dir, s.gt);
    // `calib` is "<file name> (description)": the file is the first word.
    const calibFile = s.calib === undefined ? undefined : path.join(dir, s.calib.trim().split(/\s+/)[0]);
    return {
      name: `${s.family}/${s.scene}`,
      left: path.join(dir, s.left),
      right: path.join(dir, s.right),
      gt,
      meta: { dataset: 'manifest', family: s.family, scene: s.scene },
      extras: async (): Promise<SampleExtras> => {
        const [disparity, calib] = await Promise.all([
          gt === undefined ? undefined : readGroundTruth(gt, s),
          calibFile === undefined ? undefined : readCalibration(calibFile),
        ]);
        const out: SampleExtras = {};
        if (disparity) Object.assign(out, { disparity, valid: validMask(disparity) });
        if (calib) {
          out.meta = { calib: toCalibration(calib) };
          if (calib.ndisp !== undefined) out.meta.ndisp = calib.ndisp;
        }
        return out;
      },
    };
  });
}

export const manifestReader: DatasetReader = {
  layout: 'a manifest.json array of { family, scene, dir, left, right, gt, gtFormat, gtDivisor, invalid, calib }',
  rootIsDirectory: false,
  index: indexManifest,
};
