/** Backend: the small interface every model run goes through (implemented by onnxruntime-node). */
export { createSession } from './ort.js';
export { createGraphSession, toBackendTensor, fromBackendTensor } from './graph-session.js';
export { BackendError, type BackendTensor, type Session, type SessionOptions } from './types.js';
