/**
 * Gradient rules of Conv and ConvTranspose (any spatial rank, groups, strides, dilations, pads,
 * auto_pad). The formulations live in conv-input.ts (dX) and conv-weight.ts (dW); a
 * ConvTranspose is the adjoint of a Conv, so its gradients reuse them with X and Y swapped and no
 * ConvTranspose is emitted for it (onnxruntime's 3D ConvTranspose is very slow).
 */
import type { GradRule } from '../types.js';
import { biasGrad, convInputGrad } from './conv-input.js';
import { convWeightGrad } from './conv-weight.js';
import { convWithPads, groupOf, nodeWindow, transposeWindow } from './conv-window.js';

/** Y = Conv(X, W, B). */
const conv: GradRule = (e, n, [dy]) => {
  const [x, w, b] = [n.inputs[0]!, n.inputs[1]!, n.inputs[2]];
  const win = nodeWindow(n, e.shape(x).slice(2), e.shape(w).slice(2));
  const g = groupOf(n);
  return [convInputGrad(e, dy!, w, win, e.shape(x).slice(2), g), convWeightGrad(e, x, dy!, e.shape(w), win, g), b ? biasGrad(e, dy!) : null];
};

/** Y = ConvTranspose(X, W, B): X = Conv(Y)'s adjoint, so dX = Conv(dY, W) and dW is Conv's dW with dY as input. */
const convTranspose: GradRule = (e, n, [dy]) => {
  const [x, w, b] = [n.inputs[0]!, n.inputs[1]!, n.inputs[2]];
  const win = transposeWindow(n, e.shape(x).slice(2), e.shape(w).slice(2), e.shape(dy!).slice(2));
  const g = groupOf(n);
  return [convWithPads(e, dy!, w, win, g), convWeightGrad(e, dy!, x, e.shape(w), win, g), b ? biasGrad(e, dy!) : null];
};

/** Conv-family rules by op type. */
export const convRules: Record<string, GradRule> = {
  Conv: conv,
  ConvTranspose: convTranspose,
};
