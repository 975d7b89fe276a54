/**
 * Gradient rules of MatMul (numpy semantics: batched, broadcast, 1-D operands) and Gemm
 * (transA/transB/alpha/beta, broadcast C). Broadcast batch axes are summed by the walker.
 */
import { attr, attrFloat, attrInt, type Attribute } from '../../graph/index.js';
import type { GradRule } from '../types.js';
import { reshape, scalar, transposeLast2 } from './helpers.js';

const matmul: GradRule = (e, n, [dy]) => {
  const [a, b] = [n.inputs[0]!, n.inputs[1]!];
  const [sa, sb] = [e.shape(a), e.shape(b)];
  const k = sa[sa.length - 1]!;
  // Promote 1-D operands to matrices, and put their dropped unit axes back into dy.
  const a2 = sa.length === 1 ? reshape(e, a, [1, k]) : a;
  const b2 = sb.length === 1 ? reshape(e, b, [k, 1]) : b;
  const m = sa.length === 1 ? 1 : sa[sa.length - 2]!;
  const cols = sb.length === 1 ? 1 : sb[sb.length - 1]!;
  const sy = e.shape(dy!);
  const dy2 = reshape(e, dy!, [...sy.slice(0, sy.length - (sa.length > 1 ? 1 : 0) - (sb.length > 1 ? 1 : 0)), m, cols]);
  const both2d = e.shape(a2).length === 2 && e.shape(b2).length === 2;
  let da = both2d ? e.op('Gemm', [dy2, b2], { transB: attr.int(1) }) : e.op('MatMul', [dy2, transposeLast2(e, b2)]);
  let db: string;
  if (both2d) db = e.op('Gemm', [a2, dy2], { transA: attr.int(1) });
  else if (e.shape(b2).length === 2) {
    // B shared by every batch: one Gemm over the flattened batch instead of a batched MatMul and a sum.
    db = e.op('Gemm', [reshape(e, a2, [-1, k]), reshape(e, dy2, [-1, cols])], { transA: attr.int(1) });
  } else db = e.op('MatMul', [transposeLast2(e, a2), dy2]);
  if (sa.length === 1) da = reshape(e, da, [...e.shape(da).slice(0, -2), k]);
  if (sb.length === 1) db = reshape(e, db, [...e.shape(db).slice(0, -2), k]);
  return [da, db];
};

/** Y = α·op(A)·op(B) + β·C. */
const gemm: GradRule = (e, n, [dy]) => {
  const [a, b, c] = [n.inputs[0]!, n.inputs[1]!, n.inputs[2] ?? ''];
  const [ta, tb] = [attrInt(n, 'transA', 0), attrInt(n, 'transB', 0)];
  const [alpha, beta] = [attrFloat(n, 'alpha', 1), attrFloat(n, 'beta', 1)];
  const al: Record<string, Attribute> = alpha === 1 ? {} : { alpha: attr.float(alpha) };
  const da = ta
    ? e.op('Gemm', [b, dy!], { transA: attr.int(tb), transB: attr.int(1), ...al })
    : e.op('Gemm', [dy!, b], { transB: attr.int(1 - tb), ...al });
  const db = tb
    ? e.op('Gemm', [dy!, a], { transA: attr.int(1), transB: attr.int(ta), ...al })
    : e.op('Gemm', [a, dy!], { transA: attr.int(1 - ta), ...al });
  const dc = c ? (beta === 1 ? dy! : e.op('Mul', [dy!, scalar(e, beta, dy!)])) : null;
  return [da, db, dc];
};

/** Matrix-product rules by op type. */
export const matmulRules: Record<string, GradRule> = {
  MatMul: matmul,
  Gemm: gemm,
};
