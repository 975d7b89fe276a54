/**
 * MatMul and Gemm. A weight breaks the chain like a conv's: its contraction axis consumes the
 * input's features and its free axis produces the output's (an MLP's hidden size is the group of
 * the first layer's rows and the second layer's columns). Between two activations (attention's
 * Q·Kᵀ) the contraction axes are simply coupled.
 */
import { attrInt, attrString } from '../../graph/index.js';
import { broadcastLink } from './helpers.js';
import type { ChannelRule, CombContext } from './types.js';

/** Batch axes of a MatMul operand broadcast against the output's, aligned from the right. */
function batchLink(ctx: CombContext, x: string, batchRank: number, y: string, yBatchRank: number): void {
  const xs = ctx.shape(x)!;
  const ys = ctx.shape(y)!;
  for (let i = 1; i <= batchRank; i++) {
    const [a, b] = [batchRank - i, yBatchRank - i];
    if (xs[a] === ys[b] && xs[a] !== '?') ctx.link(x, a, y, b);
    else if (xs[a] === 1) ctx.free(x, a);
    else ctx.fix(x, a, `MatMul batch axis ${xs[a]} against ${ys[b]}`);
  }
}

const matmul: ChannelRule = {
  comb: (ctx) => {
    const [a, b, y] = [ctx.input(0), ctx.input(1), ctx.output(0)];
    const [ra, rb, ry] = [ctx.rank(a), ctx.rank(b), ctx.rank(y)];
    if (ra === 0 || rb === 0) return;
    // 1-D operands are promoted to a row (A) or a column (B) that the output does not keep.
    const ka = ra - 1;
    const kb = rb === 1 ? 0 : rb - 2;
    ctx.link(a, ka, b, kb, { role: 'consumer' });
    if (ra >= 2) ctx.link(a, ra - 2, y, rb === 1 ? ry - 1 : ry - 2, { role: 'producer' });
    if (rb >= 2) ctx.link(b, rb - 1, y, ry - 1, { role: 'producer' });
    const yBatch = ry - (ra >= 2 ? 1 : 0) - (rb >= 2 ? 1 : 0);
    batchLink(ctx, a, Math.max(ra - 2, 0), y, yBatch);
    batchLink(ctx, b, Math.max(rb - 2, 0), y, yBatch);
  },
};

const gemm: ChannelRule = {
  comb: (ctx) => {
    const [a, b, c, y] = [ctx.input(0), ctx.input(1), ctx.input(2), ctx.output(0)];
    const transA = attrInt(ctx.node, 'transA', 0) === 1;
    const transB = attrInt(ctx.node, 'transB', 0) === 1;
    ctx.link(a, transA ? 0 : 1, b, transB ? 1 : 0, { role: 'consumer' });
    ctx.link(a, transA ? 1 : 0, y, 0, { role: 'producer' });
    ctx.link(b, transB ? 0 : 1, y, 1, { role: 'producer' });
    if (c) broadcastLink(ctx, [c], y, 'affine');
  },
};

/**
 * Einsum with an explicit output: axes named by the same letter are coupled; a weight's letter
 * that reaches the output produces, one summed away consumes. Ellipses and diagonals stay fixed.
 */
const einsum: ChannelRule = {
  comb: (ctx) => {
    const out = ctx.output(0);
    const eq = attrString(ctx.node, 'equation', '').replace(/\s+/g, '');
    const [lhs, rhs] = eq.split('->');
    const terms = lhs?.split(',') ?? [];
    const ok = rhs !== undefined && !eq.includes('.') && terms.length === ctx.node.inputs.length && terms.every((t, i) => t.length === ctx.rank(ctx.input(i))) && rhs.length === ctx.rank(out);
    if (!ok) {
      for (const v of [...ctx.node.inputs, out]) ctx.fix(v, undefined, `Einsum '${eq}' has an ellipsis or an implicit output`);
      return;
    }
    const first = new Map<string, [string, number]>();
    terms.forEach((t, i) =>
      [...t].forEach((c, a) => {
        const x = ctx.input(i);
        const o = rhs.indexOf(c);
        const seen = first.get(c);
        if (t.indexOf(c) !== a) ctx.fix(x, a, `Einsum '${eq}' takes a diagonal`);
        else if (o >= 0) ctx.link(x, a, out, o, { role: 'producer' });
        else if (seen) ctx.link(seen[0], seen[1], x, a, { role: 'consumer' });
        else first.set(c, [x, a]);
        // A letter summed away inside one operand only is a plain reduction.
        if (o < 0 && !seen && terms.every((u, j) => j === i || !u.includes(c))) ctx.free(x, a);
      }),
    );
  },
};

/** Matrix-product channel rules by op type. */
export const matmulRules: Record<string, ChannelRule> = {
  MatMul: matmul,
  Gemm: gemm,
  Einsum: einsum,
};
