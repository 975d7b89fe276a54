/**
 * Gradient rule of Einsum (explicit or implicit output, no ellipsis, no repeated label within
 * one operand). The gradient of operand i is itself an Einsum of the output gradient with the
 * other operands; labels summed away only in operand i are broadcast back with Expand.
 */
import { attr, attrString, GraphValidationError, type Node } from '../../graph/index.js';
import type { GradRule } from '../types.js';
import { reshape } from './helpers.js';

function parse(node: Node): { terms: string[]; out: string } {
  const eq = attrString(node, 'equation', '').replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  if (eq.includes('...') || terms.some((t) => new Set(t).size !== t.length)) {
    throw new GraphValidationError(`Node '${node.name}' (Einsum): equation '${eq}' (ellipsis or a repeated label) has no gradient rule`, {
      node: node.name,
      opType: node.opType,
    });
  }
  const counts = new Map<string, number>();
  for (const c of lhs.replace(/,/g, '')) counts.set(c, (counts.get(c) ?? 0) + 1);
  // Implicit output: the labels used once, in alphabetical order.
  const out = rhs ?? [...counts.keys()].filter((c) => counts.get(c) === 1).sort().join('');
  return { terms, out };
}

const einsum: GradRule = (e, n, [dy]) => {
  const { terms, out } = parse(n);
  return terms.map((t, i) => {
    const others = terms.filter((_, j) => j !== i);
    const reachable = new Set(out + others.join(''));
    const kept = [...t].filter((c) => reachable.has(c)).join('');
    const inputs = [dy!, ...n.inputs.filter((_, j) => j !== i)];
    const g = e.op('Einsum', inputs, { equation: attr.string(`${[out, ...others].join(',')}->${kept}`) });
    if (kept.length === t.length) return g;
    const gs = e.shape(g);
    const withOnes = reshape(e, g, [...t].map((c) => (kept.includes(c) ? gs[kept.indexOf(c)]! : 1)));
    return e.op('Expand', [withOnes, e.ints(e.shape(n.inputs[i]!))]);
  });
};

/** Einsum rule by op type. */
export const einsumRules: Record<string, GradRule> = {
  Einsum: einsum,
};
