/**
 * The (group-wise) correlation cost volume, where CPU inference time goes. For disparity d,
 * group g and pixel (y, x): C[g, d, y, x] = mean over the group's channels c of
 * L[c, y, x] · R[c, y, x − d], and 0 where x − d < 0.
 *
 * Three formulations give the same values (tools/bench/cost-volume.js measures them):
 * - `matmul` (the default, fastest): per image row, one MatMul of the left features [W + D, C] by
 *   the right ones [C, W + D − 1] (both zero-padded) gives every left/right pair of the row. The
 *   band of D diagonals is then cut out without any index tensor: viewing the row-major
 *   [W + D, W + D − 1] product as [W + D − 1, W + D] shifts row x left by x, so the diagonals become
 *   the first D columns (a Reshape whose target permutes the run-time Shape, then one Slice).
 * - `shift`: the right map padded once, one Slice + Mul per disparity, and a grouped 1×1 Conv
 *   reducing each group of channels.
 * - `slice`: one Slice/Mul/ReduceMean/Pad per disparity (the design's original formulation).
 *
 * No op names H or W: Slices and Pads have relative bounds, Reshapes copy run-time dims, so the
 * exported graph runs at any size.
 */
import { attr, InvalidParameterError, is, type GraphBuilder, type TensorRef } from '@stereo-sdk/core';
import { COST_VOLUME_METHODS, type CostVolumeMethod } from './config.js';
import { reshapeDynamic } from './layers.js';

/** Options of `correlationVolume`. */
export interface CostVolumeOptions {
  /** Disparity hypotheses D (0 … D−1) at the feature resolution; ≥ 1. */
  disparities: number;
  /** Correlation groups G (divides the channels); default 1. */
  groups?: number;
  /** Default `'matmul'`. */
  method?: CostVolumeMethod;
  /** `'2d'`: [N, G·D, H, W], channel g·D + k (disparity as channels); `'3d'`: [N, G, D, H, W]. Default `'2d'`. */
  layout?: '2d' | '3d';
  /**
   * Order of the disparity axis: `'ascending'` (index k is disparity k, the default) or
   * `'descending'` (index k is disparity D − 1 − k). Descending is free for `matmul` while
   * ascending costs a reversing Slice; a network that learns from the volume can use either.
   */
  order?: 'ascending' | 'descending';
}

/** Largest int64 Slice bound: "to the end". */
const END = 2 ** 53 - 1;

/**
 * Builds the correlation volume of two feature maps.
 * @param b - the builder.
 * @param left - left features [N, C, H, W].
 * @param right - right features, same shape.
 * @param opts - see `CostVolumeOptions`.
 * @returns the volume, layout per `opts.layout`, disparity order per `opts.order`.
 * @throws InvalidParameterError when the features differ in shape or G does not divide C.
 * @example const cost = correlationVolume(b, fl, fr, { disparities: 48, groups: 1 });
 */
export function correlationVolume(b: GraphBuilder, left: TensorRef, right: TensorRef, opts: CostVolumeOptions): TensorRef {
  if (!is.plainObject(opts as unknown)) throw is.invalidParameterError('cost volume options', 'an object', opts);
  const groups = opts.groups ?? 1;
  const method = opts.method ?? 'matmul';
  const layout = opts.layout ?? '2d';
  const order = opts.order ?? 'ascending';
  is.assertInteger('disparities', opts.disparities, 1);
  is.assertInteger('groups', groups, 1);
  is.assertOneOf('method', method, COST_VOLUME_METHODS);
  is.assertOneOf('layout', layout, ['2d', '3d']);
  is.assertOneOf('order', order, ['ascending', 'descending']);
  const c = left.shape[1];
  if (left.shape.length !== 4 || typeof c !== 'number' || left.shape.join() !== right.shape.join()) {
    throw new InvalidParameterError(`correlationVolume: left [${left.shape.join(', ')}] and right [${right.shape.join(', ')}] must be the same [N, C, H, W]`);
  }
  if (c % groups !== 0) throw new InvalidParameterError(`correlationVolume: groups ${groups} must divide the ${c} feature channels`);
  return b.scope('cost', () => {
    const volume = BUILDERS[method](b, left, right, opts.disparities, groups, order === 'descending');
    // Builders give [N, G, D, H, W], or [N, D, H, W] when G = 1 allows it.
    if (volume.shape.length === 4) return layout === '3d' ? b.unsqueeze(volume, [1]) : volume;
    return layout === '3d' ? volume : volumeToChannels(b, volume);
  });
}

/** [N, C, H, W] → [N, G, C/G, H, W] without naming H or W. */
function groupChannels(b: GraphBuilder, x: TensorRef, groups: number): TensorRef {
  return b.reshape(b.unsqueeze(x, [1]), [0, groups, -1, 0, 0]);
}

/**
 * Folds a 5-D volume into channels, "channel-to-disparity": [N, G, D, H, W] → [N, G·D, H, W],
 * channel g·D + k, without naming H or W (so it runs at any size).
 * @param b - the builder.
 * @param volume - [N, G, D, H, W] with static G and D.
 * @example const x2d = volumeToChannels(b, volume3d);
 */
export function volumeToChannels(b: GraphBuilder, volume: TensorRef): TensorRef {
  const [, g, d] = volume.shape;
  if (volume.shape.length !== 5 || typeof g !== 'number' || typeof d !== 'number') {
    throw is.invalidParameterError('volume', 'a tensor [N, G, D, H, W] with static G and D', volume.shape);
  }
  return reshapeDynamic(b, volume, [{ dim: 0 }, g * d, { dim: 3 }, { dim: 4 }]);
}

/** Builds [N, G, D, H, W], or [N, D, H, W] when G = 1. */
type VolumeBuilder = (b: GraphBuilder, left: TensorRef, right: TensorRef, disparities: number, groups: number, descending: boolean) => TensorRef;

const BUILDERS: Record<CostVolumeMethod, VolumeBuilder> = {
  matmul: (b, left, right, d, groups, descending) => {
    // G = 1 stays 4-D ([N, H, ...], one transpose per side): fewer ops, and a plain channel axis
    // for the pruner to follow into the MatMul. G > 1 adds the group axis: [N, G, H, ...].
    const grouped = groups > 1;
    const rank = grouped ? 5 : 4;
    const cg = (left.shape[1] as number) / groups;
    const pad = (x: TensorRef, axis: number, before: number, after: number): TensorRef => {
      const pads = new Array<number>(2 * rank).fill(0);
      pads[axis] = before;
      pads[axis + rank] = after;
      return b.pad(x, pads);
    };
    // Scale the (small) left map instead of the volume: the mean over channels for free.
    const scaledLeft = b.mul(left, 1 / cg);
    const l = grouped ? b.transpose(groupChannels(b, scaledLeft, groups), [0, 1, 3, 4, 2]) : b.transpose(scaledLeft, [0, 2, 3, 1]); // .. H W Cg
    const r = grouped ? b.transpose(groupChannels(b, right, groups), [0, 1, 3, 2, 4]) : b.transpose(right, [0, 2, 1, 3]); // .. H Cg W
    // [.., W+D, W+D-1]: entry (x, j) pairs left column x with right column j - (D - 1).
    const pairs = b.matmul(pad(l, rank - 2, 0, d), pad(r, rank - 1, d - 1, 0));
    // Row-major [W+D, W+D-1] read as [W+D-1, W+D]: (x, j) lands in row x, column j - x = D-1-d.
    const lead = Array.from({ length: rank - 2 }, (_, i) => ({ dim: i }));
    const skewed = reshapeDynamic(b, pairs, [...lead, { dim: rank - 1 }, { dim: rank - 2 }]);
    const rows = d > 1 ? 1 - d : END;
    const band = descending
      ? b.slice(skewed, { starts: [0, 0], ends: [rows, d], axes: [rank - 2, rank - 1] })
      : b.slice(skewed, { starts: [0, d - 1], ends: [rows, -END], axes: [rank - 2, rank - 1], steps: [1, -1] }); // .. H W D
    return b.transpose(band, grouped ? [0, 1, 4, 2, 3] : [0, 3, 1, 2]);
  },
  shift: (b, left, right, d, groups, descending) => {
    const c = left.shape[1] as number;
    const padded = b.pad(right, [0, 0, 0, d - 1, 0, 0, 0, 0]);
    const products: TensorRef[] = [];
    for (let i = 0; i < d; i++) {
      const k = descending ? d - 1 - i : i;
      const shifted = b.slice(padded, { starts: [d - 1 - k], ends: [k === 0 ? END : -k], axes: [3] });
      products.push(b.mul(left, shifted));
    }
    // One group per (disparity, correlation group): the mean of its C/G products.
    const weight = b.constant(new Float32Array(d * c).fill(groups / c), [d * groups, c / groups, 1, 1]);
    const [sums] = b.op('Conv', [b.concat(products, 1), weight], { group: attr.int(d * groups), kernel_shape: attr.ints([1, 1]) }); // N D·G H W
    const dg = b.reshape(b.unsqueeze(sums!, [1]), [0, d, groups, 0, 0]); // N D G H W
    return b.transpose(dg, [0, 2, 1, 3, 4]);
  },
  slice: (b, left, right, d, groups, descending) => {
    const gl = groupChannels(b, left, groups);
    const gr = groupChannels(b, right, groups);
    const planes: TensorRef[] = [];
    for (let i = 0; i < d; i++) {
      const k = descending ? d - 1 - i : i;
      const l = k === 0 ? gl : b.slice(gl, { starts: [k], ends: [END], axes: [4] });
      const r = k === 0 ? gr : b.slice(gr, { starts: [0], ends: [-k], axes: [4] });
      const mean = b.reduceMean(b.mul(l, r), [2]);
      planes.push(k === 0 ? mean : b.pad(mean, [0, 0, 0, 0, k, 0, 0, 0, 0, 0]));
    }
    return b.concat(planes, 2);
  },
};
