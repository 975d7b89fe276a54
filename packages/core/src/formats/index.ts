/** Image and disparity file formats. */
export { readImage, writeImage, encodeImage } from './image.js';
export type { EncodeOptions } from './image.js';
export { toPlanarFloat } from './planar.js';
export { decodePfm, readPfm, encodePfm, writePfm } from './pfm.js';
export type { PfmImage, PfmInput } from './pfm.js';
export { readKittiDisparity, writeKittiDisparity, KITTI_DISPARITY_SCALE } from './kitti.js';
export { readScaledDisparity, writeScaledDisparity } from './scaled.js';
export { decodeNpy, readNpy, encodeNpy, writeNpy } from './npy.js';
export type { NpyArray } from './npy.js';
export { colorizeDisparity, writeColorizedDisparity, TURBO_LUT } from './colormap.js';
export type { ColorizeOptions } from './colormap.js';
export { readDisparity, DISPARITY_FORMATS } from './disparity.js';
export type { DisparityFormat, ReadDisparityOptions } from './disparity.js';
export { readMask, writeMask } from './mask.js';
