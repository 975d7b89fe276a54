/**
 * @stereo-sdk/edge-runtime: run an ONNX stereo network on a device, `disparity(left, right)`.
 * Depends only on onnxruntime-node and sharp so it installs on a robot by itself.
 */
export {};
