/**
 * Typed errors of core. The general ones (StereoSdkError, InvalidParameterError, FileFormatError,
 * FileNotFoundError, ShapeMismatchError) live in `@stereo-sdk/common`, shared with the edge runtime,
 * and are re-exported here so `../errors.js` imports inside core and core's public API stay as they were.
 */
import { StereoSdkError } from '@stereo-sdk/common';

export { FileFormatError, FileNotFoundError, InvalidParameterError, ShapeMismatchError, StereoSdkError } from '@stereo-sdk/common';

/**
 * A dataset spec or dataset tree is malformed: unknown scheme, missing folder, inconsistent pair (`ERR_DATASET`).
 * @param message - the full message, naming the spec or path at fault.
 * @param options - `cause`: the lower-level error this one wraps, if any.
 * @example
 * throw new DatasetError("kitti2015:/data/kitti: missing folder 'training/image_2'");
 */
export class DatasetError extends StereoSdkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_DATASET', message, options);
  }
}
