/**
 * Gradient rules of gathers: the gradient is scattered back with ScatterElements
 * (reduction 'add', so repeated indices accumulate) into zeros of the data's shape.
 */
import { attr } from '../../graph/index.js';
import type { GradRule } from '../types.js';
import { axisAttr, reshape, zeros } from './helpers.js';

const gatherElements: GradRule = (e, n, [dy]) => {
  const [x, indices] = [n.inputs[0]!, n.inputs[1]!];
  const axis = axisAttr(e, n, 0);
  return [e.op('ScatterElements', [zeros(e, e.shape(x), e.dtype(x)), indices, dy!], { axis: attr.int(axis), reduction: attr.string('add') }), null];
};

/**
 * Gather along `axis` with indices of any rank: flatten the indices to one axis, broadcast them
 * over the other axes of the gradient, and scatter-add along `axis`.
 */
const gather: GradRule = (e, n, [dy]) => {
  const [x, indices] = [n.inputs[0]!, n.inputs[1]!];
  const shape = e.shape(x);
  const axis = axisAttr(e, n, 0);
  const count = e.shape(indices).reduce((p, d) => p * d, 1);
  const flatShape = shape.map((d, i) => (i === axis ? count : d));
  const g = reshape(e, dy!, flatShape);
  const idx = reshape(e, indices, shape.map((_, i) => (i === axis ? count : 1)));
  const expanded = e.op('Expand', [idx, e.ints(flatShape)]);
  return [e.op('ScatterElements', [zeros(e, shape, e.dtype(x)), expanded, g], { axis: attr.int(axis), reduction: attr.string('add') }), null];
};

/** Gather rules by op type. Indices get no gradient. */
export const gatherRules: Record<string, GradRule> = {
  GatherElements: gatherElements,
  Gather: gather,
};
