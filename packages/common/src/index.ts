/**
 * @stereo-sdk/common: light internal code shared by every stereo-sdk package, the edge runtime
 * included. It has no dependencies (Node built-ins only), so depending on it never pulls the
 * training stack onto a device. Everything public is exported from here and only here.
 */
export { FileFormatError, FileNotFoundError, InvalidParameterError, ShapeMismatchError, StereoSdkError } from './errors.js';
export * as is from './is.js';
export { writeFileAtomic } from './fs-atomic.js';
