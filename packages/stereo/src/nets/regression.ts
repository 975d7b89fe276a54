/**
 * Disparity regression: softmax over the disparity hypotheses, then the expectation of the
 * disparity ("soft-argmin" of GC-Net, on matching scores rather than costs, so no negation).
 * Sub-pixel and differentiable.
 *
 * Written out rather than as ONNX Softmax: onnxruntime's Softmax over a non-last axis transposes
 * internally and measured 4–7× slower here than max-shift, Exp, and one 1×1 Conv with constant
 * weights that yields both Σ exp and Σ k·exp; the division then runs on one channel.
 */
import { attr, is, type GraphBuilder, type TensorRef } from '@stereo-sdk/core';

/**
 * Expected disparity under softmax(logits) along the channel axis.
 * @param b - the builder.
 * @param logits - scores [N, D, H, W], higher = better match; hypothesis k means disparity k·step.
 * @param opts.step - disparity per hypothesis; default 1 (disparity in the volume's pixels).
 * @returns disparity [N, 1, H, W] in [0, (D − 1)·step].
 * @throws InvalidParameterError when logits are not [N, D, H, W] with a static D.
 * @example const d4 = softArgmin(b, logits); // quarter-resolution pixels
 */
export function softArgmin(b: GraphBuilder, logits: TensorRef, opts: { step?: number } = {}): TensorRef {
  const step = opts.step ?? 1;
  is.assertNumber('step', step);
  const d = logits.shape[1];
  if (logits.shape.length !== 4 || typeof d !== 'number') throw is.invalidParameterError('logits', 'a tensor [N, D, H, W] with static D', logits.shape);
  return b.scope('regression', () => {
    // Shift by the max for a stable exp (softmax is shift-invariant).
    const e = b.exp(b.sub(logits, b.reduceMax(logits, [1])));
    const weights = new Float32Array(2 * d);
    for (let k = 0; k < d; k++) {
      weights[k] = 1;
      weights[d + k] = k * step;
    }
    const [sums] = b.op('Conv', [e, b.constant(weights, [2, d, 1, 1])], { kernel_shape: attr.ints([1, 1]) });
    const [total, weighted] = b.split(sums!, [1, 1], 1);
    return b.div(weighted!, total!);
  });
}
