/**
 * Fixtures of the distillation tests: tiny teachers exported to ONNX in several forms (with logits,
 * disparity only, without a disparity output, with a feature output), a tiny exported student, a
 * labeled synthetic tree and an unlabeled folder of pairs written as PNGs.
 */
import path from 'node:path';
import { writeImage, writeOnnx } from '@stereo-sdk/core';
import { buildStudent, buildTeacher, exportStereoModel, generateSyntheticPair, NET_METADATA_KEY, toInferenceModel, writeSyntheticDataset } from '@stereo-sdk/stereo';

/** The tiny networks' config: quarter width, 16 disparities (4 bins of 4 px). */
export const TINY_NET = { widthMultiplier: 0.25, maxDisparity: 16 };
/** Crop of every run: a multiple of the teacher's stride 32. */
export const CROP = { height: 32, width: 64 };

export interface DistillFixtures {
  /** Teacher with `disparity`, `logits` and `confidence`. */
  readonly teacher: string;
  /** The same teacher exported without logits and confidence. */
  readonly dispOnly: string;
  /** A teacher file whose graph lost its disparity output. */
  readonly noDisparity: string;
  /** The teacher with its 1/4 context features as an extra output. */
  readonly withFeatures: string;
  /** A tiny exported student. */
  readonly student: string;
  /** `synthetic:` tree of 3 labeled 64×32 scenes. */
  readonly synthetic: string;
  /** Folder of 3 unlabeled 64×32 pairs (`<key>_left.png`, `<key>_right.png`). */
  readonly pairs: string;
}

export async function writeDistillFixtures(dir: string): Promise<DistillFixtures> {
  const teacherNet = buildTeacher({ ...CROP, seed: 5, config: TINY_NET });
  const teacher = path.join(dir, 'teacher.onnx');
  await exportStereoModel(teacher, teacherNet.graph);
  const dispOnly = path.join(dir, 'teacher-disp.onnx');
  await exportStereoModel(dispOnly, teacherNet.graph, { logits: false, confidence: false });
  const stripped = toInferenceModel(teacherNet.graph);
  stripped.setOutputs(['logits']);
  stripped.removeDeadCode();
  const noDisparity = path.join(dir, 'teacher-no-disp.onnx');
  await writeOnnx(noDisparity, stripped);
  const featured = toInferenceModel(teacherNet.graph);
  featured.addOutput('/feature/context/Relu_output_0');
  const withFeatures = path.join(dir, 'teacher-features.onnx');
  await writeOnnx(withFeatures, featured);
  const student = path.join(dir, 'student.onnx');
  await exportStereoModel(student, buildStudent({ ...CROP, seed: 2, config: TINY_NET }).graph);
  const synthetic = path.join(dir, 'synth');
  await writeSyntheticDataset(synthetic, { count: 3, width: 64, height: 32, maxDisparity: 12, seed: 4 });
  const pairs = path.join(dir, 'pairs');
  for (let i = 0; i < 3; i++) {
    const p = generateSyntheticPair({ width: 64, height: 32, maxDisparity: 12 }, 40 + i);
    await writeImage(path.join(pairs, `cam${i}_left.png`), p.left);
    await writeImage(path.join(pairs, `cam${i}_right.png`), p.right);
  }
  return { teacher, dispOnly, noDisparity, withFeatures, student, synthetic: `synthetic:${synthetic}`, pairs: `pairs:${pairs}` };
}

/**
 * A student inference graph of widths its own metadata does not describe (as after pruning): built
 * at quarter width, its `stereo_sdk.net` record then claims full width.
 */
export function prunedLikeStudent() {
  const g = toInferenceModel(buildStudent({ ...CROP, seed: 11, config: TINY_NET }).graph);
  const meta = JSON.parse(g.metadata.get(NET_METADATA_KEY)!);
  meta.config.widthMultiplier = 1;
  g.metadata.set(NET_METADATA_KEY, JSON.stringify(meta));
  return g;
}
