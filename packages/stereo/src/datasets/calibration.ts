/**
 * Calibration files of the published stereo datasets:
 * - KITTI: projection matrices `P_rect_02`/`P_rect_03` (calib_cam_to_cam), or `P2`/`P3`
 *   (KITTI 2012 calib/, odometry `calib.txt`, single-file `Calib.txt`), values on the key's line
 *   or on the following lines.
 * - Middlebury 2014/2021 and ETH3D two-view `calib.txt`: `cam0=[f 0 cx; 0 f cy; 0 0 1]`,
 *   `doffs`, `baseline` (mm), `width`, `height`, `ndisp`.
 */
import { readFile } from 'node:fs/promises';
import { FileFormatError, FileNotFoundError, is } from '@stereo-sdk/core';
import type { Calibration } from './sample.js';

/** A parsed calibration file: the rectified calibration plus Middlebury's image facts when present. */
export interface CalibrationFile extends Calibration {
  /** Middlebury/ETH3D: conservative bound on the disparity range. */
  ndisp?: number;
  width?: number;
  height?: number;
}

/** Which rectified camera pair of a KITTI file to use. */
export type KittiCameras = 'color' | 'gray';

const KITTI_PAIRS: Record<KittiCameras, readonly (readonly [string, string])[]> = {
  color: [['P_rect_02', 'P_rect_03'], ['P2', 'P3']],
  gray: [['P_rect_00', 'P_rect_01'], ['P0', 'P1']],
};

/**
 * Parses a KITTI calibration text. Focal and principal point come from the left projection
 * matrix; the baseline from the difference of the two matrices' translation terms
 * (`P[0][3] = -f·Tx`), in metres.
 * @param text - file contents
 * @param file - name used in error messages. Default `'<calib>'`.
 * @param cameras - `'color'` (cameras 2/3, default) or `'gray'` (0/1); falls back to the other
 *   pair when the preferred one is absent.
 * @throws FileFormatError naming `file` when no complete pair of 3×4 matrices is found
 * @example
 * const calib = parseKittiCalibration(await readFile('calib_cam_to_cam/000005.txt', 'utf8'));
 * calib.focal * calib.baseline / disparity; // depth in metres
 */
export function parseKittiCalibration(text: string, file = '<calib>', cameras: KittiCameras = 'color'): CalibrationFile {
  is.assertOneOf('cameras', cameras, ['color', 'gray'] as const);
  const entries = parseKeyedNumbers(text);
  const order = [...KITTI_PAIRS[cameras], ...KITTI_PAIRS[cameras === 'color' ? 'gray' : 'color']];
  for (const [l, r] of order) {
    const pl = entries.get(l);
    const pr = entries.get(r);
    if (pl === undefined || pr === undefined) continue;
    if (pl.length < 12 || pr.length < 12) {
      throw new FileFormatError(file, `${l}/${r} must hold 12 numbers (3×4), found ${pl.length}/${pr.length}`);
    }
    const focal = pl[0];
    if (!(focal > 0)) throw new FileFormatError(file, `${l} has a non-positive focal length ${focal}`);
    const baseline = Math.abs(pl[3] - pr[3]) / focal;
    if (!(baseline > 0)) throw new FileFormatError(file, `${l} and ${r} give a zero baseline`);
    return { focal, baseline, cx: pl[2], cy: pl[6], doffs: pr[2] - pl[2], units: 'm' };
  }
  throw new FileFormatError(file, 'no KITTI projection matrices found (expected P_rect_02/P_rect_03 or P2/P3 lines)');
}

/** `key: n n n` entries; numbers may continue on the following lines until the next key. */
function parseKeyedNumbers(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let current: number[] | undefined;
  for (const raw of text.split(/\s+/)) {
    if (raw === '') continue;
    const key = /^([A-Za-z_][A-Za-z0-9_]*):(.*)$/.exec(raw);
    let token = raw;
    if (key) {
      current = [];
      out.set(key[1], current);
      token = key[2];
      if (token === '') continue;
    }
    const v = Number(token);
    // A non-number (a date, a comment word) ends the current entry.
    if (token === '' || !Number.isFinite(v)) current = undefined;
    else current?.push(v);
  }
  return out;
}

/**
 * Parses a Middlebury 2014/2021 or ETH3D two-view `calib.txt` (`key=value` lines).
 * @param text - file contents
 * @param file - name used in error messages. Default `'<calib>'`.
 * @throws FileFormatError naming `file` when `cam0` or `baseline` is missing or malformed
 * @example
 * const c = parseMiddleburyCalibration('cam0=[542 0 541; 0 542 255; 0 0 1]\nbaseline=59.55\ndoffs=0');
 * c.focal * c.baseline / (disparity + (c.doffs ?? 0)); // depth in mm
 */
export function parseMiddleburyCalibration(text: string, file = '<calib>'): CalibrationFile {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) fields.set(m[1], m[2]);
  }
  const cam0 = fields.get('cam0');
  if (cam0 === undefined) throw new FileFormatError(file, "missing 'cam0=[f 0 cx; 0 f cy; 0 0 1]'");
  const k = cam0.replace(/[[\];,]/g, ' ').trim().split(/\s+/).map(Number);
  if (k.length !== 9 || k.some((v) => !Number.isFinite(v)) || !(k[0] > 0)) {
    throw new FileFormatError(file, `malformed cam0 '${cam0}' (expected 9 numbers, positive focal)`);
  }
  const num = (key: string, required: boolean): number | undefined => {
    const s = fields.get(key);
    if (s === undefined) {
      if (required) throw new FileFormatError(file, `missing '${key}='`);
      return undefined;
    }
    const v = Number(s);
    if (s === '' || !Number.isFinite(v)) throw new FileFormatError(file, `'${key}' is not a number: '${s}'`);
    return v;
  };
  const out: CalibrationFile = {
    focal: k[0],
    baseline: num('baseline', true) as number,
    doffs: num('doffs', false) ?? 0,
    cx: k[2],
    cy: k[5],
    units: 'mm',
  };
  for (const key of ['ndisp', 'width', 'height'] as const) {
    const v = num(key, false);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * Parses either style, recognised by content (`cam0=` → Middlebury/ETH3D, otherwise KITTI).
 * @param text - file contents
 * @param file - name used in error messages. Default `'<calib>'`.
 * @throws FileFormatError naming `file` when neither style parses
 * @example
 * const calib = parseCalibration(text, 'calib.txt');
 */
export function parseCalibration(text: string, file = '<calib>'): CalibrationFile {
  return /^\s*cam0\s*=/m.test(text) ? parseMiddleburyCalibration(text, file) : parseKittiCalibration(text, file);
}

/**
 * Reads and parses a calibration file of either style.
 * @param file - path to a KITTI or Middlebury/ETH3D calibration text file
 * @param cameras - KITTI camera pair, see `parseKittiCalibration`. Default `'color'`.
 * @throws FileNotFoundError when `file` does not exist; FileFormatError when it does not parse
 * @example
 * const { focal, baseline, units } = await readCalibration('/data/kitti/Calib.txt');
 */
export async function readCalibration(file: string, cameras: KittiCameras = 'color'): Promise<CalibrationFile> {
  is.assertString('file', file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError(file, 'calibration file');
    throw new FileFormatError(file, `cannot read calibration file (${(err as Error).message})`);
  }
  return /^\s*cam0\s*=/m.test(text) ? parseMiddleburyCalibration(text, file) : parseKittiCalibration(text, file, cameras);
}

/** Drops the Middlebury-only fields, leaving the `Calibration` a sample carries. */
export function toCalibration(c: CalibrationFile): Calibration {
  const { ndisp: _n, width: _w, height: _h, ...calib } = c;
  return calib;
}
