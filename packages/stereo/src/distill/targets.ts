/**
 * Distillation batches: the student's inputs and the teacher's targets for batch `step`, a pure
 * function of (seed, step) as in supervised training, so a resumed run sees the same batches.
 *
 * Per sample: a random crop (its origin a multiple of the teacher's output downsampling, so the
 * teacher's maps line up cell for cell), then colour jitter and occlusion patches as configured.
 * When the crop reached the student unchanged, the teacher's outputs come from the cache of the
 * whole image (the teacher runs once per sample and image, its result then serves every crop in
 * every epoch); when augmentation changed the input, the teacher runs on the augmented crop.
 */
import { DatasetError, InvalidParameterError, is, type BackendTensor } from '@stereo-sdk/core';
import { colorJitter } from '../augment/color.js';
import { cropSample } from '../augment/crop.js';
import { occlusionPatches } from '../augment/occlusion.js';
import { createRandom, randomInt } from '../augment/random.js';
import type { StereoSample } from '../datasets/sample.js';
import { STEREO_NET_IO } from '../nets/network.js';
import { DEFAULT_HEAD_SCALE } from '../nets/config.js';
import { downsampleTarget, supervisionTarget, TRAINING_INPUTS, writeNetworkInput } from '../training/batch.js';
import { createSampleOrder, occlusionForCrop, seedOf } from '../training/loader.js';
import type { SampleSource } from '../training/source.js';
import type { CropSize, TrainingAugmentation } from '../training/types.js';
import { sampleCacheKey, type TeacherCache } from './cache.js';
import { DISTILL_INPUTS } from './losses.js';
import type { Teacher, TeacherGrid, TeacherOutput, TeacherRequest } from './teacher.js';

/** Options of `createDistillLoader`. */
export interface DistillLoaderOptions {
  readonly batch: number;
  readonly crop: CropSize;
  readonly seed: number;
  readonly augment: TrainingAugmentation;
  /** The student's range: teacher and ground-truth disparities beyond it are masked out. */
  readonly studentMaxDisparity: number;
  /** Resolution of the student's logits (its `headScale`): 4 (default) or 8. */
  readonly studentScale?: number;
  readonly teacher: Teacher;
  /** Cache of teacher outputs on whole images; undefined: the teacher runs on every crop. */
  readonly cache?: TeacherCache;
  /** Teacher outputs the loss needs. */
  readonly want: TeacherRequest;
  /** Teacher pixels with a confidence below this are not trusted by `disp-l1`; 0: all are. */
  readonly confidenceThreshold: number;
  /** Feed the ground-truth targets (every sample must have ground truth). */
  readonly groundTruth: boolean;
  /** The softening temperature at a step. */
  readonly temperature: (step: number) => number;
  /** Grid of the student's feature value (`feature` hints): its size for the crop. */
  readonly featureGrid?: { readonly width: number; readonly height: number };
}

/** Deterministic distillation batches by step. */
export interface DistillLoader {
  /** Sample indices of batch `step`. */
  indices(step: number): number[];
  /** The feeds of batch `step`: `left`, `right`, the teacher's targets, the temperature, and with ground truth `TRAINING_INPUTS`. */
  batch(step: number): Promise<Record<string, BackendTensor>>;
}

/** Cuts a crop out of a grid (the origin and size must fall on its cells). */
function cropGrid(g: TeacherGrid, x: number, y: number, width: number, height: number, what: string): TeacherGrid {
  const ds = g.downsample;
  if (x % ds || y % ds || width % ds || height % ds) throw new InvalidParameterError(`teacher ${what} at 1/${ds} do not line up with a ${width}x${height} crop at (${x}, ${y})`);
  const [gx, gy, w, h] = [x / ds, y / ds, width / ds, height / ds];
  const data = new Float32Array(g.channels * w * h);
  for (let c = 0; c < g.channels; c++) {
    for (let r = 0; r < h; r++) {
      const src = (c * g.height + gy + r) * g.width + gx;
      data.set(g.data.subarray(src, src + w), (c * h + r) * w);
    }
  }
  return { channels: g.channels, width: w, height: h, downsample: ds, data };
}

/** The teacher's outputs for a crop of a whole-image result. */
export function cropTeacherOutput(out: TeacherOutput, x: number, y: number, width: number, height: number): TeacherOutput {
  const disparity = new Float32Array(width * height);
  for (let r = 0; r < height; r++) disparity.set(out.disparity.subarray((y + r) * out.width + x, (y + r) * out.width + x + width), r * width);
  return {
    width,
    height,
    disparity,
    ...(out.logits ? { logits: cropGrid(out.logits, x, y, width, height, 'logits') } : {}),
    ...(out.confidence ? { confidence: cropGrid(out.confidence, x, y, width, height, 'confidence') } : {}),
    ...(out.features ? { features: cropGrid(out.features, x, y, width, height, 'features') } : {}),
  };
}

/** The teacher's outputs for a whole sample: from the cache, or run once and stored. */
export async function wholeImageTargets(teacher: Teacher, cache: TeacherCache | undefined, spec: string, sample: StereoSample, want: TeacherRequest): Promise<TeacherOutput> {
  const key = sampleCacheKey(spec, sample);
  const cached = await cache?.get(key, want);
  if (cached) return cached;
  const out = await teacher.run(sample.left, sample.right, want);
  await cache?.put(key, out);
  return out;
}

const f32 = (dims: number[], data: Float32Array): BackendTensor => ({ type: 'float32', dims, data });

/** The error for a sample without ground truth when the ground-truth term is on. */
export function missingGroundTruth(spec: string, name: string): DatasetError {
  return new DatasetError(`${spec}: sample '${name}' has no ground-truth disparity, so the ground-truth term (gtWeight > 0) cannot be used; distill unlabeled data with gtWeight 0 (--gt-weight 0), from the teacher alone`);
}

/** What the teacher must return for a loss's needs and a confidence threshold. */
export const teacherRequest = (want: TeacherRequest, confidenceThreshold: number): TeacherRequest => ({ ...want, ...(confidenceThreshold > 0 ? { confidence: true } : {}) });

/**
 * Creates the distillation loader of a training source.
 * @param source - training samples (labeled or not)
 * @param opts - see `DistillLoaderOptions`
 * @throws InvalidParameterError on bad options
 * @example const loader = createDistillLoader(source, { batch: 4, crop, seed: 0, augment, studentMaxDisparity: 192, teacher, cache, want: { logits: true }, confidenceThreshold: 0, groundTruth: false, temperature: () => 1 });
 */
export function createDistillLoader(source: SampleSource, opts: DistillLoaderOptions): DistillLoader {
  if (!is.plainObject(opts as unknown)) throw is.invalidParameterError('loader options', 'an object', opts);
  is.assertInteger('batch', opts.batch, 1, 1024);
  is.assertInteger('seed', opts.seed, 0, 2 ** 32 - 1);
  is.assertNumber('confidenceThreshold', opts.confidenceThreshold, 0, 1);
  const { crop, batch, teacher, want } = opts;
  const scale = opts.studentScale ?? DEFAULT_HEAD_SCALE;
  is.assertInteger('studentScale', scale, 1, 64);
  const occlusion = opts.augment.occlusion ? occlusionForCrop(crop) : false;
  const indexAt = createSampleOrder(source, opts.seed);
  // Crops start on the teacher's grid cells, so whole-image maps crop exactly.
  const align = Math.max(scale, teacher.logits?.downsample ?? 1, teacher.contract.outputs.confidence?.downsample ?? 1);
  const cacheable = opts.cache !== undefined && Number.isFinite(source.length);
  const request = teacherRequest(want, opts.confidenceThreshold);

  const indices = (step: number): number[] => {
    is.assertInteger('step', step, 0);
    return Array.from({ length: batch }, (_, slot) => indexAt(step * batch + slot));
  };

  /** The augmented crop of one slot and the teacher's outputs for it. */
  const slotTargets = async (step: number, slot: number, index: number): Promise<{ sample: StereoSample; teacher: TeacherOutput }> => {
    const raw = await source.get(index);
    if (opts.groundTruth && !raw.disparity) throw missingGroundTruth(source.spec, raw.name);
    const { width: W, height: H } = raw.left;
    if (W < crop.width || H < crop.height) throw new DatasetError(`${source.spec}: sample '${raw.name}' (${W}x${H}) is smaller than the ${crop.width}x${crop.height} crop`);
    const rnd = createRandom(seedOf(opts.seed, step, slot, 1));
    const x = align * randomInt(rnd, 0, Math.floor((W - crop.width) / align));
    const y = align * randomInt(rnd, 0, Math.floor((H - crop.height) / align));
    const cropped = cropSample(raw, x, y, crop.width, crop.height);
    let s = cropped;
    if (opts.augment.color) s = colorJitter(s, {}, rnd);
    if (occlusion) s = occlusionPatches(s, occlusion, rnd);
    const augmented = s.left !== cropped.left || s.right !== cropped.right;
    if (!augmented && cacheable) {
      const whole = await wholeImageTargets(teacher, opts.cache, source.spec, raw, request);
      return { sample: s, teacher: cropTeacherOutput(whole, x, y, crop.width, crop.height) };
    }
    // A teacher with a larger stride pads the crop: cut its maps back to the crop.
    return { sample: s, teacher: cropTeacherOutput(await teacher.run(s.left, s.right, request), 0, 0, crop.width, crop.height) };
  };

  const batchFeeds = async (step: number): Promise<Record<string, BackendTensor>> => {
    const ids = indices(step);
    const slots: { sample: StereoSample; teacher: TeacherOutput }[] = [];
    // One at a time: the teacher session runs one pair per call.
    for (const [slot, index] of ids.entries()) slots.push(await slotTargets(step, slot, index));
    const { width, height } = crop;
    const plane = width * height;
    const n = slots.length;
    const left = new Float32Array(n * 3 * plane);
    const right = new Float32Array(n * 3 * plane);
    const tDisp = new Float32Array(n * plane);
    const tValid = new Float32Array(n * plane);
    const feeds: Record<string, BackendTensor> = {};
    const grids: Record<'logits' | 'features', Float32Array[]> = { logits: [], features: [] };
    const qPlane = plane / (scale * scale);
    const gt = opts.groundTruth ? { target: new Float32Array(n * plane), valid: new Float32Array(n * plane), targetQ: new Float32Array(n * qPlane), validQ: new Float32Array(n * qPlane) } : undefined;
    slots.forEach(({ sample, teacher: t }, k) => {
      writeNetworkInput(sample.left, left.subarray(k * 3 * plane, (k + 1) * 3 * plane), width, height);
      writeNetworkInput(sample.right, right.subarray(k * 3 * plane, (k + 1) * 3 * plane), width, height);
      const conf = t.confidence;
      for (let yy = 0; yy < height; yy++) {
        for (let xx = 0; xx < width; xx++) {
          const d = t.disparity[yy * width + xx]!;
          let ok = d >= 0 && d < opts.studentMaxDisparity;
          if (ok && conf && opts.confidenceThreshold > 0) ok = conf.data[Math.floor(yy / conf.downsample) * conf.width + Math.floor(xx / conf.downsample)]! >= opts.confidenceThreshold;
          if (ok) {
            tDisp[k * plane + yy * width + xx] = d;
            tValid[k * plane + yy * width + xx] = 1;
          }
        }
      }
      if (want.logits) {
        if (!t.logits || scale % t.logits.downsample !== 0) throw new InvalidParameterError(`teacher ${teacher.source} gives logits at 1/${t.logits?.downsample ?? '?'}; distribution distillation needs them at the student's 1/${scale} or finer (use disp-l1)`);
        grids.logits.push(t.logits.data);
      }
      if (want.features) {
        const f = t.features;
        const grid = opts.featureGrid;
        if (!f || !grid || f.width !== grid.width || f.height !== grid.height) {
          throw new InvalidParameterError(`teacher features ${f ? `${f.width}x${f.height}` : '(none)'} do not match the student's ${grid?.width}x${grid?.height} feature map for a ${width}x${height} crop`);
        }
        grids.features.push(f.data);
      }
      if (gt) {
        const target = supervisionTarget(sample, opts.studentMaxDisparity);
        gt.target.set(target.target, k * plane);
        gt.valid.set(target.valid, k * plane);
        const q = downsampleTarget(target.target, target.valid, width, height, scale);
        gt.targetQ.set(q.target, k * qPlane);
        gt.validQ.set(q.valid, k * qPlane);
      }
    });
    const dims = [n, 3, height, width];
    feeds[STEREO_NET_IO.left] = f32(dims, left);
    feeds[STEREO_NET_IO.right] = f32(dims, right);
    feeds[DISTILL_INPUTS.teacherDisparity] = f32([n, 1, height, width], tDisp);
    feeds[DISTILL_INPUTS.teacherValid] = f32([n, 1, height, width], tValid);
    feeds[DISTILL_INPUTS.temperature] = { type: 'float32', dims: [], data: new Float32Array([opts.temperature(step)]) };
    const stack = (parts: Float32Array[], channels: number, h: number, w: number): BackendTensor => {
      const data = new Float32Array(n * channels * h * w);
      parts.forEach((p, k) => data.set(p, k * channels * h * w));
      return f32([n, channels, h, w], data);
    };
    const ld = teacher.logits?.downsample ?? scale;
    if (want.logits) feeds[DISTILL_INPUTS.teacherLogits] = stack(grids.logits, teacher.logits!.bins, height / ld, width / ld);
    if (want.features) feeds[DISTILL_INPUTS.teacherFeatures] = stack(grids.features, teacher.features!.channels, opts.featureGrid!.height, opts.featureGrid!.width);
    if (gt) {
      const qDims = [n, 1, height / scale, width / scale];
      feeds[TRAINING_INPUTS.target] = f32([n, 1, height, width], gt.target);
      feeds[TRAINING_INPUTS.valid] = f32([n, 1, height, width], gt.valid);
      feeds[TRAINING_INPUTS.targetQuarter] = f32(qDims, gt.targetQ);
      feeds[TRAINING_INPUTS.validQuarter] = f32(qDims, gt.validQ);
    }
    return feeds;
  };

  return { indices, batch: batchFeeds };
}

/**
 * A validation source for unlabeled data: each sample gets the teacher's disparity (whole image,
 * cached) as its reference, so validation measures how closely the student follows the teacher.
 * @param source - validation samples (without ground truth)
 * @param want - the outputs training requests too, so that both share cache entries; default none
 * @example const reference = teacherReferenceSource(val, teacher, cache);
 */
export function teacherReferenceSource(source: SampleSource, teacher: Teacher, cache: TeacherCache | undefined, want: TeacherRequest = {}): SampleSource {
  return {
    spec: source.spec,
    length: source.length,
    get: async (index) => {
      const s = await source.get(index);
      const t = await wholeImageTargets(teacher, Number.isFinite(source.length) ? cache : undefined, source.spec, s, want);
      const data = Float32Array.from(t.disparity, (d) => (d >= 0 && Number.isFinite(d) ? d : Infinity));
      return { ...s, disparity: { data, width: s.left.width, height: s.left.height } };
    },
  };
}
