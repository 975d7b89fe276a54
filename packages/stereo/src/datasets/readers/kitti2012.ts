/**
 * KITTI stereo 2012: `training/colored_0|colored_1/NNNNNN_10.png` (or gray `image_0|image_1`),
 * `disp_occ|disp_noc/NNNNNN_10.png`, `calib/NNNNNN.txt` (P0…P3).
 */
import type { DatasetReader } from '../entry.js';
import { indexKitti, type KittiLayout } from './kitti.js';

const LAYOUT: KittiLayout = {
  dataset: 'kitti2012',
  images: [
    ['colored_0', 'colored_1'],
    ['image_0', 'image_1'],
  ],
  occ: 'disp_occ',
  noc: 'disp_noc',
  calibDirs: ['calib'],
};

export const kitti2012Reader: DatasetReader = {
  layout: 'training/colored_0 + colored_1 (*_10.png), disp_occ / disp_noc, calib/*.txt',
  rootIsDirectory: true,
  index: (root) => indexKitti(root, LAYOUT),
};
