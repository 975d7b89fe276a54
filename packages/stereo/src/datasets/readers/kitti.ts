/**
 * KITTI stereo 2012 and 2015 share one layout that differs only in folder names:
 * `training/<left>/NNNNNN_10.png`, `<right>/…`, `<occ>/…` and `<noc>/…` (16-bit PNG, value/256,
 * 0 = no ground truth), and one calibration text file per frame.
 */
import path from 'node:path';
import { DatasetError, readKittiDisparity } from '@stereo-sdk/core';
import { readCalibration, toCalibration } from '../calibration.js';
import type { SampleEntry, SampleExtras } from '../entry.js';
import { findName, imagesByStem, isDirectory, listDir } from '../fs.js';
import { occlusionFromOccNoc, validMask } from '../ground-truth.js';

export interface KittiLayout {
  dataset: 'kitti2012' | 'kitti2015';
  /** Left/right image folder pairs, first present wins. */
  images: readonly (readonly [string, string])[];
  occ: string;
  noc: string;
  /** Per-frame calibration folders, first present wins (files named NNNNNN.txt). */
  calibDirs: readonly string[];
}

/** The folder holding the frames: `root/training` or `root` itself when it holds the image folders. */
async function framesDir(root: string): Promise<string> {
  const { dirs } = await listDir(root);
  const training = findName(dirs, ['training']);
  return training !== undefined ? path.join(root, training) : root;
}

/** Indexes the `*_10` frames (the `_11` frames are the scene-flow second frames, without disparity). */
export async function indexKitti(root: string, layout: KittiLayout): Promise<SampleEntry[]> {
  const dir = await framesDir(root);
  const { dirs, files } = await listDir(dir);
  let pair: readonly [string, string] | undefined;
  for (const [l, r] of layout.images) {
    if (dirs.includes(l) && dirs.includes(r)) {
      pair = [l, r];
      break;
    }
  }
  if (pair === undefined) return [];
  const [lefts, rights] = await Promise.all(pair.map((d) => imagesByStem(path.join(dir, d))));
  const occDir = path.join(dir, layout.occ);
  const nocDir = path.join(dir, layout.noc);
  const [occ, noc] = await Promise.all([occDir, nocDir].map(async (d) => new Set((await listDir(d)).files)));
  const calibDir = layout.calibDirs.map((d) => path.join(dir, d));
  const calibFolder = (await Promise.all(calibDir.map(isDirectory))).findIndex(Boolean);
  // Single-file calibration (e.g. `Calib.txt` with P2/P3 lines) shared by every frame.
  const single = [...files, ...(await listDir(root)).files].find((f) => /^calib(_cam_to_cam)?\.txt$/i.test(f));
  const singleCalib = single === undefined ? undefined : files.includes(single) ? path.join(dir, single) : path.join(root, single);

  const entries: SampleEntry[] = [];
  for (const [key, leftFile] of lefts) {
    if (!/_10$/.test(key)) continue;
    const rightFile = rights.get(key);
    if (rightFile === undefined) continue;
    const gtName = `${key}.png`;
    const occPath = occ.has(gtName) ? path.join(occDir, gtName) : undefined;
    const nocPath = noc.has(gtName) ? path.join(nocDir, gtName) : undefined;
    const frame = key.replace(/_10$/, '');
    const calibPath = calibFolder >= 0 ? path.join(calibDir[calibFolder], `${frame}.txt`) : singleCalib;
    entries.push({
      name: `${layout.dataset}/${key}`,
      left: path.join(dir, pair[0], leftFile),
      right: path.join(dir, pair[1], rightFile),
      gt: occPath ?? nocPath,
      meta: { dataset: layout.dataset },
      extras: () => kittiExtras(occPath, nocPath, calibPath, pair[0].startsWith('image_0') ? 'gray' : 'color'),
    });
  }
  return entries;
}

async function kittiExtras(
  occPath: string | undefined,
  nocPath: string | undefined,
  calibPath: string | undefined,
  cameras: 'color' | 'gray',
): Promise<SampleExtras> {
  const [occ, noc, calib] = await Promise.all([
    occPath === undefined ? undefined : readKittiDisparity(occPath),
    nocPath === undefined ? undefined : readKittiDisparity(nocPath),
    calibPath === undefined ? undefined : readCalibration(calibPath, cameras),
  ]);
  const out: SampleExtras = {};
  // valid follows disp_occ (all pixels with ground truth); disp_noc alone when occ is absent.
  const disparity = occ ?? noc;
  if (disparity) {
    out.disparity = disparity;
    out.valid = validMask(disparity);
  }
  if (occ && noc) {
    const occlusion = occlusionFromOccNoc(occ, noc);
    if (occlusion === undefined) {
      throw new DatasetError(`${nocPath}: ${noc.width}×${noc.height} does not match ${occPath} (${occ.width}×${occ.height})`);
    }
    out.occlusion = occlusion;
  }
  if (calib) out.meta = { calib: toCalibration(calib) };
  return out;
}
