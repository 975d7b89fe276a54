/** Small helpers shared by the channel rules. */
import type { Dim } from '../../graph/index.js';
import type { Role } from '../slots.js';
import type { CombContext } from './types.js';

/** Links every axis of `from` to the same axis of `to` (same rank). */
export function passAll(ctx: CombContext, from: string, to: string, role?: Role): void {
  const r = ctx.rank(from);
  for (let a = 0; a < r; a++) ctx.link(from, a, to, a, { role });
}

/**
 * Numpy broadcasting: each input axis is aligned with the output from the right; equal sizes are
 * linked, a size-1 axis broadcast against a larger one is free (it has no channels to lose).
 */
export function broadcastLink(ctx: CombContext, inputs: readonly string[], out: string, role?: Role): void {
  const os = ctx.shape(out)!;
  for (const x of inputs) {
    if (!x) continue;
    const xs = ctx.shape(x)!;
    const off = os.length - xs.length;
    xs.forEach((d, a) => {
      const o = os[a + off];
      if (a + off < 0) ctx.fix(x, a, 'input has a higher rank than the output');
      else if (d === o && d !== '?') ctx.link(x, a, out, a + off, { role });
      else if (d === 1) ctx.free(x, a);
      else {
        ctx.fix(x, a, `broadcast of ${d} against ${o} cannot be proven`);
        ctx.fix(out, a + off, `broadcast of ${d} against ${o} cannot be proven`);
      }
    });
  }
}

/** Normalizes a possibly negative axis against `rank` (-1 when out of range). */
export function axisIn(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : -1;
}

/** Product of the dims before each axis, as a comparable key (symbols as a sorted multiset). */
function prefixKeys(shape: readonly Dim[]): (string | undefined)[] {
  const keys: (string | undefined)[] = [];
  let num = 1;
  const syms: string[] = [];
  let opaque = false;
  for (const d of shape) {
    keys.push(opaque ? undefined : `${num}|${[...syms].sort().join(',')}`);
    if (typeof d === 'number') num *= d;
    else if (d === '?') opaque = true;
    else syms.push(d);
  }
  return keys;
}

/**
 * Axes a reshape leaves intact: input axis `a` and output axis `b` hold the same elements when
 * they have the same size (> 1) and the same product of the dims before them. Index `k` of one is
 * then index `k` of the other; every other axis of size > 1 is folded or split.
 * @returns pairs [inputAxis, outputAxis]
 */
export function preservedAxes(inShape: readonly Dim[], outShape: readonly Dim[]): [number, number][] {
  const ik = prefixKeys(inShape);
  const ok = prefixKeys(outShape);
  const pairs: [number, number][] = [];
  inShape.forEach((d, a) => {
    if (d === 1 || d === '?' || ik[a] === undefined) return;
    const b = outShape.findIndex((e, j) => e === d && ok[j] === ik[a]);
    if (b >= 0) pairs.push([a, b]);
  });
  return pairs;
}

/** An axis a reshape splits (or merges): `fine` on one side is `block` times `coarse`, the outermost of its run on the other side. */
export interface BlockAxis {
  /** 'in' when the input axis is split, 'out' when input axes are merged into the output axis. */
  readonly fineSide: 'in' | 'out';
  readonly fine: number;
  readonly coarse: number;
  readonly block: number;
}

/**
 * Axes split into a run of static axes (or merged from one), e.g. [B, S, 32] → [B, S, 4, 8]:
 * index k of the 32 is index floor(k / 8) of the 4. Removing an outer index removes a block.
 */
export function blockAxes(inShape: readonly Dim[], outShape: readonly Dim[]): BlockAxis[] {
  const found: BlockAxis[] = [];
  const scan = (fine: readonly Dim[], coarse: readonly Dim[], side: 'in' | 'out'): void => {
    const [fk, ck] = [prefixKeys(fine), prefixKeys(coarse)];
    fine.forEach((d, a) => {
      if (typeof d !== 'number' || d <= 1 || fk[a] === undefined) return;
      const b = coarse.findIndex((e, j) => ck[j] === fk[a] && typeof e === 'number' && e > 1 && e < d && d % e === 0);
      if (b < 0) return;
      let prod = 1;
      for (let c = b; c < coarse.length && prod < d; c++) {
        const e = coarse[c];
        if (typeof e !== 'number') return;
        prod *= e;
      }
      if (prod === d) found.push({ fineSide: side, fine: a, coarse: b, block: d / (coarse[b] as number) });
    });
  };
  scan(inShape, outShape, 'in');
  scan(outShape, inShape, 'out');
  return found;
}

/** Options of `reshapeLink`. */
export interface ReshapeLinkOptions {
  /** Also link split and merged axes in blocks (default true). */
  blocks?: boolean;
  /** Whether output axis `b` may be linked (default: all). */
  accept?: (outAxis: number) => boolean;
}

/**
 * Links the axes a reshape-like op provably keeps (same size and same elements before them) and,
 * in blocks, those it splits or merges; every other axis of size > 1 is fixed with `why`.
 */
export function reshapeLink(ctx: CombContext, x: string, y: string, why: string, opts: ReshapeLinkOptions = {}): void {
  const xs = ctx.shape(x)!;
  const ys = ctx.shape(y)!;
  const accept = opts.accept ?? ((): boolean => true);
  const [inMapped, outMapped] = [new Set<number>(), new Set<number>()];
  for (const [a, b] of preservedAxes(xs, ys)) {
    if (!accept(b)) continue;
    ctx.link(x, a, y, b);
    inMapped.add(a);
    outMapped.add(b);
  }
  for (const bl of opts.blocks === false ? [] : blockAxes(xs, ys)) {
    const [a, b] = bl.fineSide === 'in' ? [bl.fine, bl.coarse] : [bl.coarse, bl.fine];
    if (!accept(b)) continue;
    if (bl.fineSide === 'in') ctx.link(x, a, y, b, { block: bl.block });
    else ctx.link(y, b, x, a, { block: bl.block });
    inMapped.add(a);
    outMapped.add(b);
  }
  const mark = (v: string, shape: readonly Dim[], mapped: Set<number>): void =>
    shape.forEach((d, a) => (mapped.has(a) ? undefined : d === 1 ? ctx.free(v, a) : ctx.fix(v, a, why)));
  mark(x, xs, inMapped);
  mark(y, ys, outMapped);
}

/** Frees every axis of the inputs from `start` on (shape, axes, scale and other control inputs). */
export function freeFrom(ctx: CombContext, start: number): void {
  for (let i = start; i < ctx.node.inputs.length; i++) if (ctx.input(i)) ctx.free(ctx.input(i));
}

/**
 * Integer contents of a control input (pads, repeats, axes...): a stored constant, or the entries
 * of a run-time vector that are traced to stored constants (NaN where an entry is computed). A
 * value folded by shape inference alone is not trusted: it may depend on a size the cut changes.
 */
export function controlInts(ctx: CombContext, v: string): number[] | undefined {
  if (!v) return undefined;
  if (ctx.isStored(v)) return ctx.ints(v);
  return ctx.dimSources(v)?.map((src) => (src && 'literal' in src ? src.literal : NaN));
}
