/**
 * Oracle test of every shape rule: random configurations of each op are inferred by our rules and
 * run in onnxruntime, and the inferred output shapes must equal the shapes ORT produces.
 */
import { describe, expect, it } from 'vitest';
import { attr, inferShapes, makeTensor, type Rng } from '../../src/graph/index.js';
import { CaseGraph, createRng, pick, randInt, randomFeeds, randomTensor, randShape, runGraph } from './helpers.js';

type Gen = (c: CaseGraph, rng: Rng) => void;

const CASES_PER_OP = 24;

/** Random pair of shapes that broadcast together. */
function broadcastPair(rng: Rng): [number[], number[]] {
  const out = randShape(rng, randInt(rng, 0, 4), 1, 4);
  const sub = (): number[] => out.slice(randInt(rng, 0, out.length)).map((d) => (rng() < 0.3 ? 1 : d));
  return [sub(), sub()];
}

const unary = (op: string, attrs = {}): Gen => (c, rng) => void c.node(op, [c.input(randShape(rng, randInt(rng, 0, 4)))], attrs);
const binary = (op: string): Gen => (c, rng) => {
  const [a, b] = broadcastPair(rng);
  c.node(op, [c.input(a), c.input(b)]);
};

function convCase(c: CaseGraph, rng: Rng, transposed: boolean): void {
  const n = pick(rng, transposed ? [1, 2] : [1, 2, 2, 3]);
  const group = pick(rng, [1, 1, 2, 3]);
  const cin = group * randInt(rng, 1, 2);
  const cout = group * randInt(rng, 1, 3);
  const k = randShape(rng, n, 1, 3);
  const strides = randShape(rng, n, 1, 3);
  const dil = randShape(rng, n, 1, 2);
  const spatial = k.map((kk, i) => randInt(rng, dil[i]! * (kk - 1) + 1, n === 3 ? 6 : 11));
  const autoPad = pick(rng, ['NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']);
  const attrs: Record<string, ReturnType<typeof attr.int>> = {
    kernel_shape: attr.ints(k),
    strides: attr.ints(strides),
    group: attr.int(group),
    auto_pad: attr.string(autoPad),
  };
  // ORT requires unit dilation with SAME auto-padding.
  if (autoPad === 'NOTSET' || autoPad === 'VALID') attrs['dilations'] = attr.ints(dil);
  if (autoPad === 'NOTSET') attrs['pads'] = attr.ints([...randShape(rng, n, 0, 2), ...randShape(rng, n, 0, 2)].map((p, i) => Math.min(p, k[i % n]! - 1)));
  if (transposed && autoPad === 'NOTSET' && rng() < 0.5) attrs['output_padding'] = attr.ints(strides.map((s) => randInt(rng, 0, s - 1)));
  const x = c.input([randInt(rng, 1, 2), cin, ...spatial]);
  const w = c.const(randomTensor(rng, 'float32', transposed ? [cin, cout / group, ...k] : [cout, cin / group, ...k]));
  const inputs = [x, w];
  if (rng() < 0.5) inputs.push(c.const(randomTensor(rng, 'float32', [cout])));
  c.node(transposed ? 'ConvTranspose' : 'Conv', inputs, attrs);
}

function poolCase(op: string): Gen {
  return (c, rng) => {
    const n = pick(rng, [1, 2, 2]);
    const k = randShape(rng, n, 1, 3);
    const strides = randShape(rng, n, 1, 3);
    const pads = [...k, ...k].map((kk) => randInt(rng, 0, Math.floor(kk / 2)));
    const attrs = { kernel_shape: attr.ints(k), strides: attr.ints(strides), pads: attr.ints(pads), ceil_mode: attr.int(rng() < 0.5 ? 1 : 0) };
    c.node(op, [c.input([1, 2, ...k.map((kk) => randInt(rng, kk, 9))])], attrs);
  };
}

function reduceCase(op: string): Gen {
  return (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 4));
    const axes = [...new Set(Array.from({ length: randInt(rng, 0, shape.length) }, () => randInt(rng, -shape.length, shape.length - 1)))];
    const distinct = [...new Map(axes.map((a) => [(a + shape.length) % shape.length, a])).values()];
    const inputs = [c.input(shape)];
    if (distinct.length) inputs.push(c.ints(distinct));
    c.node(op, inputs, { keepdims: attr.int(rng() < 0.5 ? 1 : 0) });
  };
}

const gens: Record<string, Gen> = {
  ...Object.fromEntries(['Relu', 'Sigmoid', 'Tanh', 'Abs', 'Exp', 'Log', 'Sqrt', 'Neg', 'Reciprocal', 'Identity', 'Erf', 'Softplus'].map((op) => [op, unary(op)])),
  LeakyRelu: unary('LeakyRelu', { alpha: attr.float(0.2) }),
  Clip: (c, rng) => {
    const x = c.input(randShape(rng, randInt(rng, 1, 3)));
    c.node('Clip', rng() < 0.5 ? [x, c.const(makeTensor('float32', [], [-0.5]))] : [x, '', c.const(makeTensor('float32', [], [0.5]))]);
  },
  ...Object.fromEntries(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal', 'Less', 'Greater'].map((op) => [op, binary(op)])),
  Where: (c, rng) => {
    const [a, b] = broadcastPair(rng);
    c.node('Where', [c.input(a, 'bool'), c.input(b), c.input(a.slice(randInt(rng, 0, a.length)))]);
  },
  Conv: (c, rng) => convCase(c, rng, false),
  ConvTranspose: (c, rng) => convCase(c, rng, true),
  BatchNormalization: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 2, 4));
    const ch = shape[1]!;
    const p = () => c.const(makeTensor('float32', [ch], new Array(ch).fill(1)));
    c.node('BatchNormalization', [c.input(shape), p(), p(), p(), p()]);
  },
  Concat: (c, rng) => {
    const base = randShape(rng, randInt(rng, 1, 4));
    const axis = randInt(rng, -base.length, base.length - 1);
    const ins = Array.from({ length: randInt(rng, 1, 3) }, () => c.input(base.map((d, i) => (i === (axis + base.length) % base.length ? randInt(rng, 1, 4) : d))));
    c.node('Concat', ins, { axis: attr.int(axis) });
  },
  Split: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 3), 2, 6);
    const axis = randInt(rng, 0, shape.length - 1);
    const mode = randInt(rng, 0, 2);
    if (mode === 0) {
      const first = randInt(rng, 0, shape[axis]!);
      c.node('Split', [c.input(shape), c.ints([first, shape[axis]! - first])], { axis: attr.int(axis) }, 2);
    } else {
      const parts = pick(rng, [2, 3].filter((p) => Math.ceil(shape[axis]! / p) * (p - 1) < shape[axis]!));
      c.node('Split', [c.input(shape)], { axis: attr.int(axis), num_outputs: attr.int(parts) }, parts);
    }
  },
  Slice: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 3), 1, 7);
    const axes = [...new Set(Array.from({ length: randInt(rng, 1, shape.length) }, () => randInt(rng, 0, shape.length - 1)))];
    const steps = axes.map(() => pick(rng, [1, 1, 2, -1, -2, 3]));
    const bound = (d: number) => pick(rng, [randInt(rng, -d - 2, d + 2), 2 ** 62, -(2 ** 62)]);
    const starts = axes.map((a) => bound(shape[a]!));
    const ends = axes.map((a) => bound(shape[a]!));
    c.node('Slice', [c.input(shape), c.ints(starts), c.ints(ends), c.ints(axes.map((a) => (rng() < 0.5 ? a - shape.length : a))), c.ints(steps)]);
  },
  Pad: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 4), 2, 5);
    const mode = pick(rng, ['constant', 'edge']);
    // Negative pads crop; ORT refuses edge padding of a cropped-away axis.
    const pads = [...shape, ...shape].map(() => randInt(rng, mode === 'edge' ? 0 : -1, 3));
    c.node('Pad', [c.input(shape), c.ints(pads)], { mode: attr.string(mode) });
  },
  Reshape: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 4));
    const total = shape.reduce((a, b) => a * b, 1);
    const target = pick(rng, [[-1], [shape[0]!, -1], [0, -1], [...shape].reverse(), [total, 1]]);
    c.node('Reshape', [c.input(shape), c.ints(target)]);
  },
  Transpose: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 4));
    const perm = shape.map((_, i) => i).sort(() => rng() - 0.5);
    c.node('Transpose', [c.input(shape)], rng() < 0.8 ? { perm: attr.ints(perm) } : {});
  },
  Flatten: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 4));
    c.node('Flatten', [c.input(shape)], { axis: attr.int(randInt(rng, -shape.length, shape.length)) });
  },
  Squeeze: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 4)).map((d) => (rng() < 0.4 ? 1 : d));
    const ones = shape.flatMap((d, i) => (d === 1 ? [i] : []));
    c.node('Squeeze', ones.length && rng() < 0.6 ? [c.input(shape), c.ints(ones.slice(0, randInt(rng, 1, ones.length)))] : [c.input(shape)]);
  },
  Unsqueeze: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 0, 3));
    const axes = [...new Set([randInt(rng, -shape.length - 1, shape.length), randInt(rng, 0, shape.length + 1)].map((a) => (a < 0 ? a + shape.length + 2 : a)))];
    c.node('Unsqueeze', [c.input(shape), c.ints(axes.filter((a) => a <= shape.length + axes.length - 1))]);
  },
  ReduceSum: reduceCase('ReduceSum'),
  ReduceMean: reduceCase('ReduceMean'),
  ReduceMax: reduceCase('ReduceMax'),
  Softmax: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 4));
    c.node('Softmax', [c.input(shape)], { axis: attr.int(randInt(rng, -shape.length, shape.length - 1)) });
  },
  LogSoftmax: (c, rng) => void c.node('LogSoftmax', [c.input(randShape(rng, 3))], { axis: attr.int(1) }),
  MatMul: (c, rng) => {
    const [m, k, n] = randShape(rng, 3);
    const batch = randShape(rng, randInt(rng, 0, 2), 1, 3);
    const a = pick(rng, [[k], [m, k], [...batch, m, k]]);
    const b = pick(rng, [[k], [k, n], [...batch.map((d) => (rng() < 0.5 ? 1 : d)), k, n]]);
    c.node('MatMul', [c.input(a!), c.input(b!)]);
  },
  Gemm: (c, rng) => {
    const [m, k, n] = randShape(rng, 3);
    const [ta, tb] = [randInt(rng, 0, 1), randInt(rng, 0, 1)];
    const inputs = [c.input(ta ? [k, m] : [m, k]), c.input(tb ? [n, k] : [k, n])];
    if (rng() < 0.7) inputs.push(c.input(pick(rng, [[n], [1, n], [m, 1], [m, n], []])!));
    c.node('Gemm', inputs, { transA: attr.int(ta!), transB: attr.int(tb!) });
  },
  Resize: (c, rng) => {
    const shape = [1, randInt(rng, 1, 3), randInt(rng, 2, 7), randInt(rng, 2, 7)];
    const mode = pick(rng, ['linear', 'nearest']);
    const x = c.input(shape);
    if (rng() < 0.5) c.node('Resize', [x, '', c.const(makeTensor('float32', [4], [1, 1, pick(rng, [0.5, 1.5, 2, 0.75]), pick(rng, [2, 3, 0.6])]))], { mode: attr.string(mode) });
    else c.node('Resize', [x, '', '', c.ints([1, shape[1]!, randInt(rng, 1, 12), randInt(rng, 1, 12)])], { mode: attr.string(mode) });
  },
  AveragePool: poolCase('AveragePool'),
  MaxPool: poolCase('MaxPool'),
  GlobalAveragePool: (c, rng) => void c.node('GlobalAveragePool', [c.input([1, 2, ...randShape(rng, randInt(rng, 1, 3))])]),
  GatherElements: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 3), 2, 5);
    const axis = randInt(rng, 0, shape.length - 1);
    const idxShape = shape.map((d, i) => (i === axis ? randInt(rng, 1, 6) : randInt(rng, 1, d)));
    const idx = makeTensor('int64', idxShape, Array.from({ length: idxShape.reduce((a, b) => a * b, 1) }, () => randInt(rng, 0, shape[axis]! - 1)));
    c.node('GatherElements', [c.input(shape), c.const(idx)], { axis: attr.int(axis) });
  },
  ScatterElements: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 3), 2, 5);
    const axis = randInt(rng, 0, shape.length - 1);
    const idxShape = shape.map((d) => randInt(rng, 1, d));
    const n = idxShape.reduce((a, b) => a * b, 1);
    const idx = makeTensor('int64', idxShape, Array.from({ length: n }, () => randInt(rng, 0, shape[axis]! - 1)));
    c.node('ScatterElements', [c.input(shape), c.const(idx), c.input(idxShape)], { axis: attr.int(axis), reduction: attr.string('add') });
  },
  Einsum: (c, rng) => {
    const [i, j, k, b] = randShape(rng, 4);
    const [eq, shapes] = pick(rng, [
      ['ij,jk->ik', [[i, j], [j, k]]],
      ['bij,bjk->bik', [[b, i, j], [b, j, k]]],
      ['ij->ji', [[i, j]]],
      ['bchw,bchw->bhw', [[b, i, j, k], [b, i, j, k]]],
      ['ij,kj', [[i, j], [k, j]]],
    ] as [string, number[][]][]);
    c.node('Einsum', shapes!.map((s) => c.input(s)), { equation: attr.string(eq!) });
  },
  Constant: (c, rng) => void c.node('Constant', [], { value: attr.tensor(randomTensor(rng, 'float32', randShape(rng, randInt(rng, 0, 3)))) }),
  Shape: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 4));
    c.node('Shape', [c.input(shape)], rng() < 0.5 ? { start: attr.int(randInt(rng, -5, 5)), end: attr.int(randInt(rng, -5, 5)) } : {});
  },
  Cast: (c, rng) => void c.node('Cast', [c.input(randShape(rng, 2))], { to: attr.int(pick(rng, [6, 7, 9, 11])) }),
  Expand: (c, rng) => {
    const [a, b] = broadcastPair(rng);
    c.node('Expand', [c.input(a), c.ints(b)]);
  },
  Col2Im: (c, rng) => {
    const [bh, bw] = [randInt(rng, 1, 3), randInt(rng, 1, 3)];
    const [h, w] = [randInt(rng, bh, 6), randInt(rng, bw, 6)];
    const l = (h - bh + 1) * (w - bw + 1);
    c.node('Col2Im', [c.input([1, 2 * bh * bw, l]), c.ints([h, w]), c.ints([bh, bw])]);
  },
  Gather: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 3), 2, 5);
    const axis = randInt(rng, 0, shape.length - 1);
    const idxShape = randShape(rng, randInt(rng, 0, 2), 1, 3);
    const idx = makeTensor('int64', idxShape, Array.from({ length: idxShape.reduce((a, b) => a * b, 1) }, () => randInt(rng, -shape[axis]!, shape[axis]! - 1)));
    c.node('Gather', [c.input(shape), c.const(idx)], { axis: attr.int(axis) });
  },
  Tile: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 3));
    c.node('Tile', [c.input(shape), c.ints(shape.map(() => randInt(rng, 1, 3)))]);
  },
  DepthToSpace: (c, rng) => {
    const b = randInt(rng, 1, 3);
    c.node('DepthToSpace', [c.input([1, b * b * randInt(rng, 1, 2), randInt(rng, 1, 4), randInt(rng, 1, 4)])], { blocksize: attr.int(b) });
  },
  LayerNormalization: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 2, 3));
    const axis = randInt(rng, 1, shape.length - 1);
    c.node('LayerNormalization', [c.input(shape), c.const(randomTensor(rng, 'float32', shape.slice(axis)))], { axis: attr.int(axis) }, 3);
  },
  TopK: (c, rng) => {
    const shape = randShape(rng, randInt(rng, 1, 3), 2, 5);
    const axis = randInt(rng, 0, shape.length - 1);
    c.node('TopK', [c.input(shape), c.ints([randInt(rng, 1, shape[axis]!)])], { axis: attr.int(axis) }, 2);
  },
  ConstantOfShape: (c, rng) => void c.node('ConstantOfShape', [c.ints(randShape(rng, randInt(rng, 1, 3)))], { value: attr.tensor(makeTensor('int64', [1], [3])) }),
  CumSum: (c, rng) => void c.node('CumSum', [c.input(randShape(rng, 3)), c.const(makeTensor('int64', [], [randInt(rng, -3, 2)]))]),
};

describe('shape rules agree with onnxruntime', () => {
  for (const [op, gen] of Object.entries(gens)) {
    it(op, async () => {
      const rng = createRng(op.split('').reduce((a, ch) => a * 31 + ch.charCodeAt(0), 7) | 0);
      const c = new CaseGraph();
      for (let i = 0; i < CASES_PER_OP; i++) gen(c, rng);
      inferShapes(c.g);
      const out = await runGraph(c.g, randomFeeds(c.g, rng));
      for (const name of c.g.outputs) {
        const node = c.g.producer(name)!;
        const desc = `${name} of ${node.opType} ${JSON.stringify(node.inputs.map((v) => c.g.shape(v)))} ${JSON.stringify(Object.fromEntries(Object.entries(node.attributes).map(([k, a]) => [k, a.type === 'tensor' ? a.value.dims : a.value])))}`;
        expect({ desc, shape: c.g.shape(name) }).toEqual({ desc, shape: out[name]!.dims });
        expect(c.g.dtype(name)).toBe(out[name]!.type);
      }
    });
  }
});
