/**
 * ETH3D two-view stereo: scene folders (`two_view_training/<scene>/im0.png`, `im1.png`,
 * `calib.txt`) with ground truth either beside the images or in the published parallel tree
 * (`two_view_training_gt/<scene>/disp0GT.pfm`, `mask0nocc.png`).
 */
import path from 'node:path';
import type { DatasetReader, SampleEntry } from '../entry.js';
import { findSceneDirs, im01Entry, isIm01Scene } from './scene-folder.js';

async function indexEth3d(root: string): Promise<SampleEntry[]> {
  const rels = await findSceneDirs(root, isIm01Scene);
  return Promise.all(
    rels.map((rel) => {
      // `<parent>/<scene>` → `<parent>_gt/<scene>`; for a root that is itself the image tree, `<root>_gt/<scene>`.
      const parent = path.dirname(path.join(root, rel));
      const gtDir = path.join(`${parent}_gt`, path.basename(rel));
      return im01Entry('eth3d', root, rel, rel === '' ? [] : [gtDir]);
    }),
  );
}

export const eth3dReader: DatasetReader = {
  layout: 'scene folders with im0.png/im1.png + calib.txt, GT disp0GT.pfm beside them or in a parallel *_gt tree',
  rootIsDirectory: true,
  index: indexEth3d,
};
