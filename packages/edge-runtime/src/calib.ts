/**
 * Stereo calibration files: KITTI (`P_rect_02`/`P_rect_03` or `P2`/`P3` projection matrices) and
 * Middlebury / ETH3D `calib.txt` (`cam0=[f 0 cx; 0 f cy; 0 0 1]`, `baseline` in mm, `doffs`).
 * Both reduce to what depth needs: focal, baseline (always returned in metres), doffs, principal point.
 */
import { readFile } from 'node:fs/promises';
import { FileFormatError, FileNotFoundError, is } from '@stereo-sdk/common';

/** A rectified stereo rig, enough for {@link toDepth} and point clouds. */
export interface StereoCalibration {
  /** Focal length in pixels. */
  focal: number;
  /** Baseline in metres. */
  baseline: number;
  /** Principal-point x offset, right minus left, in pixels (Middlebury's `doffs`). */
  doffs: number;
  /** Left camera principal point, pixels. */
  cx: number;
  cy: number;
  /** Image size, when the file states it (Middlebury / ETH3D). */
  width?: number;
  height?: number;
  /** Disparity search range the dataset suggests (Middlebury `ndisp`), when stated. */
  ndisp?: number;
  format: 'kitti' | 'middlebury';
}

/** KITTI key pairs, best first: colour cameras (stereo benchmarks), then gray. */
const KITTI_PAIRS: [string, string][] = [['P_rect_02', 'P_rect_03'], ['P2', 'P3'], ['P_rect_00', 'P_rect_01'], ['P0', 'P1']];

const num = (s: string): number => (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) ? Number(s) : Number.NaN);

/** `KEY: n n n ...` entries; the numbers may continue on following lines (KITTI 2015 layout). */
function kittiEntries(text: string): Map<string, number[]> {
  const entries = new Map<string, number[]>();
  let current: number[] | undefined;
  for (const token of text.split(/\s+/)) {
    const m = /^([A-Za-z_]\w*):(.*)$/.exec(token);
    if (m) {
      current = [];
      entries.set(m[1], current);
      if (m[2] && Number.isFinite(num(m[2]))) current.push(num(m[2]));
    } else if (current && Number.isFinite(num(token))) {
      current.push(num(token));
    }
  }
  return entries;
}

function parseKitti(text: string, name: string): StereoCalibration | undefined {
  const entries = kittiEntries(text);
  for (const [lk, rk] of KITTI_PAIRS) {
    const l = entries.get(lk);
    const r = entries.get(rk);
    if (!l && !r) continue;
    if (!l || !r || l.length !== 12 || r.length !== 12) {
      throw new FileFormatError(name, `KITTI calibration needs ${lk} and ${rk} with 12 numbers each (found ${l?.length ?? 0} and ${r?.length ?? 0})`);
    }
    const focal = l[0];
    // P = K [R | t]: column 4 is focal · t_x, so t_x = P[3] / P[0] for each rectified camera.
    const baseline = l[3] / l[0] - r[3] / r[0];
    if (!(focal > 0) || !(baseline > 0)) throw new FileFormatError(name, `KITTI ${lk}/${rk} give focal ${focal} and baseline ${baseline}; both must be positive`);
    return { focal, baseline, doffs: r[2] - l[2], cx: l[2], cy: l[6], format: 'kitti' };
  }
  return undefined;
}

/** `cam0=[f 0 cx; 0 f cy; 0 0 1]` → its 9 numbers. */
function matrix(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const nums = value.replace(/[[\];]/g, ' ').trim().split(/\s+/).map(num);
  return nums.length === 9 && nums.every(Number.isFinite) ? nums : undefined;
}

function parseMiddlebury(text: string, name: string): StereoCalibration | undefined {
  const kv = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  if (!kv.has('cam0')) return undefined;
  const cam0 = matrix(kv.get('cam0'));
  const cam1 = matrix(kv.get('cam1'));
  if (!cam0) throw new FileFormatError(name, "Middlebury calibration: 'cam0' is not a 3x3 matrix [f 0 cx; 0 f cy; 0 0 1]");
  const baselineMm = num(kv.get('baseline') ?? '');
  if (!(baselineMm > 0)) throw new FileFormatError(name, "Middlebury calibration: missing or non-positive 'baseline' (mm)");
  const doffsText = kv.get('doffs');
  const doffs = doffsText !== undefined ? num(doffsText) : cam1 ? cam1[2] - cam0[2] : 0;
  if (!Number.isFinite(doffs)) throw new FileFormatError(name, `Middlebury calibration: 'doffs' is not a number`);
  const calib: StereoCalibration = { focal: cam0[0], baseline: baselineMm / 1000, doffs, cx: cam0[2], cy: cam0[5], format: 'middlebury' };
  for (const key of ['width', 'height', 'ndisp'] as const) {
    const v = num(kv.get(key) ?? '');
    if (Number.isInteger(v) && v > 0) calib[key] = v;
  }
  if (!(calib.focal > 0)) throw new FileFormatError(name, `Middlebury calibration: focal ${calib.focal} must be positive`);
  return calib;
}

/**
 * Parses a KITTI or Middlebury/ETH3D calibration text.
 * @param text - the file's contents.
 * @param name - file name for errors; default `<calibration>`.
 * @returns focal (px), baseline (m), doffs (px), principal point, and image size when stated.
 * @throws FileFormatError when the format is not recognised or an entry is malformed.
 * @example
 * const calib = parseCalibration('cam0=[542 0 541; 0 542 255; 0 0 1]\ndoffs=0\nbaseline=59.55');
 * // calib.baseline === 0.05955
 */
export function parseCalibration(text: string, name = '<calibration>'): StereoCalibration {
  const calib = parseMiddlebury(text, name) ?? parseKitti(text, name);
  if (!calib) {
    throw new FileFormatError(name, 'not a KITTI (P_rect_02/P_rect_03 or P2/P3) or Middlebury/ETH3D (cam0=, baseline=) calibration file');
  }
  return calib;
}

/**
 * Reads a KITTI or Middlebury/ETH3D calibration file.
 * @param path - e.g. KITTI `calib_cam_to_cam/000000.txt`, Middlebury `calib.txt`.
 * @throws FileNotFoundError when the file does not exist; FileFormatError when it is not a calibration file.
 * @example
 * const { focal, baseline, doffs } = await readCalibration('kitti/calib_cam_to_cam/000005.txt');
 */
export async function readCalibration(path: string): Promise<StereoCalibration> {
  is.assertString('path', path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileNotFoundError(path, 'calibration file');
    throw new FileFormatError(path, `cannot read calibration file (${code ?? (err as Error).message})`, { cause: err });
  }
  return parseCalibration(text, path);
}
