/**
 * Middlebury stereo: 2014/2021 scene folders (`im0.png`, `im1.png`, `disp0GT.pfm` or `disp0.pfm`,
 * `calib.txt`; MiddEval3 `mask0nocc.png`) and 2005/2006 scene folders (`view1.png`, `view5.png`,
 * `disp1.png` = disparity × divisor, 0 = unknown). Scenes may sit up to four folders deep
 * (e.g. `MiddEval3/trainingQ/Adirondack`).
 */
import path from 'node:path';
import { readScaledDisparity } from '@stereo-sdk/core';
import type { DatasetReader, ReaderOptions, SampleEntry, SampleExtras } from '../entry.js';
import { findImage, findName, listDir } from '../fs.js';
import { validMask } from '../ground-truth.js';
import { findSceneDirs, im01Entry, isIm01Scene } from './scene-folder.js';

const isView15Scene = (files: string[]): boolean =>
  findImage(files, ['view1']) !== undefined && findImage(files, ['view5']) !== undefined;

async function view15Entry(root: string, rel: string, divisor: number): Promise<SampleEntry> {
  const dir = path.join(root, rel);
  const { files } = await listDir(dir);
  const gtName = findName(files, ['disp1.png', 'disp1.pgm']);
  const gt = gtName === undefined ? undefined : path.join(dir, gtName);
  return {
    name: `middlebury/${rel === '' ? path.basename(root) : rel}`,
    left: path.join(dir, findImage(files, ['view1']) as string),
    right: path.join(dir, findImage(files, ['view5']) as string),
    gt,
    meta: { dataset: 'middlebury', divisor },
    extras: gt === undefined ? undefined : async (): Promise<SampleExtras> => {
      const disparity = await readScaledDisparity(gt, divisor);
      return { disparity, valid: validMask(disparity) };
    },
  };
}

async function indexMiddlebury(root: string, options: ReaderOptions): Promise<SampleEntry[]> {
  const rels = await findSceneDirs(root, (f) => isIm01Scene(f) || isView15Scene(f));
  return Promise.all(
    rels.map(async (rel) => {
      const { files } = await listDir(path.join(root, rel));
      return isIm01Scene(files) ? im01Entry('middlebury', root, rel) : view15Entry(root, rel, options.divisor);
    }),
  );
}

export const middleburyReader: DatasetReader = {
  layout: 'scene folders with im0/im1 + disp0GT.pfm|disp0.pfm + calib.txt (2014/2021) or view1/view5 + disp1.png (2005/2006)',
  rootIsDirectory: true,
  index: indexMiddlebury,
};
