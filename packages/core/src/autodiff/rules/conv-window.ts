/**
 * Sliding-window geometry shared by the Conv, ConvTranspose and pool gradient rules: attributes
 * read with ONNX defaults, `auto_pad` resolved to explicit pads the way onnxruntime resolves it,
 * and a Conv emitter that accepts negative pads (a crop), which backward windows often need.
 */
import { attr, attrInt, attrInts, attrString, GraphValidationError, type Attribute, type Node } from '../../graph/index.js';
import type { GradEmitter } from '../types.js';

/** One sliding window over the spatial axes; pads are explicit and may be negative (a crop). */
export interface Window {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
}

/** Dilated kernel extent along spatial axis `i`. */
export const span = (w: Window, i: number): number => (w.kernel[i]! - 1) * w.dilations[i]! + 1;

/** Product of a list of sizes. */
export const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** [0, 1, 2, ...) of length `n`, offset by `from`. */
export const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => i + from);

/**
 * The window of a Conv or pool node over an input with spatial sizes `spatial`.
 * @param kernel kernel sizes (a Conv's weight dims; a pool's `kernel_shape`)
 * @throws GraphValidationError naming the node when attributes do not match the rank
 */
export function nodeWindow(node: Node, spatial: readonly number[], kernel: readonly number[]): Window {
  const n = spatial.length;
  const ones = new Array<number>(n).fill(1);
  const strides = attrInts(node, 'strides', ones);
  const dilations = attrInts(node, 'dilations', ones);
  const pads = attrInts(node, 'pads', new Array<number>(2 * n).fill(0));
  if (kernel.length !== n || strides.length !== n || dilations.length !== n || pads.length !== 2 * n) {
    throw new GraphValidationError(`Node '${node.name}' (${node.opType}): window attributes do not match ${n} spatial axes`, {
      node: node.name,
      opType: node.opType,
    });
  }
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') return { kernel, strides, dilations, padsBegin: pads.slice(0, n), padsEnd: pads.slice(n) };
  if (autoPad === 'VALID') return { kernel, strides, dilations, padsBegin: ones.map(() => 0), padsEnd: ones.map(() => 0) };
  // SAME_*: output ceil(S / s); the odd pad goes to the end (UPPER) or the beginning (LOWER).
  const w = { kernel, strides, dilations, padsBegin: [] as number[], padsEnd: [] as number[] };
  spatial.forEach((s, i) => {
    const needed = Math.max(0, (Math.ceil(s / strides[i]!) - 1) * strides[i]! + span(w, i) - s);
    const head = autoPad === 'SAME_LOWER' ? Math.ceil(needed / 2) : Math.floor(needed / 2);
    w.padsBegin.push(head);
    w.padsEnd.push(needed - head);
  });
  return w;
}

/**
 * The window of the Conv that is the adjoint of a ConvTranspose node: the same strides, dilations
 * and begin pads, and end pads chosen so that the Conv maps the ConvTranspose's output (`ySpatial`)
 * back onto its input (`xSpatial`). With `output_shape` or `auto_pad` the pads follow the ONNX
 * spec (and onnxruntime 1.30): the odd one of the total goes to the end for SAME_UPPER, to the
 * beginning otherwise.
 */
export function transposeWindow(node: Node, xSpatial: readonly number[], kernel: readonly number[], ySpatial: readonly number[]): Window {
  const base = nodeWindow({ ...node, attributes: { ...node.attributes, auto_pad: attr.string('NOTSET') } }, xSpatial, kernel);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const derived = autoPad !== 'NOTSET' || attrInts(node, 'output_shape') !== undefined;
  const outPad = attrInts(node, 'output_padding', xSpatial.map(() => 0));
  const padsBegin = xSpatial.map((x, i) => {
    if (!derived) return base.padsBegin[i]!;
    const total = Math.max(0, (x - 1) * base.strides[i]! + outPad[i]! + span(base, i) - ySpatial[i]!);
    return autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
  });
  const w = { ...base, padsBegin };
  const padsEnd = xSpatial.map((x, i) => (x - 1) * w.strides[i]! + span(w, i) - ySpatial[i]! - padsBegin[i]!);
  return { ...w, padsEnd };
}

/** Spatial output sizes of a Conv with window `w` over spatial sizes `spatial` (floor mode). */
export function convOutput(w: Window, spatial: readonly number[]): number[] {
  return spatial.map((s, i) => Math.floor((s + w.padsBegin[i]! + w.padsEnd[i]! - span(w, i)) / w.strides[i]!) + 1);
}

/**
 * `x[..., begin_i : size_i - end_i]` on the spatial axes (`x` is [N, C, spatial...]); a no-op
 * where nothing is cut.
 */
export function cropSpatial(e: GradEmitter, x: string, begin: readonly number[], end: readonly number[]): string {
  const shape = e.shape(x);
  const axes = range(begin.length).filter((i) => begin[i]! > 0 || end[i]! > 0);
  if (axes.length === 0) return x;
  const starts = axes.map((i) => begin[i]!);
  const ends = axes.map((i) => shape[i + 2]! - end[i]!);
  return e.op('Slice', [x, e.ints(starts), e.ints(ends), e.ints(axes.map((i) => i + 2))]);
}

/**
 * Conv(x, w) over window `win` with `group` groups; negative pads crop `x` first, since ONNX
 * Conv pads must be non-negative.
 */
export function convWithPads(e: GradEmitter, x: string, w: string, win: Window, group: number): string {
  const crop = (p: number): number => Math.max(0, -p);
  const xc = cropSpatial(e, x, win.padsBegin.map(crop), win.padsEnd.map(crop));
  const attrs: Record<string, Attribute> = {
    strides: attr.ints(win.strides),
    dilations: attr.ints(win.dilations),
    pads: attr.ints([...win.padsBegin, ...win.padsEnd].map((p) => Math.max(0, p))),
  };
  if (group !== 1) attrs['group'] = attr.int(group);
  return e.op('Conv', [xc, w], attrs);
}

/** The `group` attribute of a Conv or ConvTranspose node (default 1). */
export const groupOf = (node: Node): number => attrInt(node, 'group', 1);
