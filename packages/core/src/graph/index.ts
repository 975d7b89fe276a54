/** Graph IR, ONNX I/O, shape inference, validation and the network builder. */
export type { Attribute, AttributeType, Dim, DType, GraphLike, ModelInfo, Node, NodeSpec, Tensor, TensorData, TensorType } from './types.js';
export { GraphValidationError } from './errors.js';
export { Graph, DEFAULT_OPSET, type ValueUse } from './graph.js';
export { attr, attrFloat, attrFloats, attrInt, attrInts, attrString, attrTensor } from './attributes.js';
export {
  DTYPES,
  allocData,
  cloneTensor,
  dtypeFromOnnx,
  dtypeSize,
  dtypeToOnnx,
  float16ToFloat32,
  float32ToFloat16,
  float32Tensor,
  int64Tensor,
  isFloatDType,
  makeTensor,
  numel,
  scalarTensor,
  tensorToNumbers,
} from './tensor.js';
export { broadcastShapes, formatShape, isStaticShape, normalizeAxis, UNKNOWN_DIM } from './dims.js';
export {
  addInferredNode,
  inferNode,
  inferShapes,
  inferTypes,
  mergeTypes,
  shapeRules,
  UnknownShapeSignal,
  type InferContext,
  type InferenceResult,
  type InferOptions,
  type InferredOutput,
  type ShapeRule,
} from './infer.js';
export { validateGraph, type ValidateOptions } from './validate.js';
export { decodeOnnx, encodeOnnx, readOnnx, writeOnnx, IR_VERSION } from './onnx-io.js';
export { upgradeToOpset20, upgradeRules, MIN_OPSET } from './upgrade.js';
export { BuilderCore, type BuilderOptions, type TensorRef } from './builder/core.js';
export { TensorOps, type Operand, type ResizeOptions } from './builder/ops.js';
export { GraphBuilder, type ConvOptions } from './builder/layers.js';
export { kaimingUniformBound, uniform } from './builder/init.js';
export { findConvBnPairs, type ConvBnPair, type ModuleKind, type ModuleRecord } from './builder/modules.js';
