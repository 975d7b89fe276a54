import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { FileFormatError, FileNotFoundError } from '@stereo-sdk/core';
import { parseCalibration, parseKittiCalibration, parseMiddleburyCalibration, readCalibration } from '@stereo-sdk/stereo';
import { KITTI_CAM_TO_CAM, KITTI_P0123, MIDDLEBURY_CALIB, tempRoot, writeText } from './fixtures.js';

describe('parseKittiCalibration', () => {
  it('reads calib_cam_to_cam: focal and principal point of P_rect_02, baseline from P_rect_02/03', () => {
    const c = parseKittiCalibration(KITTI_CAM_TO_CAM, 'cam_to_cam.txt');
    expect(c.focal).toBeCloseTo(721.5377, 6);
    expect(c.cx).toBeCloseTo(609.5593, 6);
    expect(c.cy).toBeCloseTo(172.854, 6);
    expect(c.baseline).toBeCloseTo((44.85728 + 339.5242) / 721.5377, 9);
    expect(c.baseline).toBeCloseTo(0.5327, 4);
    expect(c.units).toBe('m');
  });

  it('reads values that continue on the lines after the key (single-file Calib.txt style)', () => {
    const text = `KITTI 2015 0005_10.

P_rect_02:
7.215377e+02 0.000000e+00 6.095593e+02 4.485728e+01
0.000000e+00 7.215377e+02 1.728540e+02 2.163791e-01
0.000000e+00 0.000000e+00 1.000000e+00 2.745884e-03

P_rect_03:
7.215377e+02 0.000000e+00 6.095593e+02 -3.395242e+02
0.000000e+00 7.215377e+02 1.728540e+02 2.199936e+00
0.000000e+00 0.000000e+00 1.000000e+00 2.729905e-03

T_02: 5.956621e-02 2.900141e-04 2.577209e-03
`;
    const c = parseKittiCalibration(text);
    expect(c.focal).toBeCloseTo(721.5377, 6);
    expect(c.baseline).toBeCloseTo(0.53272, 4);
  });

  it('reads P2/P3 lines, and P0/P1 for the gray cameras', () => {
    const color = parseKittiCalibration(KITTI_P0123);
    expect(color.focal).toBeCloseTo(707.0912, 6);
    expect(color.baseline).toBeCloseTo((46.88783 + 333.4597) / 707.0912, 9);
    const gray = parseKittiCalibration(KITTI_P0123, 'c.txt', 'gray');
    expect(gray.baseline).toBeCloseTo(379.8145 / 707.0912, 9);
  });

  it('falls back to the other camera pair when the preferred one is absent', () => {
    const onlyGray = KITTI_P0123.split('\n').filter((l) => /^P[01]:/.test(l)).join('\n');
    expect(parseKittiCalibration(onlyGray).baseline).toBeCloseTo(379.8145 / 707.0912, 9);
  });

  it('names the file and the problem on bad input', () => {
    expect(() => parseKittiCalibration('nothing here', 'a/calib.txt')).toThrow(FileFormatError);
    expect(() => parseKittiCalibration('nothing here', 'a/calib.txt')).toThrow(/a\/calib\.txt: no KITTI projection matrices/);
    expect(() => parseKittiCalibration('P2: 1 2 3\nP3: 1 2 3', 'b.txt')).toThrow(/b\.txt: P2\/P3 must hold 12 numbers/);
    const zero = 'P2: 0 0 0 0 0 0 0 0 0 0 1 0\nP3: 0 0 0 0 0 0 0 0 0 0 1 0';
    expect(() => parseKittiCalibration(zero, 'z.txt')).toThrow(/non-positive focal/);
  });
});

describe('parseMiddleburyCalibration', () => {
  it('reads cam0, doffs, baseline (mm) and the image facts', () => {
    const c = parseMiddleburyCalibration(MIDDLEBURY_CALIB, 'calib.txt');
    expect(c).toEqual({
      focal: 3997.684,
      baseline: 193.001,
      doffs: 131.111,
      cx: 1176.728,
      cy: 1011.728,
      units: 'mm',
      ndisp: 280,
      width: 2964,
      height: 1988,
    });
  });

  it('defaults doffs to 0 (ETH3D) and accepts CRLF line ends', () => {
    const c = parseMiddleburyCalibration('cam0=[542.019 0 541.836; 0 542.019 255.198; 0 0 1]\r\nbaseline=59.5549\r\n');
    expect(c.focal).toBe(542.019);
    expect(c.baseline).toBe(59.5549);
    expect(c.doffs).toBe(0);
  });

  it('names the file and the problem on bad input', () => {
    expect(() => parseMiddleburyCalibration('baseline=1', 'x/calib.txt')).toThrow(/x\/calib\.txt: missing 'cam0/);
    expect(() => parseMiddleburyCalibration('cam0=[1 2 3]\nbaseline=1', 'y.txt')).toThrow(/y\.txt: malformed cam0/);
    expect(() => parseMiddleburyCalibration('cam0=[1 0 1; 0 1 1; 0 0 1]', 'z.txt')).toThrow(/z\.txt: missing 'baseline='/);
    expect(() => parseMiddleburyCalibration('cam0=[1 0 1; 0 1 1; 0 0 1]\nbaseline=abc', 'w.txt')).toThrow(
      /'baseline' is not a number/,
    );
  });
});

describe('parseCalibration / readCalibration', () => {
  it('recognise the style by content', async () => {
    expect(parseCalibration(MIDDLEBURY_CALIB).units).toBe('mm');
    expect(parseCalibration(KITTI_CAM_TO_CAM).units).toBe('m');
    const { root, cleanup } = await tempRoot('calib');
    try {
      await writeText(path.join(root, 'calib.txt'), MIDDLEBURY_CALIB);
      await writeText(path.join(root, 'Calib.txt.kitti'), KITTI_P0123);
      expect((await readCalibration(path.join(root, 'calib.txt'))).focal).toBe(3997.684);
      expect((await readCalibration(path.join(root, 'Calib.txt.kitti'), 'gray')).baseline).toBeCloseTo(0.53714, 4);
      await expect(readCalibration(path.join(root, 'missing.txt'))).rejects.toThrow(FileNotFoundError);
      await expect(readCalibration(path.join(root, 'missing.txt'))).rejects.toThrow(/missing\.txt: calibration file not found/);
    } finally {
      await cleanup();
    }
  });
});
