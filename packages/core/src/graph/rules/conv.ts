/** Shape rules of sliding-window and normalization ops: Conv, ConvTranspose, pools, norms, Col2Im. */
import { attrInt, attrInts, attrString } from '../attributes.js';
import { dimOp, formatShape, windowOutput } from '../dims.js';
import type { InferContext, ShapeRule } from '../rule-registry.js';
import type { Dim } from '../types.js';
import { axisOf, requireFloat, requireSameDtype, sameAs, unknown } from './util.js';

interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
  autoPad: string;
}

/** Reads kernel/stride/dilation/pads attributes for `n` spatial axes. */
function windowAttrs(ctx: InferContext, n: number, kernelFallback?: readonly Dim[]): Window {
  const node = ctx.node;
  const kernel = attrInts(node, 'kernel_shape') ?? kernelFallback;
  if (!kernel) ctx.fail('kernel_shape is required');
  if (kernel!.some((k) => typeof k !== 'number')) unknown('kernel');
  const strides = attrInts(node, 'strides', new Array(n).fill(1));
  const dilations = attrInts(node, 'dilations', new Array(n).fill(1));
  const pads = attrInts(node, 'pads', new Array(2 * n).fill(0));
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (kernel!.length !== n || strides.length !== n || dilations.length !== n || pads.length !== 2 * n) {
    ctx.fail(`kernel_shape/strides/dilations/pads must have ${n} (pads ${2 * n}) entries for ${n} spatial axes`);
  }
  if (strides.some((s) => s < 1) || dilations.some((d) => d < 1)) ctx.fail('strides and dilations must be >= 1');
  return {
    kernel: kernel as number[],
    strides: [...strides],
    dilations: [...dilations],
    padsBegin: pads.slice(0, n),
    padsEnd: pads.slice(n),
    autoPad,
  };
}

/** Spatial output sizes of a Conv or pool. */
function windowSizes(ctx: InferContext, spatial: readonly Dim[], w: Window, ceil = false): Dim[] {
  return spatial.map((d, i) => {
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return dimOp(d, w.strides[i]!, (x, s) => Math.ceil(x / s));
    const valid = w.autoPad === 'VALID';
    const out = windowOutput(d, w.kernel[i]!, w.strides[i]!, w.dilations[i]!, valid ? 0 : w.padsBegin[i]!, valid ? 0 : w.padsEnd[i]!, ceil);
    if (typeof out === 'number' && out < 1) {
      ctx.fail(`window ${w.kernel[i]} (dilation ${w.dilations[i]}) does not fit spatial size ${d} with pads ${w.padsBegin[i]}+${w.padsEnd[i]}`);
    }
    return out;
  });
}

const conv: ShapeRule = (ctx) => {
  requireFloat(ctx);
  requireSameDtype(ctx, 0, 1);
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  if (x.length < 3) ctx.fail(`X must be [N, C, spatial...], got ${formatShape(x)}`);
  if (w.length !== x.length) ctx.fail(`W ${formatShape(w)} must have the rank of X ${formatShape(x)}`);
  const group = attrInt(ctx.node, 'group', 1);
  const [m, cg] = [w[0]!, w[1]!];
  if (typeof x[1] === 'number' && typeof cg === 'number' && x[1] !== cg * group) {
    ctx.fail(`X has ${x[1]} channels but W expects ${cg} x group ${group} = ${cg * group}`);
  }
  if (typeof m === 'number' && m % group !== 0) ctx.fail(`output channels ${m} are not divisible by group ${group}`);
  if (ctx.has(2)) {
    const b = ctx.shape(2);
    if (b.length !== 1 || (typeof b[0] === 'number' && typeof m === 'number' && b[0] !== m)) {
      ctx.fail(`B ${formatShape(b)} must be [${m}]`);
    }
  }
  const win = windowAttrs(ctx, x.length - 2, w.slice(2));
  if (win.kernel.some((k, i) => typeof w[i + 2] === 'number' && w[i + 2] !== k)) {
    ctx.fail(`kernel_shape [${win.kernel.join(', ')}] does not match W ${formatShape(w)}`);
  }
  return [{ dtype: ctx.dtype(0), shape: [x[0]!, m, ...windowSizes(ctx, x.slice(2), win)] }];
};

const convTranspose: ShapeRule = (ctx) => {
  requireFloat(ctx);
  requireSameDtype(ctx, 0, 1);
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  const n = x.length - 2;
  if (n < 1 || w.length !== x.length) ctx.fail(`X ${formatShape(x)} and W ${formatShape(w)} must be [N, C, spatial...] of equal rank`);
  const group = attrInt(ctx.node, 'group', 1);
  if (typeof x[1] === 'number' && typeof w[0] === 'number' && x[1] !== w[0]) ctx.fail(`X has ${x[1]} channels but W expects ${w[0]}`);
  const m = dimOp(w[1]!, group, (a, g) => a * g);
  const win = windowAttrs(ctx, n, w.slice(2));
  const outPad = attrInts(ctx.node, 'output_padding', new Array(n).fill(0));
  const outShape = attrInts(ctx.node, 'output_shape');
  const spatial = x.slice(2).map((d, i): Dim => {
    if (outShape) return outShape[outShape.length - n + i]!;
    const span = win.dilations[i]! * (win.kernel[i]! - 1) + 1;
    const full = (a: number): number => win.strides[i]! * (a - 1) + outPad[i]! + span;
    // SAME aims at input·stride but onnxruntime never pads negatively, so a kernel smaller than the
    // stride gives less (the spec says input·stride; ORT is what runs the model).
    if (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER') return dimOp(d, 0, (a) => Math.min(a * win.strides[i]!, full(a)));
    const pads = win.autoPad === 'VALID' ? 0 : win.padsBegin[i]! + win.padsEnd[i]!;
    return dimOp(d, 0, (a) => full(a) - pads);
  });
  return [{ dtype: ctx.dtype(0), shape: [x[0]!, m, ...spatial] }];
};

function pool(withIndices: boolean): ShapeRule {
  return (ctx) => {
    const x = ctx.shape(0);
    if (x.length < 3) ctx.fail(`X must be [N, C, spatial...], got ${formatShape(x)}`);
    const win = windowAttrs(ctx, x.length - 2);
    const shape = [x[0]!, x[1]!, ...windowSizes(ctx, x.slice(2), win, attrInt(ctx.node, 'ceil_mode', 0) === 1)];
    return withIndices ? [{ dtype: ctx.dtype(0), shape }, { dtype: 'int64', shape: [...shape] }] : [{ dtype: ctx.dtype(0), shape }];
  };
}

const globalPool: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  if (x.length < 3) ctx.fail(`X must be [N, C, spatial...], got ${formatShape(x)}`);
  return [{ dtype: ctx.dtype(0), shape: [x[0]!, x[1]!, ...x.slice(2).map(() => 1)] }];
};

/** Checks that inputs `from..to` are 1-D of length `c`. */
function perChannel(ctx: InferContext, c: Dim, from: number, to: number): void {
  for (let i = from; i <= to; i++) {
    if (!ctx.has(i)) continue;
    const s = ctx.shape(i);
    if (s.length !== 1 || (typeof s[0] === 'number' && typeof c === 'number' && s[0] !== c)) {
      ctx.fail(`input ${i} ${formatShape(s)} must be [${c}] (one entry per channel)`);
    }
  }
}

const batchNorm: ShapeRule = (ctx) => {
  requireFloat(ctx);
  const x = ctx.shape(0);
  if (x.length < 2) ctx.fail(`X must be [N, C, ...], got ${formatShape(x)}`);
  perChannel(ctx, x[1]!, 1, 4);
  const stat = { dtype: ctx.dtype(3), shape: [x[1]!] };
  return [sameAs(ctx), stat, { ...stat, shape: [x[1]!] }];
};

const instanceNorm: ShapeRule = (ctx) => {
  requireFloat(ctx);
  const x = ctx.shape(0);
  if (x.length < 3) ctx.fail(`X must be [N, C, spatial...], got ${formatShape(x)}`);
  perChannel(ctx, x[1]!, 1, 2);
  return [sameAs(ctx)];
};

const layerNorm: ShapeRule = (ctx) => {
  requireFloat(ctx);
  const x = ctx.shape(0);
  const axis = axisOf(ctx, attrInt(ctx.node, 'axis', -1), x.length);
  const stats = x.map((d, i) => (i < axis ? d : 1));
  const statType = attrInt(ctx.node, 'stash_type', 1) === 1 ? 'float32' : ctx.dtype(0);
  return [sameAs(ctx), { dtype: statType, shape: stats }, { dtype: statType, shape: [...stats] }];
};

const groupNorm: ShapeRule = (ctx) => {
  requireFloat(ctx);
  const x = ctx.shape(0);
  const groups = attrInt(ctx.node, 'num_groups', 0);
  if (typeof x[1] === 'number' && (groups < 1 || x[1] % groups !== 0)) ctx.fail(`num_groups ${groups} must divide channels ${x[1]}`);
  return [sameAs(ctx)];
};

const col2im: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const image = ctx.ints(1);
  const block = ctx.ints(2);
  if (!image || !block) return unknown('Col2Im sizes');
  if (x.length !== 3) ctx.fail(`input must be [N, C*prod(block), L], got ${formatShape(x)}`);
  const prod = block.reduce((a, b) => a * b, 1);
  const c = dimOp(x[1]!, prod, (a, p) => a / p);
  if (typeof c === 'number' && !Number.isInteger(c)) ctx.fail(`channels ${x[1]} not divisible by block size ${prod}`);
  return [{ dtype: ctx.dtype(0), shape: [x[0]!, c, ...image] }];
};

/** Sliding-window and normalization rules by op type. */
export const convRules: Record<string, ShapeRule> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool(true),
  AveragePool: pool(false),
  LpPool: pool(false),
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  BatchNormalization: batchNorm,
  InstanceNormalization: instanceNorm,
  LayerNormalization: layerNorm,
  GroupNormalization: groupNorm,
  LRN: (ctx) => [sameAs(ctx)],
  Col2Im: col2im,
};
