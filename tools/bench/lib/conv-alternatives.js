/**
 * Conv backward formulations that were tried against the autodiff rules' choices, for a 2D 3×3
 * layer with pad 1 (the bench layer). Each builder takes a graph context `c` (input/op/ints/
 * floats/shape) and the names of x, w, dy, and returns the gradient value. Names start with
 * `dX_` or `dW_` so the bench can relate each to the rule it competes with.
 */

const K = 3;

/** W [M, C, 3, 3] → [C, M, 3, 3] with flipped kernels (the stride-1 adjoint's weight). */
function flipTranspose(c, w, attr) {
  const t = c.op('Transpose', [w], { perm: attr.ints([1, 0, 2, 3]) });
  return c.op('Slice', [t, c.ints([-1, -1]), c.ints([-Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]), c.ints([2, 3]), c.ints([-1, -1])]);
}

/** dX as ConvTranspose(dY, W) for any stride. */
function convTranspose(layer) {
  return (c, x, w, dy, attr) => {
    const [, , h, wd] = layer.x;
    const [, , oh, ow] = layer.y;
    const s = layer.stride;
    const outPad = [h - ((oh - 1) * s + K - 2), wd - ((ow - 1) * s + K - 2)];
    const attrs = { strides: attr.ints([s, s]), pads: attr.ints([1, 1, 1, 1]), output_padding: attr.ints(outPad) };
    if (layer.group > 1) attrs.group = attr.int(layer.group);
    return c.op('ConvTranspose', [dy, w], attrs);
  };
}

/** Stride 2: zeros inserted between dY samples, then the stride-1 flipped Conv. */
function zeroInsertConv(layer) {
  return (c, x, w, dy, attr) => {
    const [n, m, oh, ow] = layer.y;
    const [, , h, wd] = layer.x;
    const split = c.op('Reshape', [dy, c.ints([n, m, oh, 1, ow, 1])]);
    const padded = c.op('Pad', [split, c.ints([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1])]);
    const up = c.op('Reshape', [padded, c.ints([n, m, 2 * oh, 2 * ow])]);
    return c.op('Conv', [up, flipTranspose(c, w, attr)], { pads: attr.ints([1, 1, h - 2 * oh + 1, wd - 2 * ow + 1]) });
  };
}

/**
 * Stride 2, 3×3, pad 1: each output phase (row parity, column parity) is a stride-1 Conv of dY
 * with the kernel taps that reach it (1×1, 1×2, 2×1, 2×2), interleaved by DepthToSpace.
 */
function polyphase(layer) {
  return (c, x, w, dy, attr) => {
    const [n, ch, h, wd] = layer.x;
    const [, , oh, ow] = layer.y;
    const wt = c.op('Transpose', [w], { perm: attr.ints([1, 0, 2, 3]) });
    // Phase 0 reads tap 1 at o = i; phase 1 reads tap 2 at o = i and tap 0 at o = i + 1.
    const taps = (r) => (r === 0 ? [1] : [2, 0]);
    const phases = [];
    for (const rh of [0, 1]) {
      for (const rw of [0, 1]) {
        const [th, tw] = [taps(rh), taps(rw)];
        const wk = c.op('Gather', [c.op('Gather', [wt, c.ints(th)], { axis: attr.int(2) }), c.ints(tw)], { axis: attr.int(3) });
        const [ph, pw] = [(h - rh + 1) >> 1, (wd - rw + 1) >> 1];
        phases.push(c.op('Conv', [dy, wk], { pads: attr.ints([0, 0, ph - oh + th.length - 1, pw - ow + tw.length - 1]) }));
      }
    }
    const stacked = c.op('Concat', phases.map((p) => c.op('Unsqueeze', [p, c.ints([2])])), { axis: attr.int(2) });
    const d2s = c.op('Reshape', [stacked, c.ints([n, ch * 4, h / 2, wd / 2])]);
    return c.op('DepthToSpace', [d2s], { blocksize: attr.int(2), mode: attr.string('CRD') });
  };
}

/** The 9 shifted (and strided) copies of padded Xᵀ [C, N, H+2, W+2], each [C, N, Oh, Ow]. */
function shiftedColumns(c, x, layer, attr) {
  const [, , oh, ow] = layer.y;
  const s = layer.stride;
  const xt = c.op('Transpose', [x], { perm: attr.ints([1, 0, 2, 3]) });
  const xp = c.op('Pad', [xt, c.ints([0, 0, 1, 1, 0, 0, 1, 1])]);
  const cols = [];
  for (let kh = 0; kh < K; kh++) {
    for (let kw = 0; kw < K; kw++) {
      cols.push(c.op('Slice', [xp, c.ints([kh, kw]), c.ints([kh + (oh - 1) * s + 1, kw + (ow - 1) * s + 1]), c.ints([2, 3]), c.ints([s, s])]));
    }
  }
  return cols;
}

/** dYᵀ as [M, N·Oh·Ow]. */
function dyRows(c, dy, layer, attr) {
  const [n, m, oh, ow] = layer.y;
  return c.op('Reshape', [c.op('Transpose', [dy], { perm: attr.ints([1, 0, 2, 3]) }), c.ints([m, n * oh * ow])]);
}

/** im2col from Pad + strided Slices + Concat, then one Gemm (the design's first candidate). */
function im2colSlicesGemm(layer) {
  return (c, x, w, dy, attr) => {
    const [n, ch] = layer.x;
    const [, m, oh, ow] = layer.y;
    const p = n * oh * ow;
    const cols = shiftedColumns(c, x, layer, attr).map((s) => c.op('Unsqueeze', [s, c.ints([1])]));
    const stacked = c.op('Reshape', [c.op('Concat', cols, { axis: attr.int(1) }), c.ints([ch * K * K, p])]);
    const g = c.op('Gemm', [stacked, dyRows(c, dy, layer, attr)], { transB: attr.int(1) });
    return c.op('Reshape', [c.op('Transpose', [g], { perm: attr.ints([1, 0]) }), c.ints([m, ch, K, K])]);
  };
}

/** One Gemm per kernel offset on the shifted copies, stacked. */
function perOffsetGemm(layer) {
  return (c, x, w, dy, attr) => {
    const [n, ch] = layer.x;
    const [, m, oh, ow] = layer.y;
    const rows = dyRows(c, dy, layer, attr);
    const parts = shiftedColumns(c, x, layer, attr).map((s) => {
      const g = c.op('Gemm', [rows, c.op('Reshape', [s, c.ints([ch, n * oh * ow])])], { transB: attr.int(1) });
      return c.op('Unsqueeze', [g, c.ints([2])]);
    });
    return c.op('Reshape', [c.op('Concat', parts, { axis: attr.int(2) }), c.ints([m, ch, K, K])]);
  };
}

/** The "conv trick": Conv of Xᵀ [C, N, H, W] with dYᵀ [M, N, Oh, Ow] as the kernel. */
function convTrick(layer) {
  return (c, x, w, dy, attr) => {
    const s = layer.stride;
    const xt = c.op('Transpose', [x], { perm: attr.ints([1, 0, 2, 3]) });
    const dyt = c.op('Transpose', [dy], { perm: attr.ints([1, 0, 2, 3]) });
    const r = c.op('Conv', [xt, dyt], { pads: attr.ints([1, 1, 1, 1]), dilations: attr.ints([s, s]) });
    const cut = c.op('Slice', [r, c.ints([0, 0]), c.ints([K, K]), c.ints([2, 3])]);
    return c.op('Transpose', [cut], { perm: attr.ints([1, 0, 2, 3]) });
  };
}

/** Depthwise: per offset, Mul of the shifted X with dY and ReduceSum over batch and space. */
function depthwisePerOffset(layer) {
  return (c, x, w, dy, attr) => {
    const [, ch] = layer.x;
    const xp = c.op('Pad', [x, c.ints([0, 0, 1, 1, 0, 0, 1, 1])]);
    const [, , oh, ow] = layer.y;
    const parts = [];
    for (let kh = 0; kh < K; kh++) {
      for (let kw = 0; kw < K; kw++) {
        const s = c.op('Slice', [xp, c.ints([kh, kw]), c.ints([kh + oh, kw + ow]), c.ints([2, 3])]);
        parts.push(c.op('ReduceSum', [c.op('Mul', [s, dy]), c.ints([0, 2, 3])], { keepdims: attr.int(0) }));
      }
    }
    const stacked = c.op('Concat', parts.map((p) => c.op('Unsqueeze', [p, c.ints([1])])), { axis: attr.int(1) });
    return c.op('Reshape', [stacked, c.ints([ch, 1, K, K])]);
  };
}

/** Depthwise: one-hot im2col (as the rule) but Mul + ReduceSum instead of the batched MatMul. */
function depthwiseOneHotMul(layer) {
  return (c, x, w, dy, attr) => {
    const [n, ch] = layer.x;
    const [, , oh, ow] = layer.y;
    const eye = Array.from({ length: 81 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const kernels = c.op('Reshape', [c.op('Expand', [c.floats(eye, [1, 9, K, K]), c.ints([ch, 9, K, K])]), c.ints([ch * 9, 1, K, K])]);
    const cols = c.op('Conv', [x, kernels], { pads: attr.ints([1, 1, 1, 1]), group: attr.int(ch) });
    const prod = c.op('Mul', [c.op('Reshape', [cols, c.ints([n, ch, 9, oh * ow])]), c.op('Reshape', [dy, c.ints([n, ch, 1, oh * ow])])]);
    return c.op('Reshape', [c.op('ReduceSum', [prod, c.ints([0, 3])], { keepdims: attr.int(0) }), c.ints([ch, 1, K, K])]);
  };
}

/** The alternatives that apply to `layer` (stride 1 or 2, group 1 or depthwise), by name. */
export function conv2dAlternatives(layer) {
  if (layer.group > 1) return { dX_convTranspose: convTranspose(layer), dW_perOffsetMulReduce: depthwisePerOffset(layer), dW_oneHotMulReduce: depthwiseOneHotMul(layer) };
  const dW = { dW_im2colSlicesGemm: im2colSlicesGemm(layer), dW_perOffsetGemm: perOffsetGemm(layer), dW_convTrick: convTrick(layer) };
  if (layer.stride === 1) return { dX_convTranspose: convTranspose(layer), ...dW };
  return { dX_zeroInsertConv: zeroInsertConv(layer), dX_polyphase: polyphase(layer), ...dW };
}
