/** Convenience glue between the graph IR and the backend interface. */
import { encodeOnnx } from '../graph/onnx-io.js';
import type { Graph } from '../graph/graph.js';
import type { Tensor } from '../graph/types.js';
import { createSession } from './ort.js';
import type { BackendTensor, Session, SessionOptions } from './types.js';

/**
 * Serializes a graph and loads it into a backend session.
 * @param graph the graph to run (not modified)
 * @param opts see `SessionOptions`
 * @throws BackendError when no provider can load the model
 * @example const s = await createGraphSession(graph, { threads: 2 });
 */
export function createGraphSession(graph: Graph, opts?: SessionOptions): Promise<Session> {
  return createSession(encodeOnnx(graph), opts);
}

/** Views an IR tensor as a backend tensor (no copy). */
export function toBackendTensor(t: Tensor): BackendTensor {
  return { type: t.dtype, dims: t.dims, data: t.data };
}

/** Views a backend tensor as an IR tensor (no copy). */
export function fromBackendTensor(t: BackendTensor): Tensor {
  return { dtype: t.type, dims: t.dims, data: t.data };
}
