/**
 * Middlebury-style scene folders, shared by the Middlebury 2014/2021 and ETH3D two-view readers:
 * `<scene>/im0.png`, `im1.png`, `disp0GT.pfm` (or `disp0.pfm`), optional `mask0nocc.png`, and a
 * `calib.txt` (`cam0`, `doffs`, `baseline`, `ndisp`).
 */
import path from 'node:path';
import { DatasetError, readDisparity, readImage } from '@stereo-sdk/core';
import { readCalibration, toCalibration } from '../calibration.js';
import type { SampleEntry, SampleExtras } from '../entry.js';
import { findImage, findName, listDir } from '../fs.js';
import { occlusionFromNoccMask, validMask } from '../ground-truth.js';

const MAX_DEPTH = 4;

/**
 * Relative paths (with `/`) of the folders under `root` (itself included) that `isScene`
 * accepts, searched breadth-first to `MAX_DEPTH` levels; scene folders are not descended into.
 */
export async function findSceneDirs(root: string, isScene: (files: string[]) => boolean): Promise<string[]> {
  const out: string[] = [];
  let level: string[] = [''];
  for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const rel of level) {
      const { files, dirs } = await listDir(path.join(root, rel));
      if (isScene(files)) out.push(rel);
      else next.push(...dirs.map((d) => (rel === '' ? d : `${rel}/${d}`)));
    }
    level = next;
  }
  return out.sort();
}

/** A folder holding `im0.*` and `im1.*`. */
export const isIm01Scene = (files: string[]): boolean =>
  findImage(files, ['im0']) !== undefined && findImage(files, ['im1']) !== undefined;

/**
 * Builds the entry of one im0/im1 scene. Ground truth and masks are looked for in the scene
 * folder, then in `gtDirs` (ETH3D ships them in a parallel `*_gt` tree).
 */
export async function im01Entry(dataset: string, root: string, rel: string, gtDirs: string[] = []): Promise<SampleEntry> {
  const dir = path.join(root, rel);
  const { files } = await listDir(dir);
  let gt: string | undefined;
  let nocc: string | undefined;
  for (const d of [dir, ...gtDirs]) {
    const names = d === dir ? files : (await listDir(d)).files;
    const g = findName(names, ['disp0GT.pfm', 'disp0.pfm']);
    const n = findName(names, ['mask0nocc.png']);
    if (gt === undefined && g !== undefined) gt = path.join(d, g);
    if (nocc === undefined && n !== undefined) nocc = path.join(d, n);
  }
  const calibName = findName(files, ['calib.txt']);
  const calib = calibName === undefined ? undefined : path.join(dir, calibName);
  const name = rel === '' ? path.basename(root) : rel;
  return {
    name: `${dataset}/${name}`,
    left: path.join(dir, findImage(files, ['im0']) as string),
    right: path.join(dir, findImage(files, ['im1']) as string),
    gt,
    meta: { dataset },
    extras: () => im01Extras(gt, nocc, calib),
  };
}

async function im01Extras(gt?: string, nocc?: string, calibPath?: string): Promise<SampleExtras> {
  const [disparity, mask, calib] = await Promise.all([
    gt === undefined ? undefined : readDisparity(gt, { format: 'pfm' }),
    gt === undefined || nocc === undefined ? undefined : readImage(nocc),
    calibPath === undefined ? undefined : readCalibration(calibPath),
  ]);
  const out: SampleExtras = {};
  if (disparity) {
    out.disparity = disparity;
    out.valid = validMask(disparity);
    if (mask) {
      out.occlusion = occlusionFromNoccMask(mask, disparity);
      if (out.occlusion === undefined) {
        throw new DatasetError(
          `${nocc}: ${mask.width}×${mask.height} does not match ${gt} (${disparity.width}×${disparity.height})`,
        );
      }
    }
  }
  if (calib) {
    out.meta = { calib: toCalibration(calib) };
    if (calib.ndisp !== undefined) out.meta.ndisp = calib.ndisp;
  }
  return out;
}
