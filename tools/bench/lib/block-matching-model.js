/**
 * The benchmarks' stand-in stereo model, until a trained student ships: the same hand-built
 * block-matching network as the edge-runtime test fixture (per-disparity shifted absolute
 * differences, box filter, softmax, soft-argmin), written with @stereo-sdk/core's graph builder so
 * the benchmarks run from the built packages alone. It carries a `stereo_sdk.contract`.
 *
 * It is a real matcher (it recovers a constant shift exactly), but its cost profile is not a
 * network's: everything runs at full resolution, and with `logitsDownsample: 1` its logits are
 * full-resolution too (a student's are at 1/4), which makes the runtime's confidence step 16× dearer.
 */
import { GraphBuilder, encodeOnnx } from '@stereo-sdk/core';
import { writeContract } from '@stereo-sdk/edge-runtime';

/**
 * @param {{ maxDisp?: number, window?: number, beta?: number, logitsDownsample?: 0 | 1 | 2 | 4, stride?: number }} [o]
 *   maxDisp: hypotheses 0..maxDisp-1 (default 16); window: box filter side (3); beta: softmax
 *   sharpness (20); logitsDownsample: 0 = no logits output, else the logits grid's factor (1);
 *   stride: the contract's padding stride (8).
 * @returns {Uint8Array} the ONNX model bytes
 */
export function buildBenchModel(o = {}) {
  const D = o.maxDisp ?? 16;
  const k = o.window ?? 3;
  const beta = o.beta ?? 20;
  const down = o.logitsDownsample ?? 1;
  const b = new GraphBuilder({ name: 'block_matching' });
  const left = b.input('left', 'float32', [1, 3, 'H', 'W']);
  const right = b.input('right', 'float32', [1, 3, 'H', 'W']);
  const padded = b.pad(right, [0, 0, 0, D, 0, 0, 0, 0], { mode: 'edge' });
  const costs = [];
  for (let d = 0; d < D; d++) {
    // Column x of this slice is right(x - d): the padded tensor shifted back by d.
    const shifted = b.slice(padded, { starts: [D - d], ends: [d === 0 ? 2 ** 31 - 1 : -d], axes: [3] });
    costs.push(b.reduceSum(b.abs(b.sub(left, shifted)), [1]));
  }
  const p = (k - 1) / 2;
  const agg = b.avgPool(b.concat(costs, 1), k, { stride: 1, padding: p });
  const scores = b.mul(agg, b.scalar(-beta));
  const prob = b.softmax(scores, 1);
  const dvals = b.constant(Array.from({ length: D }, (_, d) => d), [1, D, 1, 1]);
  b.output(b.reduceSum(b.mul(prob, dvals), [1]), 'disparity');
  if (down === 1) b.output(scores, 'logits');
  else if (down > 1) b.output(b.avgPool(scores, down, { stride: down }), 'logits');
  const graph = b.build();
  const { key, value } = writeContract({
    inputs: { layout: 'pair', left: 'left', right: 'right' },
    channels: 3,
    stride: o.stride ?? 8,
    maxDisparity: D - 1,
    outputs: { disparity: 'disparity', ...(down > 0 ? { logits: { name: 'logits', downsample: down } } : {}) },
  });
  graph.metadata.set(key, value);
  return encodeOnnx(graph);
}

/** What the benchmarks print about the model they ran, so nobody mistakes it for a trained student. */
export function benchModelNote(o = {}) {
  return `hand-built block-matching model (${o.maxDisp ?? 16} disparities, full-resolution cost volume, ` +
    `logits ${o.logitsDownsample === 0 ? 'off' : `at 1/${o.logitsDownsample ?? 1}`}); not a trained student`;
}
