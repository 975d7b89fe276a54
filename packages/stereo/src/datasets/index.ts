/** Public surface of the dataset layer. */
export type { Calibration, StereoSample, StereoDataset, DatasetSplit, OpenDatasetOptions } from './sample.js';
export { openDataset, parseDatasetSpec, DATASET_SCHEMES, type DatasetSpec } from './spec.js';
export { splitOf, selectSplit } from './split.js';
export {
  parseKittiCalibration,
  parseMiddleburyCalibration,
  parseCalibration,
  readCalibration,
  type CalibrationFile,
  type KittiCameras,
} from './calibration.js';
