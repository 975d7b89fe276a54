/**
 * The teacher-output cache: what the teacher gave for an un-augmented sample, on disk, so that later
 * epochs (and later runs with the same teacher and data) read it instead of running the teacher
 * again. Entries are keyed by the teacher's identity (the hash of its bytes) and the sample's (its
 * dataset spec, name and size); each is one file written atomically, so a killed run leaves only
 * whole entries. The teacher sees the whole image, so one entry serves every crop of it.
 *
 * File layout: `SDTC`, a little-endian u32 header length, the JSON header (key, image size, and for
 * each stored map its shape and offset), zero padding to 4 bytes, then the float32 maps.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '@stereo-sdk/core';
import type { TeacherGrid, TeacherOutput, TeacherRequest } from './teacher.js';

const MAGIC = 'SDTC';
const VERSION = 1;

type MapName = 'disparity' | 'logits' | 'confidence' | 'features';

interface StoredMap {
  readonly name: MapName;
  readonly channels: number;
  readonly width: number;
  readonly height: number;
  readonly downsample: number;
  /** Offset in float32 values from the start of the data block. */
  readonly offset: number;
}

interface Header {
  readonly version: number;
  readonly key: string;
  readonly width: number;
  readonly height: number;
  readonly maps: readonly StoredMap[];
}

/** A teacher-output cache in one folder. */
export interface TeacherCache {
  /** The folder of this teacher's entries. */
  readonly dir: string;
  /** Entries found (with every requested map) so far. */
  readonly hits: number;
  /** Lookups that found nothing usable so far. */
  readonly misses: number;
  /** The stored outputs of `key`, or undefined when absent, unreadable, or lacking a requested map. */
  get(key: string, want: TeacherRequest): Promise<TeacherOutput | undefined>;
  /** Stores the outputs of `key` (atomically, replacing an older entry). */
  put(key: string, out: TeacherOutput): Promise<void>;
}

/**
 * The cache key of a sample: its dataset spec (which includes options that change the images, such
 * as a SceneFlow pass), its name and its size.
 * @example sampleCacheKey('kitti2015:/data/kitti', sample) // 'kitti2015:/data/kitti|kitti2015/000005_10|1242x375'
 */
export function sampleCacheKey(spec: string, sample: { name: string; left: { width: number; height: number } }): string {
  return `${spec}|${sample.name}|${sample.left.width}x${sample.left.height}`;
}

const hash = (s: string): string => createHash('sha256').update(s).digest('hex');

function encode(key: string, out: TeacherOutput): Uint8Array {
  const maps: StoredMap[] = [];
  const arrays: Float32Array[] = [];
  let offset = 0;
  const add = (name: MapName, grid: TeacherGrid): void => {
    maps.push({ name, channels: grid.channels, width: grid.width, height: grid.height, downsample: grid.downsample, offset });
    arrays.push(grid.data);
    offset += grid.data.length;
  };
  add('disparity', { channels: 1, width: out.width, height: out.height, downsample: 1, data: out.disparity });
  if (out.logits) add('logits', out.logits);
  if (out.confidence) add('confidence', out.confidence);
  if (out.features) add('features', out.features);
  const header: Header = { version: VERSION, key, width: out.width, height: out.height, maps };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Math.ceil((8 + json.length) / 4) * 4;
  const bytes = new Uint8Array(start + offset * 4);
  bytes.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(bytes.buffer).setUint32(4, json.length, true);
  bytes.set(json, 8);
  const data = new Float32Array(bytes.buffer, start, offset);
  arrays.forEach((a, i) => data.set(a, maps[i]!.offset));
  return bytes;
}

function decode(bytes: Uint8Array, key: string): { header: Header; data: Float32Array } | undefined {
  if (bytes.length < 8 || Buffer.from(bytes.subarray(0, 4)).toString('latin1') !== MAGIC) return undefined;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + length > bytes.length) return undefined;
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8')) as Header;
  } catch {
    return undefined;
  }
  // A different key under the same file name would be a hash collision: treat it as absent.
  if (header.version !== VERSION || header.key !== key || !Array.isArray(header.maps)) return undefined;
  const start = Math.ceil((8 + length) / 4) * 4;
  const count = (bytes.length - start) / 4;
  if (!Number.isInteger(count)) return undefined;
  // Copy into an aligned buffer: the file's bytes may sit at any offset.
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(bytes.subarray(start));
  return { header, data };
}

/**
 * Opens (creating lazily) the cache of one teacher under `root`.
 * @param root - the cache folder (e.g. `<run dir>/teacher-cache`); several teachers can share it
 * @param teacherId - the teacher's identity (`Teacher.id`)
 * @example const cache = createTeacherCache('student.run/teacher-cache', teacher.id);
 */
export function createTeacherCache(root: string, teacherId: string): TeacherCache {
  const dir = path.join(root, teacherId.slice(0, 16));
  const file = (key: string): string => path.join(dir, `${hash(key).slice(0, 32)}.bin`);
  let hits = 0;
  let misses = 0;
  return {
    dir,
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
    async get(key, want) {
      let bytes: Uint8Array;
      try {
        bytes = await fsp.readFile(file(key));
      } catch {
        misses++;
        return undefined;
      }
      const entry = decode(bytes, key);
      const find = (name: MapName): TeacherGrid | undefined => {
        const m = entry?.header.maps.find((x) => x.name === name);
        if (!m || !entry) return undefined;
        const length = m.channels * m.width * m.height;
        if (m.offset + length > entry.data.length) return undefined;
        return { channels: m.channels, width: m.width, height: m.height, downsample: m.downsample, data: entry.data.subarray(m.offset, m.offset + length) };
      };
      const disparity = find('disparity');
      const logits = find('logits');
      const confidence = find('confidence');
      const features = find('features');
      if (!entry || !disparity || (want.logits && !logits) || (want.confidence && !confidence) || (want.features && !features)) {
        misses++;
        return undefined;
      }
      hits++;
      return {
        width: entry.header.width,
        height: entry.header.height,
        disparity: disparity.data,
        ...(logits ? { logits } : {}),
        ...(confidence ? { confidence } : {}),
        ...(features ? { features } : {}),
      };
    },
    async put(key, out) {
      await writeFileAtomic(file(key), encode(key, out));
    },
  };
}
