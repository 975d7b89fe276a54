/**
 * Public types of the dataset layer: one `StereoSample` per stereo pair, and the lazy
 * `StereoDataset` every reader returns. Implementations live in the reader modules.
 */
import type { DisparityMap, Mask, RasterImage } from '@stereo-sdk/core';

/**
 * Rectified stereo calibration. Depth = focal × baseline / (disparity + doffs), in the units of
 * `baseline`.
 */
export interface Calibration {
  /** Focal length in pixels (rectified). */
  focal: number;
  /** Distance between the two camera centres, in `units` (KITTI: metres; Middlebury/ETH3D: mm). */
  baseline: number;
  /** Difference of the principal points' x (right minus left), in pixels; Middlebury `doffs`. */
  doffs?: number;
  /** Principal point of the left camera, in pixels. */
  cx?: number;
  cy?: number;
  /** Unit of `baseline`. */
  units?: 'm' | 'mm';
}

/** One rectified stereo pair with whatever ground truth its dataset provides. */
export interface StereoSample {
  /** Unique within its dataset, e.g. `kitti2015/000005_10`. */
  name: string;
  left: RasterImage;
  right: RasterImage;
  /** Left-referenced disparity in pixels; invalid pixels are non-finite. */
  disparity?: DisparityMap;
  /** 1 where the ground truth is valid. */
  valid?: Mask;
  /** 1 where the left pixel is occluded in the right view. */
  occlusion?: Mask;
  meta: { dataset: string; calib?: Calibration; ndisp?: number; [k: string]: unknown };
}

/** A dataset opened from disk: indexed at open, files read on `get()`. */
export interface StereoDataset {
  /** Scheme-level name, e.g. `kitti2015`. */
  readonly name: string;
  /** Absolute path the dataset was opened from. */
  readonly root: string;
  /** Number of samples in the selected split. */
  readonly length: number;
  /** Sample names of the selected split, sorted. */
  readonly names: readonly string[];
  /**
   * Reads sample `index` from disk.
   * @param index - integer in [0, length)
   * @throws InvalidParameterError for an index out of range
   * @throws FileNotFoundError / FileFormatError for a missing or corrupt file
   * @throws DatasetError when left, right and ground truth disagree in size
   */
  get(index: number): Promise<StereoSample>;
  [Symbol.asyncIterator](): AsyncIterator<StereoSample>;
}

/** Which part of a dataset to keep after the deterministic train/validation split. */
export type DatasetSplit = 'train' | 'val' | 'all';

/** Options of `openDataset`; the reader-specific ones are ignored by readers they do not concern. */
export interface OpenDatasetOptions {
  /** Part of the split to keep. Default `'all'`. */
  split?: DatasetSplit;
  /** Fraction of samples in the validation part, in [0, 1]. Default 0.1. */
  valFraction?: number;
  /** Seed of the split hash, a non-negative integer. Default 0. */
  seed?: number;
  /** SceneFlow render pass. Default `'cleanpass'`. */
  pass?: 'cleanpass' | 'finalpass';
  /**
   * SceneFlow part: `'TRAIN'` = FlyingThings3D TRAIN + Driving + Monkaa (the usual training set),
   * `'TEST'` = FlyingThings3D TEST only (the usual test set), `'all'` = everything. Default `'TRAIN'`.
   */
  part?: 'TRAIN' | 'TEST' | 'all';
  /** Middlebury 2005/2006 ground-truth divisor (3 = third size, 2 = half, 1 = full). Default 3. */
  divisor?: number;
}
