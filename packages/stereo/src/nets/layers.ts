/**
 * The few layer patterns every network of the family is made of: Conv-BN-ReLU (2D and 3D), a
 * residual block, size-agnostic ×2 upsampling and a Reshape that copies run-time dims. Ordinary
 * patterns on purpose: the pruner recognizes them, BN folds into the conv on export, and
 * TensorRT/ORT run them fast.
 */
import { attr, is, type GraphBuilder, type TensorRef } from '@stereo-sdk/core';

/** Options of `convBnRelu`. */
export interface ConvBnReluOptions {
  /** Kernel size; default 3 (padding keeps the size at stride 1). */
  kernel?: number;
  /** Default 1. */
  stride?: number;
  /** Zero padding on each side; default (kernel − 1) / 2, "same" at stride 1. */
  padding?: number;
  /** Apply ReLU; default true. */
  relu?: boolean;
  /** Module name in the current scope. */
  name?: string;
}

/**
 * Conv (no bias) → BatchNormalization → ReLU, for 2D or 3D input (by the rank of `x`), "same"
 * padding. The conv and BN are named `<name>` and `<name>_bn`.
 * @param b - the builder.
 * @param x - input [N, C, H, W] or [N, C, D, H, W].
 * @param channels - output channels (≥ 1).
 * @example const y = convBnRelu(b, x, 32, { stride: 2, name: 'down' });
 */
export function convBnRelu(b: GraphBuilder, x: TensorRef, channels: number, opts: ConvBnReluOptions = {}): TensorRef {
  const kernel = opts.kernel ?? 3;
  const conv = b.conv(x, channels, { kernel, stride: opts.stride ?? 1, padding: opts.padding ?? (kernel - 1) >> 1, bias: false, ...(opts.name ? { name: opts.name } : {}) });
  const bn = b.batchNorm(conv, opts.name ? { name: `${opts.name}_bn` } : {});
  return (opts.relu ?? true) ? b.relu(bn) : bn;
}

/**
 * Residual block (ResNet "basic" block without a projection): ReLU(x + BN(conv(ReLU(BN(conv(x)))))).
 * @param b - the builder.
 * @param x - input [N, C, H, W] (or 5-D); the output has the same shape.
 * @param name - scope name of the block.
 * @example y = residualBlock(b, y, 'block0');
 */
export function residualBlock(b: GraphBuilder, x: TensorRef, name: string): TensorRef {
  return b.scope(name, () => {
    const c = x.shape[1] as number;
    const h = convBnRelu(b, x, c, { name: 'conv1' });
    const y = convBnRelu(b, h, c, { name: 'conv2', relu: false });
    return b.relu(b.add(y, x));
  });
}

/**
 * Bilinear (trilinear for 5-D) ×2 upsampling of the spatial axes (and of the disparity axis of a
 * 5-D volume), by scales rather than sizes so the exported graph runs at any input size.
 * @param b - the builder.
 * @param x - input [N, C, H, W] or [N, C, D, H, W].
 * @example const up = upsample2x(b, coarse);
 */
export function upsample2x(b: GraphBuilder, x: TensorRef): TensorRef {
  const spatial = x.shape.length - 2;
  return b.resize(x, { scales: [1, 1, ...new Array<number>(spatial).fill(2)] });
}

/** One entry of a `reshapeDynamic` target: a constant size, or dimension `dim` of the input at run time. */
export type DimSpec = number | { readonly dim: number };

/**
 * Reshape whose target mixes constants and run-time dims of `x` (read with Shape), for reshapes
 * that move or merge dims ONNX's 0 / −1 cannot express (e.g. [.., A, B] → [.., B, A]). The graph
 * stays size-agnostic; the static output shape is recorded for the builder, which infers node by
 * node without constant values (`build()` re-checks it with a whole-graph pass).
 * @param b - the builder.
 * @param x - the tensor.
 * @param target - one `DimSpec` per output dim; constants ≥ 1.
 * @throws InvalidParameterError on a bad spec or a static element count mismatch.
 * @example reshapeDynamic(b, v, [{ dim: 0 }, 96, { dim: 3 }, { dim: 4 }]); // [N, G, D, H, W] → [N, G·D, H, W]
 */
export function reshapeDynamic(b: GraphBuilder, x: TensorRef, target: readonly DimSpec[]): TensorRef {
  const rank = x.shape.length;
  const ok = (s: DimSpec): boolean => (typeof s === 'number' ? Number.isInteger(s) && s >= 1 : Number.isInteger(s.dim) && s.dim >= 0 && s.dim < rank);
  if (!Array.isArray(target) || target.length === 0 || !target.every(ok)) throw is.invalidParameterError('reshape target', `constants >= 1 or { dim } in [0, ${rank - 1}]`, target);
  // Runs of consecutive input dims come from one Shape slice.
  const parts: TensorRef[] = [];
  for (let i = 0; i < target.length; ) {
    const s = target[i]!;
    if (typeof s === 'number') {
      parts.push(b.constant([s], [1], 'int64'));
      i++;
      continue;
    }
    let j = i + 1;
    while (j < target.length && typeof target[j] !== 'number' && (target[j] as { dim: number }).dim === s.dim + (j - i)) j++;
    parts.push(b.op('Shape', [x], { start: attr.int(s.dim), end: attr.int(s.dim + j - i) })[0]!);
    i = j;
  }
  const shape = parts.length === 1 ? parts[0]! : b.concat(parts, 0);
  const [y] = b.op('Reshape', [x, shape]);
  const dims = target.map((s) => (typeof s === 'number' ? s : x.shape[s.dim]!));
  if (!dims.every((d) => typeof d === 'number')) return y!;
  const count = (ds: readonly (number | string)[]): number => ds.reduce<number>((a, d) => a * (d as number), 1);
  if (x.shape.every((d) => typeof d === 'number') && count(x.shape) !== count(dims)) {
    throw is.invalidParameterError('reshape target', `${count(x.shape)} elements like [${x.shape.join(', ')}]`, dims);
  }
  b.graph.setType(y!.name, { dtype: x.dtype, shape: dims });
  return { name: y!.name, dtype: x.dtype, shape: dims };
}
