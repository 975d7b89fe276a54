/**
 * Parametric layers: Conv, ConvTranspose, BatchNormalization (inference form), Linear. Parameters
 * are named by module path and initialized as PyTorch does, from the builder's seeded RNG.
 */
import { InvalidParameterError } from '../../errors.js';
import * as is from '../../is.js';
import { attr } from '../attributes.js';
import { formatShape } from '../dims.js';
import { makeTensor } from '../tensor.js';
import type { Attribute } from '../types.js';
import type { TensorRef } from './core.js';
import { kaimingUniformBound, uniform } from './init.js';
import { TensorOps } from './ops.js';

type PerAxis = number | readonly number[];

/** Options of `conv` and `convTranspose`. */
export interface ConvOptions {
  /** Kernel size per spatial axis; default 3. */
  kernel?: PerAxis;
  /** Default 1. */
  stride?: PerAxis;
  /** Symmetric zero padding per spatial axis; default 0. */
  padding?: PerAxis;
  /** Default 1. */
  dilation?: PerAxis;
  /** Must divide both channel counts; default 1. */
  groups?: number;
  /** Add a bias; default true. */
  bias?: boolean;
  /** Expected input channels: checked against x at build time (like nn.Conv2d's in_channels). */
  inChannels?: number;
  /** Module name in the current scope; default `conv<k>` / `deconv<k>`. */
  name?: string;
  /** convTranspose only: extra size added to one side of the output; default 0. */
  outputPadding?: PerAxis;
}

function perAxis(name: string, v: PerAxis, n: number, min: number): number[] {
  const out = typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (out.length !== n || !out.every((d) => Number.isInteger(d) && d >= min)) {
    throw is.invalidParameterError(name, `an integer >= ${min} or ${n} of them`, v);
  }
  return out;
}

/** The network builder: all tensor ops plus parametric layers. See `TensorOps` and `BuilderCore`. */
export class GraphBuilder extends TensorOps {
  /** Spatial rank and channel count of a conv input, with checks against the options. */
  private convInput(x: TensorRef, opts: ConvOptions, what: string): { n: number; cin: number } {
    const n = x.shape.length - 2;
    if (n < 1 || n > 3) throw new InvalidParameterError(`${what}: input '${x.name}' ${formatShape(x.shape)} must be [N, C, spatial...] with 1-3 spatial axes`);
    const cin = x.shape[1];
    if (typeof cin !== 'number') throw new InvalidParameterError(`${what}: input '${x.name}' ${formatShape(x.shape)} needs a static channel count`);
    if (opts.inChannels !== undefined && opts.inChannels !== cin) {
      throw new InvalidParameterError(`${what}: expects ${opts.inChannels} input channels but '${x.name}' ${formatShape(x.shape)} has ${cin}`);
    }
    return { n, cin };
  }

  private windowAttrs(opts: ConvOptions, n: number, groups: number): { kernel: number[]; attrs: Record<string, Attribute> } {
    const kernel = perAxis('kernel', opts.kernel ?? 3, n, 1);
    const pad = perAxis('padding', opts.padding ?? 0, n, 0);
    return {
      kernel,
      attrs: {
        kernel_shape: attr.ints(kernel),
        strides: attr.ints(perAxis('stride', opts.stride ?? 1, n, 1)),
        dilations: attr.ints(perAxis('dilation', opts.dilation ?? 1, n, 1)),
        pads: attr.ints([...pad, ...pad]),
        group: attr.int(groups),
      },
    };
  }

  /**
   * N-D convolution (1-3 spatial axes) with PyTorch's default init: weight and bias
   * U(-1/√fan_in, 1/√fan_in), fan_in = (C_in / groups)·∏kernel.
   * @param x input [N, C_in, spatial...]
   * @param outChannels C_out, an integer >= 1 divisible by groups
   * @param opts see `ConvOptions`
   * @throws InvalidParameterError when channels do not match `inChannels` or are not divisible by groups
   * @example const y = b.conv(x, 32, { kernel: 3, stride: 2, padding: 1, name: 'conv1' });
   */
  conv(x: TensorRef, outChannels: number, opts: ConvOptions = {}): TensorRef {
    return this.convLayer('conv', x, outChannels, opts);
  }

  /**
   * N-D transposed convolution with PyTorch's default init (fan_in = (C_out / groups)·∏kernel, as
   * PyTorch computes it from the [C_in, C_out/groups, k...] weight).
   * @param x input [N, C_in, spatial...]
   * @param outChannels C_out, divisible by groups
   * @example const up = b.convTranspose(x, 16, { kernel: 4, stride: 2, padding: 1 });
   */
  convTranspose(x: TensorRef, outChannels: number, opts: ConvOptions = {}): TensorRef {
    return this.convLayer('convTranspose', x, outChannels, opts);
  }

  private convLayer(kind: 'conv' | 'convTranspose', x: TensorRef, outChannels: number, opts: ConvOptions): TensorRef {
    const { n, cin } = this.convInput(x, opts, kind);
    const groups = opts.groups ?? 1;
    is.assertInteger('groups', groups, 1);
    is.assertInteger('outChannels', outChannels, 1);
    if (cin % groups !== 0 || outChannels % groups !== 0) {
      throw new InvalidParameterError(`${kind}: groups ${groups} must divide input channels ${cin} and output channels ${outChannels}`);
    }
    const path = this.modulePath(kind === 'conv' ? 'conv' : 'deconv', opts.name);
    const { kernel, attrs } = this.windowAttrs(opts, n, groups);
    const k = kernel.reduce((a, b) => a * b, 1);
    const transposed = kind === 'convTranspose';
    if (transposed && opts.outputPadding !== undefined) attrs['output_padding'] = attr.ints(perAxis('outputPadding', opts.outputPadding, n, 0));
    // PyTorch computes fan_in from weight dim 1: C_in/groups for Conv, C_out/groups for ConvTranspose.
    const wDims = transposed ? [cin, outChannels / groups, ...kernel] : [outChannels, cin / groups, ...kernel];
    const fanIn = wDims[1]! * k;
    const w = this.addParam(`${path}.weight`, makeTensor('float32', wDims, uniform(wDims[0]! * fanIn, kaimingUniformBound(fanIn), this.rng)));
    const params: Record<string, string> = { weight: w.name };
    const inputs: TensorRef[] = [x, w];
    if (opts.bias ?? true) {
      const b = this.addParam(`${path}.bias`, makeTensor('float32', [outChannels], uniform(outChannels, 1 / Math.sqrt(fanIn), this.rng)));
      inputs.push(b);
      params['bias'] = b.name;
    }
    const [y] = this.emit(transposed ? 'ConvTranspose' : 'Conv', inputs, attrs, { prefix: `/${path.replaceAll('.', '/')}` });
    this.record(kind, path, this.graph.producer(y!.name)!.name, x, y!, params, { inChannels: cin, outChannels, kernel, groups, spatialRank: n });
    return y!;
  }

  /**
   * Batch normalization in inference form (one ONNX BatchNormalization node). Parameters follow
   * PyTorch: `weight` = 1, `bias` = 0, `running_mean` = 0, `running_var` = 1. The module record
   * keeps eps, momentum and the conv it follows, for training-mode BN and BN folding.
   * @param x input [N, C, ...]
   * @param opts.eps default 1e-5; opts.momentum (PyTorch convention) default 0.1; opts.name default `bn<k>`
   * @example const y = b.relu(b.batchNorm(b.conv(x, 16, { bias: false })));
   */
  batchNorm(x: TensorRef, opts: { eps?: number; momentum?: number; name?: string } = {}): TensorRef {
    const c = x.shape[1];
    if (x.shape.length < 2 || typeof c !== 'number') throw new InvalidParameterError(`batchNorm: input '${x.name}' ${formatShape(x.shape)} needs a static channel axis 1`);
    const eps = opts.eps ?? 1e-5;
    const momentum = opts.momentum ?? 0.1;
    is.assertNumber('eps', eps, 0);
    is.assertNumber('momentum', momentum, 0, 1);
    const path = this.modulePath('bn', opts.name);
    const ones = new Float32Array(c).fill(1);
    const scale = this.addParam(`${path}.weight`, makeTensor('float32', [c], ones));
    const bias = this.addParam(`${path}.bias`, makeTensor('float32', [c]));
    const mean = this.addParam(`${path}.running_mean`, makeTensor('float32', [c]));
    const variance = this.addParam(`${path}.running_var`, makeTensor('float32', [c], ones.slice()));
    // ONNX momentum weighs the running value; PyTorch's weighs the new batch statistic.
    const [y] = this.emit('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: attr.float(eps), momentum: attr.float(1 - momentum) }, { prefix: `/${path.replaceAll('.', '/')}` });
    const params = { weight: scale.name, bias: bias.name, running_mean: mean.name, running_var: variance.name };
    const prev = this.moduleProducing(x.name);
    const follows = prev && (prev.kind === 'conv' || prev.kind === 'convTranspose' || prev.kind === 'linear') ? prev.path : undefined;
    this.record('batchNorm', path, this.graph.producer(y!.name)!.name, x, y!, params, { channels: c, eps, momentum }, follows);
    return y!;
  }

  /**
   * Fully connected layer on [N, in] input as Gemm(x, Wᵀ) with W of shape [out, in] (PyTorch's
   * nn.Linear layout and init).
   * @param x input [N, in_features]
   * @param outFeatures integer >= 1
   * @example const logits = b.linear(b.flatten(pooled), 10);
   */
  linear(x: TensorRef, outFeatures: number, opts: { bias?: boolean; name?: string; inFeatures?: number } = {}): TensorRef {
    const fin = x.shape[1];
    if (x.shape.length !== 2 || typeof fin !== 'number') throw new InvalidParameterError(`linear: input '${x.name}' ${formatShape(x.shape)} must be [N, in_features]; flatten or reshape first`);
    if (opts.inFeatures !== undefined && opts.inFeatures !== fin) throw new InvalidParameterError(`linear: expects ${opts.inFeatures} input features but '${x.name}' ${formatShape(x.shape)} has ${fin}`);
    is.assertInteger('outFeatures', outFeatures, 1);
    const path = this.modulePath('linear', opts.name);
    const w = this.addParam(`${path}.weight`, makeTensor('float32', [outFeatures, fin], uniform(outFeatures * fin, kaimingUniformBound(fin), this.rng)));
    const params: Record<string, string> = { weight: w.name };
    const inputs: TensorRef[] = [x, w];
    if (opts.bias ?? true) {
      const b = this.addParam(`${path}.bias`, makeTensor('float32', [outFeatures], uniform(outFeatures, 1 / Math.sqrt(fin), this.rng)));
      inputs.push(b);
      params['bias'] = b.name;
    }
    const [y] = this.emit('Gemm', inputs, { transB: attr.int(1) }, { prefix: `/${path.replaceAll('.', '/')}` });
    this.record('linear', path, this.graph.producer(y!.name)!.name, x, y!, params, { inFeatures: fin, outFeatures });
    return y!;
  }
}
