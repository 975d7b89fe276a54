/**
 * Point clouds from depth maps, written as binary little-endian PLY (readable by MeshLab,
 * CloudCompare, Open3D, RViz tools). Camera frame as in OpenCV: x right, y down, z forward.
 */
import { ShapeMismatchError, writeFileAtomic, is } from '@stereo-sdk/common';
import type { RawImage } from './types.js';

/** Points as xyz triples, with optional 8-bit RGB colours. */
export interface PointCloud {
  /** x, y, z per point. */
  positions: Float32Array;
  /** r, g, b per point, when the cloud is coloured. */
  colors?: Uint8Array;
  count: number;
}

/** Pinhole intrinsics and filters for {@link depthToPointCloud}. */
export interface PointCloudOptions {
  /** Focal length in pixels (> 0). */
  focal: number;
  /** Principal point; default the image centre. */
  cx?: number;
  cy?: number;
  /** Colour each point from this image (same size as the depth map; gray, RGB(A), 8- or 16-bit). */
  colors?: RawImage;
  /** Drop points farther than this (same unit as depth). Default: keep all. */
  maxDepth?: number;
}

/**
 * Back-projects a depth map into 3D points, skipping invalid (non-finite or ≤ 0) depths.
 * @param depth - row-major depth, e.g. from {@link toDepth}.
 * @param width - depth map width (≥ 1).
 * @param height - depth map height (≥ 1).
 * @param options - focal (px), principal point, colours, maxDepth.
 * @throws InvalidParameterError on bad sizes or intrinsics; ShapeMismatchError when `colors` has another size.
 * @example
 * const cloud = depthToPointCloud(depth, width, height, { focal: calib.focal, cx: calib.cx, cy: calib.cy, colors: await loadImage('left.png') });
 * await writePly('cloud.ply', cloud);
 */
export function depthToPointCloud(depth: Float32Array, width: number, height: number, options: PointCloudOptions): PointCloud {
  is.assertInteger('width', width, 1);
  is.assertInteger('height', height, 1);
  is.assertObject('options', options);
  if (!(depth instanceof Float32Array)) throw is.invalidParameterError('depth', 'a Float32Array', depth);
  if (depth.length !== width * height) throw new ShapeMismatchError(`depth has ${depth.length} values, expected ${width}x${height}`);
  is.assertNumber('focal', options.focal, Number.MIN_VALUE);
  const cx = options.cx ?? (width - 1) / 2;
  const cy = options.cy ?? (height - 1) / 2;
  is.assertNumber('cx', cx);
  is.assertNumber('cy', cy);
  const maxDepth = options.maxDepth ?? Infinity;
  if (is.defined(options.maxDepth)) is.assertNumber('maxDepth', options.maxDepth, 0);
  const img = options.colors;
  if (img && (img.width !== width || img.height !== height)) {
    throw new ShapeMismatchError(`colors image is ${img.width}x${img.height} but the depth map is ${width}x${height}`);
  }
  let count = 0;
  for (let i = 0; i < depth.length; i++) if (depth[i] > 0 && depth[i] <= maxDepth) count++;
  const positions = new Float32Array(count * 3);
  const colors = img ? new Uint8Array(count * 3) : undefined;
  const shift = img && img.data instanceof Uint16Array ? 8 : 0;
  const f = options.focal;
  for (let y = 0, i = 0, k = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const z = depth[i];
      if (!(z > 0 && z <= maxDepth)) continue;
      positions[k * 3] = ((x - cx) * z) / f;
      positions[k * 3 + 1] = ((y - cy) * z) / f;
      positions[k * 3 + 2] = z;
      if (img && colors) {
        const p = i * img.channels;
        const gray = img.channels < 3;
        colors[k * 3] = img.data[p] >> shift;
        colors[k * 3 + 1] = img.data[gray ? p : p + 1] >> shift;
        colors[k * 3 + 2] = img.data[gray ? p : p + 2] >> shift;
      }
      k++;
    }
  }
  return colors ? { positions, colors, count } : { positions, count };
}

/**
 * Encodes a point cloud as binary little-endian PLY.
 * @example
 * const bytes = encodePly({ positions: new Float32Array([0, 0, 1]), count: 1 });
 */
export function encodePly(cloud: PointCloud): Uint8Array {
  const { positions, colors, count } = cloud;
  if (positions.length !== count * 3 || (colors && colors.length !== count * 3)) {
    throw new ShapeMismatchError(`point cloud of ${count} points needs ${count * 3} positions${colors ? ' and colours' : ''}`);
  }
  const header =
    'ply\nformat binary_little_endian 1.0\ncomment written by @stereo-sdk/edge-runtime\n' +
    `element vertex ${count}\nproperty float x\nproperty float y\nproperty float z\n` +
    (colors ? 'property uchar red\nproperty uchar green\nproperty uchar blue\n' : '') +
    'end_header\n';
  const head = new TextEncoder().encode(header);
  const stride = colors ? 15 : 12;
  const out = new Uint8Array(head.length + count * stride);
  out.set(head);
  const view = new DataView(out.buffer, head.length);
  for (let i = 0; i < count; i++) {
    const o = i * stride;
    view.setFloat32(o, positions[i * 3], true);
    view.setFloat32(o + 4, positions[i * 3 + 1], true);
    view.setFloat32(o + 8, positions[i * 3 + 2], true);
    if (colors) {
      view.setUint8(o + 12, colors[i * 3]);
      view.setUint8(o + 13, colors[i * 3 + 1]);
      view.setUint8(o + 14, colors[i * 3 + 2]);
    }
  }
  return out;
}

/**
 * Writes a point cloud as binary PLY, atomically (temp file + rename).
 * @param path - destination `.ply` file; parent folders are created.
 * @throws the fs error when the file cannot be written.
 * @example
 * await writePly('out/cloud.ply', depthToPointCloud(depth, w, h, { focal: 721.5 }));
 */
export async function writePly(path: string, cloud: PointCloud): Promise<void> {
  is.assertString('path', path);
  await writeFileAtomic(path, encodePly(cloud));
}
