import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import {
  depthToPointCloud, encodePly, FileFormatError, FileNotFoundError, InvalidParameterError, parseCalibration,
  readCalibration, toDepth, writePly,
} from '../src/index.js';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const real = resolve(repoRoot, '../shared/datasets/real');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edge-depth-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('toDepth', () => {
  it('computes focal·baseline/(d + doffs) and keeps invalid pixels invalid', () => {
    const d = new Float32Array([10, 20, Number.NaN, Number.POSITIVE_INFINITY, 0, -5, 40]);
    const z = toDepth(d, { focal: 700, baseline: 0.5, doffs: 5 });
    expect(z[0]).toBeCloseTo(350 / 15, 5);
    expect(z[1]).toBeCloseTo(350 / 25, 5);
    expect(Number.isNaN(z[2])).toBe(true);
    expect(Number.isNaN(z[3])).toBe(true);
    expect(z[4]).toBeCloseTo(70, 5);
    expect(Number.isNaN(z[5])).toBe(true); // d + doffs = 0: at infinity
    expect(z[6]).toBeCloseTo(350 / 45, 5);
    expect(Number.isNaN(toDepth(new Float32Array([0]), { focal: 700, baseline: 0.5 })[0])).toBe(true);
  });

  it('validates its parameters', () => {
    expect(() => toDepth(new Float32Array(1), { focal: 0, baseline: 1 })).toThrow(/focal/);
    expect(() => toDepth(new Float32Array(1), { focal: 1, baseline: -1 })).toThrow(/baseline/);
    expect(() => toDepth([1, 2] as never, { focal: 1, baseline: 1 })).toThrow(InvalidParameterError);
  });
});

describe('point clouds', () => {
  it('back-projects valid depths with the pinhole model and writes binary little-endian PLY atomically', async () => {
    const depth = new Float32Array([2, Number.NaN, 4, 0, 8, 100]);
    const colors = { data: new Uint8Array([10, 20, 30, 0, 0, 0, 40, 50, 60, 0, 0, 0, 70, 80, 90, 1, 2, 3]), width: 3, height: 2, channels: 3 as const };
    const cloud = depthToPointCloud(depth, 3, 2, { focal: 2, cx: 1, cy: 0.5, colors, maxDepth: 50 });
    expect(cloud.count).toBe(3);
    expect(Array.from(cloud.positions)).toEqual([(0 - 1) * 2 / 2, (0 - 0.5) * 2 / 2, 2, (2 - 1) * 4 / 2, (0 - 0.5) * 4 / 2, 4, (1 - 1) * 8 / 2, (1 - 0.5) * 8 / 2, 8]);
    expect(Array.from(cloud.colors!)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);

    const path = join(dir, 'sub', 'cloud.ply');
    await writePly(path, cloud);
    const bytes = readFileSync(path);
    const headerEnd = bytes.indexOf('end_header\n') + 'end_header\n'.length;
    const header = bytes.subarray(0, headerEnd).toString();
    expect(header).toMatch(/^ply\nformat binary_little_endian 1\.0\n/);
    expect(header).toMatch(/element vertex 3\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n$/);
    expect(bytes.length - headerEnd).toBe(3 * 15);
    const view = new DataView(bytes.buffer, bytes.byteOffset + headerEnd);
    expect(view.getFloat32(15 + 8, true)).toBe(4);
    expect(view.getUint8(15 + 12)).toBe(40);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['cloud.ply']); // no temp file left behind
  });

  it('writes uncolored clouds, gray and 16-bit colors', () => {
    const plain = encodePly(depthToPointCloud(new Float32Array([1, 1]), 2, 1, { focal: 1 }));
    expect(new TextDecoder().decode(plain)).not.toMatch(/uchar/);
    const gray16 = { data: new Uint16Array([0xff00, 0x1234]), width: 2, height: 1, channels: 1 as const };
    expect(Array.from(depthToPointCloud(new Float32Array([1, 1]), 2, 1, { focal: 1, colors: gray16 }).colors!)).toEqual([255, 255, 255, 0x12, 0x12, 0x12]);
    expect(() => depthToPointCloud(new Float32Array(3), 2, 1, { focal: 1 })).toThrow(/depth has 3 values/);
    expect(() => depthToPointCloud(new Float32Array(2), 2, 1, { focal: 1, colors: { ...gray16, width: 1, data: new Uint16Array(1) } })).toThrow(/colors image is 1x1/);
  });
});

describe('calibration', () => {
  it('parses KITTI P_rect_02/P_rect_03 spread over lines, and P2/P3 on one line', () => {
    const kitti2015 = 'KITTI 2015 0005_10.\n\nP_rect_02: \n7.215377e+02 0 6.095593e+02 4.485728e+01 \n0 7.215377e+02 1.728540e+02 2.163791e-01 \n0 0 1 2.745884e-03\n\n' +
      'P_rect_03: \n7.215377e+02 0 6.095593e+02 -3.395242e+02 \n0 7.215377e+02 1.728540e+02 2.199936e+00 \n0 0 1 2.729905e-03\n';
    const c = parseCalibration(kitti2015);
    expect(c.format).toBe('kitti');
    expect(c.focal).toBeCloseTo(721.5377, 4);
    expect(c.baseline).toBeCloseTo((44.85728 + 339.5242) / 721.5377, 6);
    expect(c.doffs).toBe(0);
    expect([c.cx, c.cy]).toEqual([609.5593, 172.854]);
    const odometry = 'P0: 7 0 6 0 0 7 1 0 0 0 1 0\nP1: 7 0 6 -3.5 0 7 1 0 0 0 1 0\nP2: 700 0 600 35 0 700 170 0 0 0 1 0\nP3: 700 0 601 -315 0 700 170 0 0 0 1 0\n';
    const o = parseCalibration(odometry);
    expect(o.focal).toBe(700);
    expect(o.baseline).toBeCloseTo(0.5, 9);
    expect(o.doffs).toBe(1);
  });

  it('parses Middlebury/ETH3D calib.txt with the baseline converted from mm to m', () => {
    const c = parseCalibration('cam0=[3997.684 0 1176.728; 0 3997.684 1011.728; 0 0 1]\ncam1=[3997.684 0 1307.839; 0 3997.684 1011.728; 0 0 1]\ndoffs=131.111\nbaseline=193.001\nwidth=2964\nheight=1988\nndisp=280\nisint=0\n');
    expect(c).toEqual({ focal: 3997.684, baseline: 0.193001, doffs: 131.111, cx: 1176.728, cy: 1011.728, width: 2964, height: 1988, ndisp: 280, format: 'middlebury' });
    const noDoffs = parseCalibration('cam0=[10 0 5; 0 10 4; 0 0 1]\ncam1=[10 0 7; 0 10 4; 0 0 1]\nbaseline=100');
    expect(noDoffs.doffs).toBe(2);
  });

  it.each([
    ['hello world', /not a KITTI .* or Middlebury/],
    ['P2: 1 2 3\nP3: 1 2 3', /P2 and P3 with 12 numbers each \(found 3 and 3\)/],
    ['cam0=[1 2; 3 4]\nbaseline=5', /'cam0' is not a 3x3 matrix/],
    ['cam0=[10 0 5; 0 10 4; 0 0 1]\n', /missing or non-positive 'baseline'/],
  ])('rejects malformed text (%#) with a FileFormatError', (text, message) => {
    expect(() => parseCalibration(text, 'calib.txt')).toThrow(FileFormatError);
    expect(() => parseCalibration(text, 'calib.txt')).toThrow(message);
  });

  it('reads files and names a missing one', async () => {
    const path = join(dir, 'calib.txt');
    writeFileSync(path, 'cam0=[10 0 5; 0 10 4; 0 0 1]\nbaseline=50\ndoffs=0');
    expect((await readCalibration(path)).baseline).toBe(0.05);
    await expect(readCalibration(join(dir, 'none.txt'))).rejects.toThrow(FileNotFoundError);
  });

  describe.skipIf(!existsSync(real))('real calibration files', () => {
    it('KITTI 2015 Calib.txt: f = 721.5377 px, baseline ≈ 0.5327 m', async () => {
      const c = await readCalibration(join(real, 'kitti2015/000005_10/Calib.txt'));
      expect(c.focal).toBeCloseTo(721.5377, 4);
      expect(c.baseline).toBeCloseTo(0.5327, 3);
    });

    it('ETH3D playground calib.txt: f = 542.019 px, baseline 59.5549 mm', async () => {
      const c = await readCalibration(join(real, 'eth3d/playground/calib.txt'));
      expect(c.focal).toBe(542.019);
      expect(c.baseline).toBeCloseTo(0.0595549, 9);
      expect([c.width, c.height]).toEqual([941, 490]);
    });
  });
});
