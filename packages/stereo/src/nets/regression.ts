/**
 * Disparity regression: softmax over the disparity hypotheses, then the expectation of the
 * disparity ("soft-argmin" of GC-Net, on matching scores rather than costs, so no negation).
 * Sub-pixel and differentiable.
 *
 * Written out rather than as ONNX Softmax: onnxruntime's Softmax over a non-last axis transposes
 * internally and measured 4–7× slower here than max-shift, Exp, and one 1×1 Conv with constant
 * weights that yields both Σ exp and Σ k·exp; the division then runs on one channel.
 * The inference export reads the max probability (confidence) off the same Σ exp
 * (`addMaxProbability`), so the pattern built here and the one matched there live together.
 */
import {
  addInferredNode,
  attr,
  attrInt,
  attrInts,
  InvalidParameterError,
  is,
  tensorToNumbers,
  type Graph,
  type GraphBuilder,
  type Node,
  type TensorRef,
} from '@stereo-sdk/core';

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

/** The value of the softmax's Σ exp(l − max l) in the {@link softArgmin} that reads `raw`, if any. */
function softmaxTotal(g: Graph, raw: string): string | undefined {
  const only = (value: string, op: string): Node[] => g.consumers(value).filter((n) => n.opType === op && n.inputs[0] === value);
  for (const sub of only(raw, 'Sub')) {
    const max = g.producer(sub.inputs[1]!);
    const axes = max?.inputs[1] ? g.initializer(max.inputs[1]) : undefined;
    if (max?.opType !== 'ReduceMax' || max.inputs[0] !== raw || attrInt(max, 'keepdims', 1) !== 1) continue;
    if (!axes || tensorToNumbers(axes).join() !== '1') continue;
    for (const exp of only(sub.outputs[0]!, 'Exp')) {
      for (const conv of only(exp.outputs[0]!, 'Conv')) {
        const row = onesRow(g, conv);
        if (row === undefined) continue;
        for (const split of only(conv.outputs[0]!, 'Split')) {
          const sizes = split.inputs[1] ? g.initializer(split.inputs[1]) : undefined;
          if (attrInt(split, 'axis', 0) !== 1 || !sizes) continue;
          // Output k of the Split holds channels [start_k, start_k + size_k).
          let start = 0;
          for (const [k, size] of tensorToNumbers(sizes).entries()) {
            if (start === row && size === 1) return split.outputs[k];
            start += size;
          }
        }
      }
    }
  }
  return undefined;
}

/** The output channel of a bias-free 1×1 Conv whose weights are all 1 (a plain channel sum), if any. */
function onesRow(g: Graph, conv: Node): number | undefined {
  const w = conv.inputs[1] ? g.initializer(conv.inputs[1]) : undefined;
  if (!w || w.dtype !== 'float32' || w.dims.length !== 4 || w.dims[2] !== 1 || w.dims[3] !== 1) return undefined;
  if (conv.inputs[2] || attrInt(conv, 'group', 1) !== 1) return undefined;
  if (!attrInts(conv, 'strides', [1, 1]).every((s) => s === 1) || !attrInts(conv, 'pads', [0, 0, 0, 0]).every((p) => p === 0)) return undefined;
  const [out, d] = w.dims as [number, number];
  const data = w.data as Float32Array;
  for (let k = 0; k < out; k++) {
    let ones = true;
    for (let c = 0; c < d && ones; c++) ones = data[k * d + c] === 1;
    if (ones) return k;
  }
  return undefined;
}

/**
 * Adds the largest probability of the {@link softArgmin} distribution to a graph, as
 * `1 / Σ exp(l − max l)` (the max-shifted exp of the arg-max is 1). It reuses that softmax's own
 * max-shift and Σ exp, so it costs one Reciprocal on a single-channel map instead of a second softmax.
 * @param g - the graph (e.g. an inference export), modified in place.
 * @param logits - the scores the softArgmin reads, [N, D, h, w], or an Identity of them (the `logits` output).
 * @param name - name of the new value (not yet used in `g`).
 * @returns `name`: the max probability [N, 1, h, w], in [1/D, 1].
 * @throws InvalidParameterError when no softArgmin built by this module reads `logits`, or `name` is taken.
 * @example addMaxProbability(model, 'logits', 'confidence'); model.addOutput('confidence');
 */
export function addMaxProbability(g: Graph, logits: string, name: string): string {
  is.assertString('name', name);
  if (g.hasValue(name)) throw new InvalidParameterError(`addMaxProbability: '${name}' is already a value of graph '${g.name}'`);
  const source = g.producer(logits);
  const raw = source?.opType === 'Identity' ? source.inputs[0]! : logits;
  const total = softmaxTotal(g, raw);
  if (total === undefined) {
    throw new InvalidParameterError(`Graph '${g.name}': no softArgmin (ReduceMax, Sub, Exp, 1x1 Conv sums, Split) reads '${logits}', so its max probability cannot be taken from the graph`);
  }
  addInferredNode(g, { opType: 'Reciprocal', inputs: [total], outputs: [name], name: g.uniqueNodeName('/regression/max_probability') });
  return name;
}
