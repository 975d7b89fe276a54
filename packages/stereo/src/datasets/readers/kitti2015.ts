/**
 * KITTI stereo 2015: `training/image_2|image_3/NNNNNN_10.png`, `disp_occ_0|disp_noc_0/…`,
 * `calib_cam_to_cam/NNNNNN.txt` (P_rect_02/P_rect_03), or one `Calib.txt` with P2/P3 lines.
 */
import type { DatasetReader } from '../entry.js';
import { indexKitti, type KittiLayout } from './kitti.js';

const LAYOUT: KittiLayout = {
  dataset: 'kitti2015',
  images: [['image_2', 'image_3']],
  occ: 'disp_occ_0',
  noc: 'disp_noc_0',
  calibDirs: ['calib_cam_to_cam', 'calib'],
};

export const kitti2015Reader: DatasetReader = {
  layout: 'training/image_2 + image_3 (*_10.png), disp_occ_0 / disp_noc_0, calib_cam_to_cam/*.txt',
  rootIsDirectory: true,
  index: (root) => indexKitti(root, LAYOUT),
};
