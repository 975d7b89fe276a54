/**
 * Loss helpers composed from primitive builder ops (so they need no gradient rule of their own).
 * Each returns a scalar (rank 0) value; declare it as the graph's `loss` output with
 * `b.output(l, 'loss')`.
 */
import * as is from '../is.js';
import type { TensorOps } from '../graph/builder/ops.js';
import type { TensorRef } from '../graph/builder/core.js';
import { formatShape } from '../graph/dims.js';
import { ShapeMismatchError } from '../errors.js';

/** Options of the element-wise losses. */
export interface LossOptions {
  /**
   * Validity mask broadcastable to the prediction: bool, or float (> 0 = valid). Only valid
   * elements count, and the mean is over them (0 when none is valid). Invalid targets may be
   * non-finite (the SDK's invalid-disparity convention): they never reach the loss or its gradient.
   */
  mask?: TensorRef;
}

function checkPair(what: string, pred: TensorRef, target: TensorRef): void {
  const a = pred.shape;
  const b = target.shape;
  if (a.length !== b.length || a.some((d, i) => typeof d === 'number' && typeof b[i] === 'number' && d !== b[i])) {
    throw new ShapeMismatchError(`${what}: prediction '${pred.name}' ${formatShape(a)} and target '${target.name}' ${formatShape(b)} differ`);
  }
}

/** The masked difference pred − target (0 where invalid) and the number of valid elements. */
function difference(b: TensorOps, pred: TensorRef, target: TensorRef, mask: TensorRef | undefined): { diff: TensorRef; count?: TensorRef } {
  const diff = b.sub(pred, target);
  if (!mask) return { diff };
  const valid = mask.dtype === 'bool' ? mask : b.op('Greater', [mask, b.scalar(0, mask.dtype)])[0]!;
  // Where (not a multiply by the mask): an infinite invalid target would make 0·∞ = NaN.
  const masked = b.where(valid, diff, b.scalar(0, pred.dtype));
  // The count depends on the mask alone, so no gradient has to flow through it.
  let counted = b.cast(valid, pred.dtype);
  if (valid.shape.length !== diff.shape.length || valid.shape.some((d, i) => d !== diff.shape[i])) {
    if (!diff.shape.every((d) => typeof d === 'number')) {
      throw new ShapeMismatchError(`mask '${mask.name}' ${formatShape(mask.shape)} must match prediction '${pred.name}' ${formatShape(pred.shape)} when the shape is not static`);
    }
    counted = b.expand(counted, diff.shape as number[]);
  }
  return { diff: masked, count: b.reduceSum(counted, undefined, false) };
}

/** Sum over the valid elements / max(count, 1), or the plain mean without a mask. */
function reduce(b: TensorOps, x: TensorRef, count: TensorRef | undefined): TensorRef {
  if (!count) return mean(b, x);
  const denominator = b.op('Max', [count, b.scalar(1, count.dtype)])[0]!;
  return b.div(b.reduceSum(x, undefined, false), denominator);
}

/**
 * Mean of all elements, as a scalar.
 * @param b the builder holding `x`
 * @param x any float value
 * @example b.output(mean(b, b.abs(b.sub(pred, gt))), 'loss');
 */
export function mean(b: TensorOps, x: TensorRef): TensorRef {
  return b.reduceMean(x, undefined, false);
}

/**
 * Mean absolute error `mean(|pred − target|)` over valid elements.
 * @param opts see `LossOptions`
 * @throws ShapeMismatchError when pred and target shapes differ
 * @example b.output(l1Loss(b, disparity, gt, { mask: valid }), 'loss');
 */
export function l1Loss(b: TensorOps, pred: TensorRef, target: TensorRef, opts: LossOptions = {}): TensorRef {
  checkPair('l1Loss', pred, target);
  const { diff, count } = difference(b, pred, target, opts.mask);
  return reduce(b, b.abs(diff), count);
}

/**
 * Mean squared error `mean((pred − target)²)` over valid elements.
 * @param opts see `LossOptions`
 * @throws ShapeMismatchError when pred and target shapes differ
 * @example b.output(mseLoss(b, y, target), 'loss');
 */
export function mseLoss(b: TensorOps, pred: TensorRef, target: TensorRef, opts: LossOptions = {}): TensorRef {
  checkPair('mseLoss', pred, target);
  const { diff, count } = difference(b, pred, target, opts.mask);
  return reduce(b, b.mul(diff, diff), count);
}

/**
 * Smooth L1 (Huber / β) loss as PyTorch's `F.smooth_l1_loss`: `0.5·d²/β` where |d| < β, else
 * `|d| − 0.5·β`, averaged over valid elements. Written as `c·(|d| − c/2)/β` with `c = min(|d|, β)`,
 * which needs no comparison op and has the same value and gradient.
 * @param opts.beta transition point, > 0; default 1. opts.mask: see `LossOptions`
 * @throws ShapeMismatchError when pred and target shapes differ
 * @throws InvalidParameterError when beta is not > 0
 * @example b.output(smoothL1Loss(b, disparity, gt, { mask: valid }), 'loss');
 */
export function smoothL1Loss(b: TensorOps, pred: TensorRef, target: TensorRef, opts: LossOptions & { beta?: number } = {}): TensorRef {
  const beta = opts.beta ?? 1;
  is.assertNumber('beta', beta, Number.MIN_VALUE);
  checkPair('smoothL1Loss', pred, target);
  const { diff, count } = difference(b, pred, target, opts.mask);
  const abs = b.abs(diff);
  const c = b.clip(abs, undefined, beta);
  const perElement = b.div(b.mul(c, b.sub(abs, b.mul(c, 0.5))), beta);
  return reduce(b, perElement, count);
}
