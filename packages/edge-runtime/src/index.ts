/**
 * @stereo-sdk/edge-runtime: run an ONNX stereo network on a device, `disparity(left, right)`.
 * Depends only on onnxruntime-node, sharp and @stereo-sdk/common (a zero-dependency internal package
 * of typed errors, argument checks and atomic writes), so it installs on a robot without the training stack.
 */
export { createStereoMatcher, disparity, type StereoMatcher } from './matcher.js';
export { loadImage } from './prepare.js';
export { parseContract, resolveContract, writeContract, type ContractOrigin, type ModelContractInit } from './contract.js';
export { readOnnxModelInfo, type OnnxModelInfo, type OnnxValueInfo } from './onnx-metadata.js';
export { BUNDLED_MODELS_DIR, DEFAULT_MODEL_PATH, defaultModelFor } from './model.js';
export { BUNDLED_MODELS, CONTRACT_METADATA_KEY, INVALID_DISPARITY, PROVIDER_NAMES } from './defaults.js';
export { toDepth, type DepthParams } from './depth.js';
export { depthToPointCloud, encodePly, writePly, type PointCloud, type PointCloudOptions } from './ply.js';
export { parseCalibration, readCalibration, type StereoCalibration } from './calib.js';
export {
  benchmarkMatcher,
  BENCHMARK_DEFAULTS,
  BENCHMARK_PRESETS,
  median,
  percentile,
  summarizeLatency,
  syntheticPair,
  type BenchmarkOptions,
  type BenchmarkResult,
  type LatencyBreakdown,
  type LatencyStats,
  type ResolutionPreset,
  type SyntheticPairOptions,
} from './harness/index.js';
export {
  FileFormatError,
  FileNotFoundError,
  InvalidParameterError,
  ShapeMismatchError,
  StereoSdkError,
  writeFileAtomic,
} from '@stereo-sdk/common';
export {
  DisposedError,
  InferenceError,
  ModelContractError,
  ProviderUnavailableError,
  type ProviderFailure,
} from './errors.js';
export type {
  BundledModel,
  ContractInputs,
  ContractSize,
  DisparityOptions,
  DisparityResult,
  DisparityTimings,
  FrameSize,
  ModelContract,
  ProviderName,
  RawImage,
  StereoImageInput,
  StereoMatcherOptions,
  TensorRtOptions,
} from './types.js';
