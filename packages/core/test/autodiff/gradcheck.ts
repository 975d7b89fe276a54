/**
 * Gradient check against central finite differences run through onnxruntime.
 *
 * Many small cases live in ONE graph so one session checks them all. Each case's outputs y are
 * reduced with a random projection, L_i = Σ sum(y ⊙ R), and the graph to differentiate is
 * L = Σ L_i (cases share no values, so ∂L/∂x = ∂L_i/∂x for an input x of case i). For each
 * input slot and direction, every case's input is moved by ±ε·v at once and the directional
 * derivative (L_i(x+εv) − L_i(x−εv)) / 2ε is compared with ⟨∇x, v⟩.
 *
 * @example
 * const gc = new GradCheck({ seed: 1 });
 * gc.case('relu odd', (c) => c.op('Relu', [c.input([3, 5])]));
 * gc.case('add broadcast', (c) => c.op('Add', [c.input([2, 3, 4]), c.input([3, 1])]));
 * const report = await gc.run();
 * expect(report.failures).toEqual([]);
 */
import { grad } from '../../src/autodiff/index.js';
import { createGraphSession, type BackendTensor } from '../../src/backend/index.js';
import { createRng, type Rng } from '../../src/random.js';
import {
  addInferredNode,
  Graph,
  isFloatDType,
  makeTensor,
  numel,
  type Attribute,
  type DType,
  type Tensor,
} from '../../src/graph/index.js';

/** Integer in [lo, hi]. */
export const randInt = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
/** A random element of `xs`. */
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
/** A random shape of `rank` with sizes in [lo, hi]. */
export const randShape = (rng: Rng, rank: number, lo = 1, hi = 5): number[] => Array.from({ length: rank }, () => randInt(rng, lo, hi));

/** Runs a graph once (1 thread) and returns every output. */
export async function runGraph(g: Graph, feeds: Record<string, Tensor>): Promise<Record<string, BackendTensor>> {
  const session = await createGraphSession(g, { threads: 1 });
  try {
    const backendFeeds: Record<string, BackendTensor> = {};
    for (const [k, v] of Object.entries(feeds)) backendFeeds[k] = { type: v.dtype, dims: v.dims, data: v.data };
    return await session.run(backendFeeds);
  } finally {
    await session.release();
  }
}

/** Options of `GradCheck`. */
export interface GradCheckOptions {
  /** Float type of inputs and projections; default float64 (use float32 for ops ORT lacks in float64). */
  dtype?: 'float32' | 'float64';
  /** Seed of the random inputs, projections and directions (default 1). */
  seed?: number;
  /** Finite-difference step; default 1e-6 (float64) or 1e-2 (float32). */
  eps?: number;
  /** Relative tolerance on |fd − analytic| vs max(|fd|, |analytic|); default 1e-5 (float64) or 1e-2 (float32). */
  rtol?: number;
  /** Absolute tolerance; default 1e-7 (float64) or 2e-3 (float32). */
  atol?: number;
  /** Random directions per input (default 2). */
  directions?: number;
}

/** Options of `CaseBuilder.input`. */
export interface InputOptions {
  /** Differentiate w.r.t. this input (default true); false makes it a constant initializer. */
  grad?: boolean;
  /** Explicit values (default uniform random in `range`). */
  values?: readonly number[];
  /** Range of random values (default [-1, 1]). */
  range?: readonly [number, number];
  /**
   * Points where the op is not differentiable (0 for Relu): random values closer than 0.05 to
   * one are drawn again, so no finite-difference step straddles a kink.
   */
  kinks?: readonly number[];
}

/** Outcome of `GradCheck.run`. */
export interface GradCheckReport {
  /** Number of (case, input, direction) comparisons made. */
  checks: number;
  /** One line per failed comparison (empty when all pass). */
  failures: string[];
  /** Worst |fd − analytic| / (atol + rtol·scale) over all checks (≤ 1 when all pass). */
  worst: number;
}

interface GradInput {
  name: string;
  value: Tensor;
}

interface Case {
  label: string;
  loss: string;
  inputs: GradInput[];
}

/** Builds one case inside the shared graph; every name is prefixed by the case's scope. */
export class CaseBuilder {
  readonly inputs: GradInput[] = [];
  constructor(
    readonly g: Graph,
    readonly dtype: DType,
    readonly rng: Rng,
    private readonly prefix: string,
  ) {}

  /** Random values of `dtype` in [lo, hi). */
  random(shape: readonly number[], range: readonly [number, number] = [-1, 1], dtype: DType = this.dtype, kinks: readonly number[] = []): Tensor {
    const [lo, hi] = range;
    const draw = (): number => {
      for (;;) {
        const v = lo + (hi - lo) * this.rng();
        if (kinks.every((k) => Math.abs(v - k) >= KINK_MARGIN)) return v;
      }
    };
    return makeTensor(dtype, shape, Array.from({ length: numel(shape) }, draw));
  }
  /** A float input of the check's dtype; differentiated unless `opts.grad` is false. */
  input(shape: readonly number[], opts: InputOptions = {}): string {
    const value = opts.values ? makeTensor(this.dtype, shape, [...opts.values]) : this.random(shape, opts.range, this.dtype, opts.kinks);
    if (opts.grad === false) return this.const(value);
    const name = this.g.uniqueName(`${this.prefix}/x`);
    this.g.addInput(name, { dtype: this.dtype, shape });
    this.inputs.push({ name, value });
    return name;
  }
  /** A constant initializer. */
  const(t: Tensor): string {
    const name = this.g.uniqueName(`${this.prefix}/c`);
    this.g.addInitializer(name, t);
    return name;
  }
  /** A 1-D int64 constant. */
  ints(values: readonly number[]): string {
    return this.const(makeTensor('int64', [values.length], values));
  }
  /** A float scalar (rank 0) or 1-D constant of the check's dtype. */
  floats(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.const(makeTensor(this.dtype, dims, [...values]));
  }
  /** Adds a node with one output (types inferred) and returns the output name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}): string {
    return this.opN(opType, inputs, 1, attributes)[0]!;
  }
  /** Adds a node with `n` outputs and returns their names. */
  opN(opType: string, inputs: readonly string[], n: number, attributes: Record<string, Attribute> = {}): string[] {
    const outputs = Array.from({ length: n }, () => this.g.uniqueName(`${this.prefix}/${opType}`));
    addInferredNode(this.g, { opType, inputs, outputs, attributes, name: this.g.uniqueNodeName(outputs[0]!) });
    return outputs;
  }
}

const KINK_MARGIN = 0.05;

const DEFAULTS = {
  float64: { eps: 1e-6, rtol: 1e-5, atol: 1e-7 },
  float32: { eps: 1e-2, rtol: 1e-2, atol: 2e-3 },
};

/** A batch of gradient checks sharing one graph and one onnxruntime session. */
export class GradCheck {
  readonly g = new Graph('gradcheck');
  readonly rng: Rng;
  private readonly cases: Case[] = [];
  private readonly opts: Required<GradCheckOptions>;

  constructor(opts: GradCheckOptions = {}) {
    const dtype = opts.dtype ?? 'float64';
    this.opts = { dtype, seed: 1, directions: 2, ...DEFAULTS[dtype], ...opts };
    this.rng = createRng(this.opts.seed);
  }

  /**
   * Adds a case. `build` adds inputs and nodes and returns the outputs to check (float outputs
   * only are projected; others are ignored).
   * @throws whatever shape inference throws when the case is malformed, prefixed by its label
   */
  case(label: string, build: (c: CaseBuilder) => string | readonly string[]): void {
    const c = new CaseBuilder(this.g, this.opts.dtype, this.rng, `c${this.cases.length}`);
    try {
      const outs = build(c);
      const terms = (typeof outs === 'string' ? [outs] : outs).filter((y) => isFloatDType(this.g.dtype(y)!)).map((y) => {
        const r = c.const(c.random(this.g.staticShape(y), [-1, 1], this.g.dtype(y)));
        return c.op('ReduceSum', [c.op('Mul', [y, r])], { keepdims: { type: 'int', value: 0 } });
      });
      if (terms.length === 0) throw new Error('the case has no float output');
      if (c.inputs.length === 0) throw new Error('the case has no input to differentiate');
      const loss = terms.length === 1 ? terms[0]! : c.op('Sum', terms);
      this.g.addOutput(loss);
      this.cases.push({ label, loss, inputs: c.inputs });
    } catch (e) {
      throw new Error(`gradcheck case '${label}': ${(e as Error).message}`, { cause: e });
    }
  }

  /** Builds the gradient graph, runs the base point and all perturbations, compares. */
  async run(): Promise<GradCheckReport> {
    const { eps, rtol, atol, directions } = this.opts;
    const losses = this.cases.map((c) => c.loss);
    const fwd = this.g.clone({ shareTensors: true });
    const total = losses.length === 1 ? losses[0]! : fwd.uniqueName('total_loss');
    if (losses.length > 1) addInferredNode(fwd, { opType: 'Sum', inputs: losses, outputs: [total] });
    const wrt = this.cases.flatMap((c) => c.inputs.map((i) => i.name));
    const { graph, gradients } = grad(fwd, total, wrt);
    const session = await createGraphSession(graph, { threads: 1 });
    const report: GradCheckReport = { checks: 0, failures: [], worst: 0 };
    try {
      const base: Record<string, BackendTensor> = {};
      for (const c of this.cases) for (const i of c.inputs) base[i.name] = { type: i.value.dtype, dims: i.value.dims, data: i.value.data };
      const analytic = await session.run(base, wrt.map((w) => gradients[w]!));
      const slots = Math.max(...this.cases.map((c) => c.inputs.length));
      for (const c of this.cases) {
        for (const i of c.inputs) {
          const got = analytic[gradients[i.name]!]!;
          if (got.dims.join() !== i.value.dims.join()) report.failures.push(`${c.label}: gradient of '${i.name}' has shape [${got.dims}] instead of [${i.value.dims}]`);
        }
      }
      for (let slot = 0; slot < slots; slot++) {
        for (let d = 0; d < directions; d++) {
          const plus = { ...base };
          const minus = { ...base };
          const steps = new Map<string, Float64Array>();
          for (const c of this.cases) {
            const i = c.inputs[slot];
            if (!i) continue;
            const [p, m, v] = this.perturb(i.value, eps);
            plus[i.name] = p;
            minus[i.name] = m;
            steps.set(i.name, v);
          }
          const [lp, lm] = [await session.run(plus, losses), await session.run(minus, losses)];
          for (const c of this.cases) {
            const i = c.inputs[slot];
            if (!i) continue;
            const fd = (Number(lp[c.loss]!.data[0]) - Number(lm[c.loss]!.data[0])) / (2 * eps);
            const g = analytic[gradients[i.name]!]!.data;
            const v = steps.get(i.name)!;
            let an = 0;
            for (let k = 0; k < v.length; k++) an += Number(g[k]) * v[k]!;
            const tol = atol + rtol * Math.max(Math.abs(fd), Math.abs(an));
            const err = Math.abs(fd - an);
            report.checks++;
            report.worst = Math.max(report.worst, err / tol);
            if (!(err <= tol)) report.failures.push(`${c.label}: input ${slot} direction ${d}: finite difference ${fd} vs analytic ${an} (|diff| ${err.toExponential(2)} > ${tol.toExponential(2)})`);
          }
        }
      }
    } finally {
      await session.release();
    }
    return report;
  }

  /** x ± ε·v rounded to the input's dtype, and the effective v = (x₊ − x₋) / 2ε. */
  private perturb(x: Tensor, eps: number): [BackendTensor, BackendTensor, Float64Array] {
    const n = x.data.length;
    const p = makeTensor(x.dtype, x.dims);
    const m = makeTensor(x.dtype, x.dims);
    const v = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const dir = 2 * this.rng() - 1;
      const xv = Number(x.data[k]);
      p.data[k] = xv + eps * dir;
      m.data[k] = xv - eps * dir;
      v[k] = (Number(p.data[k]) - Number(m.data[k])) / (2 * eps);
    }
    const t = (a: Tensor): BackendTensor => ({ type: a.dtype, dims: a.dims, data: a.data });
    return [t(p), t(m), v];
  }
}
