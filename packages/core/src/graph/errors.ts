/** Errors raised by the graph IR, shape inference, validation and the builder. */
import { StereoSdkError } from '../errors.js';

/**
 * A graph is malformed: a dangling input, two producers for one value, a cycle, or shapes that do
 * not fit an op. The message names the node, its op type and the shapes involved.
 */
export class GraphValidationError extends StereoSdkError {
  /** Name of the offending node, when one node is to blame. */
  readonly node: string | undefined;
  /** Its op type, when one node is to blame. */
  readonly opType: string | undefined;
  constructor(message: string, where?: { node?: string; opType?: string }, options?: { cause?: unknown }) {
    super('ERR_GRAPH_VALIDATION', message, options);
    this.node = where?.node;
    this.opType = where?.opType;
  }
}
