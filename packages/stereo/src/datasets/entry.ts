/**
 * Internal contract between the generic lazy dataset and the per-layout readers: a reader only
 * indexes file paths; `dataset.ts` reads and checks them on `get()`.
 */
import type { DisparityMap, Mask } from '@stereo-sdk/core';
import type { OpenDatasetOptions, StereoSample } from './sample.js';

/** What a reader adds to the two images: ground truth, masks and per-sample metadata. */
export interface SampleExtras {
  disparity?: DisparityMap;
  valid?: Mask;
  occlusion?: Mask;
  meta?: Record<string, unknown>;
}

/** One indexed sample: file paths plus a loader for everything besides the images. */
export interface SampleEntry {
  name: string;
  left: string;
  right: string;
  /** Ground-truth file, named in size-mismatch errors. */
  gt?: string;
  /** Static metadata known at index time; merged under what `extras` returns. */
  meta: StereoSample['meta'];
  /** Reads ground truth, masks and calibration files; absent for unlabeled samples. */
  extras?: () => Promise<SampleExtras>;
}

/** Reader options after defaults are applied. */
export type ReaderOptions = Required<Pick<OpenDatasetOptions, 'pass' | 'part' | 'divisor'>>;

/** A dataset layout: how to find its samples under a root path. */
export interface DatasetReader {
  /** Describes the expected layout, quoted when nothing is found. */
  readonly layout: string;
  /** Whether the root must be a directory (`true`) or a file (`false`). */
  readonly rootIsDirectory: boolean;
  index(root: string, options: ReaderOptions): Promise<SampleEntry[]>;
}
