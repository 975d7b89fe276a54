/**
 * Stereo accuracy metrics over a validity mask: end-point error, bad-N rates and KITTI D1.
 *
 * Conventions follow the public benchmarks:
 * - A pixel is scored where the ground truth is finite (and the optional `valid` mask is set).
 * - A prediction that marks a pixel invalid (non-finite) is scored as disparity 0, as the KITTI
 *   devkit does, so a method cannot improve its score by refusing to answer.
 * - D1 counts a pixel as an outlier when its error exceeds both 3 px and 5 % of the true disparity.
 */
import { ShapeMismatchError } from '../errors.js';
import { invalidParameterError } from '../is.js';
import type { DisparityMap, Mask } from '../types.js';

/** Accuracy over one set of pixels. Rates are percentages in [0, 100]. */
export interface DisparityMetrics {
  /** Mean absolute disparity error in pixels. */
  epe: number;
  /** % of pixels with error > 0.5 px. */
  bad05: number;
  /** % of pixels with error > 1 px. */
  bad1: number;
  /** % of pixels with error > 2 px. */
  bad2: number;
  /** % of pixels with error > 3 px. */
  bad3: number;
  /** KITTI D1: % of pixels with error > 3 px and > 5 % of the true disparity. */
  d1: number;
  /** How many pixels were scored. Rates are NaN when this is 0. */
  count: number;
}

/** Metrics over all valid pixels, and split by occlusion when an occlusion mask is given. */
export interface DisparityEvaluation {
  all: DisparityMetrics;
  /** Non-occluded valid pixels (only with `occlusion`). */
  noc?: DisparityMetrics;
  /** Occluded valid pixels (only with `occlusion`). */
  occ?: DisparityMetrics;
}

/** Options of {@link evaluateDisparity}. */
export interface EvaluateOptions {
  /** Extra validity mask (1 = score this pixel); combined with finite ground truth. */
  valid?: Mask;
  /** Occlusion mask (1 = occluded); when given, `noc` and `occ` are reported too. */
  occlusion?: Mask;
  /** Ignore ground truth above this disparity (e.g. a network's range); default: no limit. */
  maxDisparity?: number;
}

const THRESHOLDS = [0.5, 1, 2, 3] as const;

class Tally {
  count = 0;
  sumErr = 0;
  bad = [0, 0, 0, 0];
  d1 = 0;
  add(err: number, gt: number): void {
    this.count++;
    this.sumErr += err;
    for (let t = 0; t < THRESHOLDS.length; t++) if (err > THRESHOLDS[t]) this.bad[t]++;
    if (err > 3 && err > 0.05 * gt) this.d1++;
  }
  result(): DisparityMetrics {
    const pct = (n: number) => (this.count ? (100 * n) / this.count : NaN);
    return {
      epe: this.count ? this.sumErr / this.count : NaN,
      bad05: pct(this.bad[0]),
      bad1: pct(this.bad[1]),
      bad2: pct(this.bad[2]),
      bad3: pct(this.bad[3]),
      d1: pct(this.d1),
      count: this.count,
    };
  }
}

function checkSize(name: string, m: { width: number; height: number; data: ArrayLike<number> }, w: number, h: number): void {
  if (m.width !== w || m.height !== h || m.data.length !== w * h) {
    throw new ShapeMismatchError(`${name} is ${m.width}x${m.height} (${m.data.length} values) but ground truth is ${w}x${h}`);
  }
}

/**
 * Scores a predicted disparity map against ground truth.
 * @param pred - prediction, same size as `gt`; non-finite values count as disparity 0.
 * @param gt - ground truth; non-finite values are not scored.
 * @param options - extra validity and occlusion masks, and a disparity range limit.
 * @returns metrics over all valid pixels, plus `noc`/`occ` splits when `options.occlusion` is set.
 * @throws ShapeMismatchError when the sizes of `pred`, `gt` or a mask disagree.
 * @example
 * const { all } = evaluateDisparity(pred, gt);
 * console.log(all.epe, all.bad2, all.d1);
 */
export function evaluateDisparity(pred: DisparityMap, gt: DisparityMap, options: EvaluateOptions = {}): DisparityEvaluation {
  const { width: w, height: h } = gt;
  checkSize('ground truth', gt, w, h);
  checkSize('prediction', pred, w, h);
  if (options.valid) checkSize('valid mask', options.valid, w, h);
  if (options.occlusion) checkSize('occlusion mask', options.occlusion, w, h);
  const maxD = options.maxDisparity ?? Infinity;
  if (typeof maxD !== 'number' || !(maxD > 0)) throw invalidParameterError('maxDisparity', 'a positive number', maxD);

  const all = new Tally();
  const noc = new Tally();
  const occ = new Tally();
  const valid = options.valid?.data;
  const occlusion = options.occlusion?.data;
  const p = pred.data;
  const g = gt.data;
  for (let i = 0; i < g.length; i++) {
    const gi = g[i];
    if (!Number.isFinite(gi) || gi > maxD || (valid && !valid[i])) continue;
    const pi = Number.isFinite(p[i]) ? p[i] : 0;
    const err = Math.abs(pi - gi);
    all.add(err, gi);
    if (occlusion) (occlusion[i] ? occ : noc).add(err, gi);
  }
  const out: DisparityEvaluation = { all: all.result() };
  if (occlusion) {
    out.noc = noc.result();
    out.occ = occ.result();
  }
  return out;
}
