/** Student and teacher networks (graph builder), the cost volume, and the inference export with the model contract. */
export {
  COST_VOLUME_METHODS,
  UPSAMPLING_METHODS,
  INPUT_NORMALIZATION,
  INPUT_PRESETS,
  STUDENT_CONFIG,
  STUDENT_VARIANTS,
  TEACHER_CONFIG,
  networkStride,
  paddedSize,
  headDisparities,
  volumeDisparities,
  resolveNetConfig,
  scaled,
  scaledMatchChannels,
  type Aggregation3dConfig,
  type AggregationConfig,
  type CostVolumeMethod,
  type FeatureConfig,
  type InputPreset,
  type StereoNetConfig,
  type StereoNetConfigInit,
  type UpsamplingMethod,
} from './config.js';
export { convBnRelu, reshapeDynamic, residualBlock, upsample2x, type ConvBnReluOptions, type DimSpec } from './layers.js';
export { featureExtractor, splitHalves, type StereoFeatures } from './feature.js';
export { correlationVolume, volumeToChannels, type CostVolumeOptions } from './cost-volume.js';
export { hourglass2d, hourglass3d, type HourglassOptions } from './hourglass.js';
export { softArgmin } from './regression.js';
export { bilinearUpsampleDisparity, convexUpsample, subpixelUpsample, upsampleMask } from './upsample.js';
export {
  buildStereoNetwork,
  NET_METADATA_KEY,
  STEREO_NET_IO,
  type BuildOptions,
  type NetMetadata,
  type StereoNetKind,
  type StereoNetwork,
} from './network.js';
export { buildStudent, type StudentOptions } from './student.js';
export { buildTeacher, type TeacherOptions } from './teacher.js';
export {
  CONTRACT_KEY,
  exportStereoModel,
  readNetMetadata,
  stereoContract,
  toInferenceModel,
  type StereoExportOptions,
  type StereoModelContract,
} from './export.js';
