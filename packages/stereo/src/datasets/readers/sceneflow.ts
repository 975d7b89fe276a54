/**
 * SceneFlow (Mayer et al. 2016): FlyingThings3D, Driving and Monkaa, each as a
 * `frames_cleanpass|frames_finalpass` tree of `left`/`right` folders mirrored by a `disparity`
 * tree of PFM files (`…/left/NNNN.pfm`, left-referenced, dense):
 * - FlyingThings3D: `TRAIN|TEST/A|B|C/NNNN/left|right/NNNN.png`
 * - Driving: `15mm_focallength|35mm_focallength/scene_forwards|scene_backwards/fast|slow/left|right`
 * - Monkaa: `<scene>/left|right`
 * The family is recognised from the sequence path, so the three may sit anywhere under the root
 * (e.g. `SceneFlow/FlyingThings3D/frames_cleanpass`, or the archives' `flyingthings3d__frames_cleanpass`).
 */
import path from 'node:path';
import { readDisparity } from '@stereo-sdk/core';
import type { Calibration } from '../sample.js';
import type { DatasetReader, ReaderOptions, SampleEntry, SampleExtras } from '../entry.js';
import { findName, imagesByStem, listDir, stem } from '../fs.js';
import { validMask } from '../ground-truth.js';

type Family = 'flyingthings3d' | 'driving' | 'monkaa';

/** Depth limits of the two searches (frames folders under the root; sequences under a frames folder). */
const FRAMES_DEPTH = 3;
const SEQUENCE_DEPTH = 4;

// Published rendering parameters: 960×540, f = 1050 px (Driving 15 mm: 450 px), baseline 1 scene unit.
const calibration = (focal: number): Calibration => ({ focal, baseline: 1, cx: 479.5, cy: 269.5 });

function familyOf(rel: string): Family {
  const first = rel.split('/')[0];
  if (first === 'TRAIN' || first === 'TEST') return 'flyingthings3d';
  if (/^\d+mm_focallength$/.test(first)) return 'driving';
  return 'monkaa';
}

/** `frames_<pass>`, optionally prefixed (`driving__frames_cleanpass`) or in the WebP edition (`frames_cleanpass_webp`). */
const framesPattern = (pass: string): RegExp => new RegExp(`(^|_)frames_${pass}(_webp)?$`, 'i');

/** Folders whose name matches `framesPattern`, up to `FRAMES_DEPTH` levels below the root. */
async function findFramesDirs(root: string, pass: string): Promise<string[]> {
  const re = framesPattern(pass);
  const out: string[] = [];
  let level = [root];
  for (let depth = 0; depth <= FRAMES_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      if (re.test(path.basename(dir))) out.push(await unnest(dir));
      else next.push(...(await listDir(dir)).dirs.map((d) => path.join(dir, d)));
    }
    level = next;
  }
  return out;
}

/** `x__frames_cleanpass/frames_cleanpass` (archive extracted into a folder of its own name) → the inner one. */
async function unnest(dir: string): Promise<string> {
  const { dirs } = await listDir(dir);
  const inner = dirs.length === 1 ? dirs[0] : undefined;
  return inner !== undefined && path.basename(dir).toLowerCase().endsWith(inner.toLowerCase()) ? path.join(dir, inner) : dir;
}

/** The disparity tree next to a frames tree: sibling `disparity`, or `<prefix>disparity` for `<prefix>frames_<pass>`. */
async function disparityDirFor(framesDir: string, pass: string): Promise<string | undefined> {
  let parent = path.dirname(framesDir);
  let base = path.basename(framesDir);
  if (path.basename(parent).toLowerCase().endsWith(base.toLowerCase())) {
    base = path.basename(parent);
    parent = path.dirname(parent);
  }
  const prefix = base.replace(framesPattern(pass), '$1');
  const { dirs } = await listDir(parent);
  const hit = findName(dirs, [`${prefix}disparity`, 'disparity']);
  return hit === undefined ? undefined : unnest(path.join(parent, hit));
}

/** Relative paths of the folders holding both `left` and `right`. */
async function findSequences(framesDir: string): Promise<string[]> {
  const out: string[] = [];
  let level = [''];
  for (let depth = 0; depth <= SEQUENCE_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const rel of level) {
      const { dirs } = await listDir(path.join(framesDir, rel));
      if (dirs.includes('left') && dirs.includes('right')) out.push(rel);
      else next.push(...dirs.map((d) => (rel === '' ? d : `${rel}/${d}`)));
    }
    level = next;
  }
  return out;
}

function includeFamily(family: Family, rel: string, part: ReaderOptions['part']): boolean {
  if (part === 'all') return true;
  if (family !== 'flyingthings3d') return part === 'TRAIN';
  return rel.split('/')[0] === part;
}

async function indexSequence(framesDir: string, dispDir: string | undefined, rel: string, options: ReaderOptions): Promise<SampleEntry[]> {
  const family = familyOf(rel);
  const seq = path.join(framesDir, rel);
  const [lefts, rights] = await Promise.all([imagesByStem(path.join(seq, 'left')), imagesByStem(path.join(seq, 'right'))]);
  const dispLeft = dispDir === undefined ? undefined : path.join(dispDir, rel, 'left');
  const pfms = new Set(dispLeft === undefined ? [] : (await listDir(dispLeft)).files.filter((f) => f.toLowerCase().endsWith('.pfm')).map(stem));
  const focal = family === 'driving' && rel.startsWith('15mm') ? 450 : 1050;
  const entries: SampleEntry[] = [];
  for (const [key, leftFile] of lefts) {
    const rightFile = rights.get(key);
    if (rightFile === undefined) continue;
    const gt = dispLeft !== undefined && pfms.has(key) ? path.join(dispLeft, `${key}.pfm`) : undefined;
    entries.push({
      name: `${family}/${rel === '' ? '' : `${rel}/`}${key}`,
      left: path.join(seq, 'left', leftFile),
      right: path.join(seq, 'right', rightFile),
      gt,
      meta: { dataset: 'sceneflow', family, pass: options.pass, calib: calibration(focal) },
      extras: gt === undefined ? undefined : async (): Promise<SampleExtras> => {
        const disparity = await readDisparity(gt, { format: 'pfm' });
        return { disparity, valid: validMask(disparity) };
      },
    });
  }
  return entries;
}

async function indexSceneFlow(root: string, options: ReaderOptions): Promise<SampleEntry[]> {
  const out: SampleEntry[] = [];
  for (const framesDir of await findFramesDirs(root, options.pass)) {
    const dispDir = await disparityDirFor(framesDir, options.pass);
    for (const rel of await findSequences(framesDir)) {
      if (!includeFamily(familyOf(rel), rel, options.part)) continue;
      out.push(...(await indexSequence(framesDir, dispDir, rel, options)));
    }
  }
  return out;
}

export const sceneFlowReader: DatasetReader = {
  layout: 'frames_cleanpass|frames_finalpass/<sequence>/left|right/*.png with disparity/<sequence>/left/*.pfm',
  rootIsDirectory: true,
  index: indexSceneFlow,
};
