/**
 * `stereo-sdk disparity LEFT RIGHT`: one stereo pair through a model, written as a colorized PNG,
 * a PFM, a KITTI 16-bit PNG, a depth PFM and/or a coloured PLY point cloud.
 */
import type { Command } from 'commander';
import path from 'node:path';
import type { DisparityOptions } from '@stereo-sdk/edge-runtime';
import { fixed } from '../report/table.js';
import type { ProgramIO } from '../program.js';
import { openMatcher, parseNumberFlag, providerLine, usageError, writeOutput, type RuntimeFlags } from './runtime-flags.js';

/** Raw option strings as commander hands them over. */
interface DisparityFlags extends RuntimeFlags {
  output?: string;
  pfm?: string;
  kitti?: string;
  depth?: string;
  ply?: string;
  calib?: string;
  focal?: string;
  baseline?: string;
  doffs?: string;
  maxDisparity?: string;
  downscale?: string;
  lrCheck?: boolean | string;
}

/** Camera parameters for depth: from a calibration file or the flags. */
interface Camera {
  focal: number;
  baseline: number;
  doffs: number;
  cx?: number;
  cy?: number;
  /** Where they came from, for the summary line. */
  source: string;
}

/** Parses the per-call options. */
export function parseDisparityOptions(flags: Pick<DisparityFlags, 'maxDisparity' | 'downscale' | 'lrCheck'>): DisparityOptions {
  // No command writes confidence yet, so none pays for computing it.
  const o: DisparityOptions = { confidence: false };
  if (flags.maxDisparity !== undefined) o.maxDisparity = parseNumberFlag('--max-disparity', flags.maxDisparity, 0, 1e6);
  if (flags.downscale !== undefined) o.downscale = parseNumberFlag('--downscale', flags.downscale, 1, 64);
  if (flags.lrCheck === true) o.lrCheck = true;
  else if (typeof flags.lrCheck === 'string') o.lrCheck = { threshold: parseNumberFlag('--lr-check', flags.lrCheck, 0, 1e6) };
  return o;
}

/**
 * Checks the output and calibration flags before any work starts.
 * @throws InvalidParameterError when no output is asked for, when depth is asked for without
 *   calibration, or when calibration is given twice.
 */
function checkOutputs(flags: DisparityFlags): void {
  const outputs = [flags.output, flags.pfm, flags.kitti, flags.depth, flags.ply].filter((o) => o !== undefined);
  if (outputs.length === 0) {
    throw usageError('nothing to write: give at least one of -o out.png (colorized), --pfm out.pfm, --kitti out.png (16-bit), --depth out.pfm, --ply out.ply');
  }
  const manual = flags.focal !== undefined || flags.baseline !== undefined || flags.doffs !== undefined;
  if (flags.calib !== undefined && manual) throw usageError('give either --calib FILE or --focal/--baseline/--doffs, not both');
  if ((flags.depth !== undefined || flags.ply !== undefined) && flags.calib === undefined && (flags.focal === undefined || flags.baseline === undefined)) {
    throw usageError(`${flags.depth !== undefined ? '--depth' : '--ply'} needs calibration: --calib FILE (KITTI or Middlebury/ETH3D calib.txt) or --focal PX --baseline B`);
  }
  if (manual && (flags.focal === undefined || flags.baseline === undefined)) throw usageError('--focal and --baseline go together (--doffs is optional)');
}

async function readCamera(flags: DisparityFlags): Promise<Camera | undefined> {
  if (flags.calib !== undefined) {
    const { readCalibration } = await import('@stereo-sdk/edge-runtime');
    const c = await readCalibration(flags.calib);
    return { focal: c.focal, baseline: c.baseline, doffs: c.doffs, cx: c.cx, cy: c.cy, source: `${flags.calib} (baseline in m)` };
  }
  if (flags.focal === undefined || flags.baseline === undefined) return undefined;
  return {
    focal: parseNumberFlag('--focal', flags.focal, 1e-6, 1e7),
    baseline: parseNumberFlag('--baseline', flags.baseline, 1e-9, 1e9),
    doffs: flags.doffs === undefined ? 0 : parseNumberFlag('--doffs', flags.doffs, -1e6, 1e6),
    source: '--focal/--baseline',
  };
}

/** NaN (the runtime's invalid) → Infinity, the convention of Middlebury PFMs and of core's readers. */
function forPfm(d: Float32Array): Float32Array {
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Number.isNaN(d[i]) ? Infinity : d[i];
  return out;
}

/** Runs the command; exported for programmatic use and tests. */
export async function runDisparity(left: string, right: string, flags: DisparityFlags, io: ProgramIO): Promise<void> {
  checkOutputs(flags);
  const options = parseDisparityOptions(flags);
  const camera = await readCamera(flags);
  const rt = await import('@stereo-sdk/edge-runtime');
  // Decoded before the model is opened: without --model, the bundled model depends on the frame size.
  const t0 = performance.now();
  const [l, r] = await Promise.all([rt.loadImage(left, 'left'), rt.loadImage(right, 'right')]);
  const decodeMs = performance.now() - t0;
  const opened = await openMatcher(flags, { width: l.width, height: l.height });
  let result;
  try {
    result = await opened.matcher.disparity(l, r, options);
  } finally {
    await opened.matcher.dispose();
  }
  const { disparity, width, height } = result;
  const timings = { ...result.timings, preprocessMs: result.timings.preprocessMs + decodeMs };
  const map = { data: disparity, width, height };
  const written: string[] = [];
  const core = await import('@stereo-sdk/core');
  if (flags.output !== undefined) {
    const out = flags.output;
    await writeOutput(out, 'colorized disparity', () => core.writeColorizedDisparity(out, map));
    written.push(out);
  }
  if (flags.pfm !== undefined) {
    const out = flags.pfm;
    await writeOutput(out, 'disparity PFM', () => core.writePfm(out, { data: forPfm(disparity), width, height }));
    written.push(out);
  }
  if (flags.kitti !== undefined) {
    const out = flags.kitti;
    await writeOutput(out, 'KITTI disparity PNG', () => core.writeKittiDisparity(out, map));
    written.push(out);
  }
  if (camera && (flags.depth !== undefined || flags.ply !== undefined)) {
    const depth = rt.toDepth(disparity, camera);
    if (flags.depth !== undefined) {
      const out = flags.depth;
      // Depth keeps the runtime's NaN for "no depth": Infinity would claim a point at infinity.
      await writeOutput(out, 'depth PFM', () => core.writePfm(out, { data: depth, width, height }));
      written.push(out);
    }
    if (flags.ply !== undefined) {
      const out = flags.ply;
      const cloud = rt.depthToPointCloud(depth, width, height, { focal: camera.focal, cx: camera.cx, cy: camera.cy, colors: l });
      await writeOutput(out, 'point cloud', () => rt.writePly(out, cloud));
      written.push(`${out} (${cloud.count} points)`);
    }
  }
  let valid = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const d of disparity) {
    if (!Number.isFinite(d)) continue;
    valid++;
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  const range = valid > 0 ? `, disparity ${fixed(lo, 1)}–${fixed(hi, 1)} px` : '';
  io.out(
    `disparity: ${path.basename(left)} ${width}x${height}${flags.model === undefined ? ` with ${opened.label}` : ''} on ${providerLine(opened)}: preprocess ${fixed(timings.preprocessMs, 1)} ms, ` +
      `inference ${fixed(timings.inferenceMs, 1)} ms, postprocess ${fixed(timings.postprocessMs, 1)} ms; ` +
      `${fixed((100 * valid) / disparity.length, 1)}% valid${range}${camera && (flags.depth || flags.ply) ? `; depth from ${camera.source}` : ''}; ` +
      `wrote ${written.join(', ')}\n`,
  );
}

/** Registers `stereo-sdk disparity LEFT RIGHT`. */
export function registerDisparityCommand(program: Command, io: ProgramIO): void {
  program
    .command('disparity')
    .description('Compute the disparity of a rectified stereo pair and write it (at least one output is required)')
    .argument('<left>', 'left image (PNG, JPEG, WebP, TIFF, PGM/PPM; 8 or 16-bit, gray or color)')
    .argument('<right>', 'right image, same size and channels as left')
    .option('-o, --output <png>', 'colorized disparity (turbo colormap, invalid pixels black)')
    .option('--pfm <file>', 'disparity in pixels as PFM (invalid = inf)')
    .option('--kitti <png>', 'disparity as a KITTI 16-bit PNG (value = disparity × 256, invalid = 0)')
    .option('--depth <file>', 'depth as PFM, in the unit of the baseline (invalid = NaN); needs calibration')
    .option('--ply <file>', 'point cloud colored from the left image, binary PLY; needs calibration')
    .option('--calib <file>', 'KITTI (P_rect_02/03 or P2/P3) or Middlebury/ETH3D calib.txt; baseline in metres')
    .option('--focal <px>', 'focal length in pixels (instead of --calib)')
    .option('--baseline <b>', 'baseline; depth comes out in the same unit (instead of --calib)')
    .option('--doffs <px>', 'principal point x offset, right minus left, in pixels (default 0)')
    .option('--model <onnx>', 'ONNX stereo model (default: the bundled model for the input size: student-kitti30 near KITTI size when shipped, else student)')
    .option('--providers <list>', 'execution providers to try in order, e.g. tensorrt,cuda,cpu (default cpu)')
    .option('--threads <n>', 'intra-op threads (default: onnxruntime chooses)')
    .option('--max-disparity <px>', 'mark larger disparities invalid')
    .option('--downscale <s>', 'run the model at 1/s resolution and scale the result back (≥ 1)')
    .option('--lr-check [px]', 'left-right consistency check, marking pixels that disagree by more than px (default 1) invalid')
    .action(async (left: string, right: string, flags: DisparityFlags) => runDisparity(left, right, flags, io));
}
