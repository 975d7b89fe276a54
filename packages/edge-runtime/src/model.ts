/**
 * Finding the model bytes: a path, bytes the caller already has, or one of the models bundled with
 * the package in `models/` (found relative to this module so it works from `src/` and from the
 * published `dist/`), chosen by frame size from `BUNDLED_MODELS`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileFormatError, FileNotFoundError, is } from '@stereo-sdk/common';
import { BUNDLED_MODELS } from './defaults.js';
import type { BundledModel } from './types.js';

/** Absolute path of the folder holding the bundled models. */
export const BUNDLED_MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

/** The general default of the table (checked to be exactly one). */
const GENERAL = BUNDLED_MODELS.find((m) => !m.bestFor)!;

/** Absolute path of the default model the runtime loads when neither a model nor a frame size is given (`models/student.onnx`). */
export const DEFAULT_MODEL_PATH = join(BUNDLED_MODELS_DIR, GENERAL.file);

/** How far a frame is from a model's intended size: the larger relative deviation of its two sides. */
function deviation(b: NonNullable<BundledModel['bestFor']>, width: number, height: number): number {
  return Math.max(Math.abs(width / b.width - 1), Math.abs(height / b.height - 1));
}

/**
 * The bundled model for frames of `width`×`height`: among the models whose `bestFor` size is within
 * its tolerance in both dimensions and whose file exists, the closest one; otherwise (or with no
 * size) the general default, `student.onnx`. So `student-kitti30.onnx` serves frames within ±25 % of
 * 1242×375 once a build ships it, and a build without it keeps using `student.onnx`. Sizes are those
 * of the input frames, before any `downscale`.
 * @param width - frame width in pixels, an integer in [1, 2^20]; give both sides or neither.
 * @param height - frame height in pixels, an integer in [1, 2^20].
 * @param modelsDir - folder to look in; default the package's `models/` ({@link BUNDLED_MODELS_DIR}).
 * @returns the absolute path of the model file, `<modelsDir>/<name>.onnx`. The general default's path
 *   is returned even when its file is missing, so that loading it reports what is missing.
 * @throws InvalidParameterError when only one side is given or a side is not an integer in range.
 * @example
 * defaultModelFor(1242, 375) // '.../models/student-kitti30.onnx' when shipped, else '.../models/student.onnx'
 * defaultModelFor(640, 480)  // '.../models/student.onnx'
 * const matcher = await createStereoMatcher(defaultModelFor(1242, 375));
 */
export function defaultModelFor(width?: number, height?: number, modelsDir: string = BUNDLED_MODELS_DIR): string {
  is.assertString('modelsDir', modelsDir);
  const general = join(modelsDir, GENERAL.file);
  if (width === undefined && height === undefined) return general;
  is.assertInteger('width', width, 1, 1 << 20);
  is.assertInteger('height', height, 1, 1 << 20);
  let best = general;
  let bestDeviation = Infinity;
  for (const m of BUNDLED_MODELS) {
    if (!m.bestFor) continue;
    const d = deviation(m.bestFor, width, height);
    const path = join(modelsDir, m.file);
    if (d <= m.bestFor.tolerance && d < bestDeviation && existsSync(path)) {
      best = path;
      bestDeviation = d;
    }
  }
  return best;
}

/** A model's bytes, a label for messages, and its path when it came from a file. */
export interface ModelSource {
  bytes: Uint8Array;
  source: string;
  path?: string;
}

async function readModelFile(path: string, missing: () => Error): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw missing();
    throw new FileFormatError(path, `cannot read model (${code ?? (err as Error).message})`, { cause: err });
  }
}

/**
 * Reads the model to load.
 * @param model - path to an `.onnx` file, its bytes, or undefined for a bundled model.
 * @param bundled - with no `model`, the bundled model's path; default {@link DEFAULT_MODEL_PATH}.
 * @throws FileNotFoundError when the file (or the bundled model) does not exist; for a bundled model the message says how to pass one.
 * @throws InvalidParameterError when `model` is neither a string nor a Uint8Array.
 */
export async function loadModelSource(model: string | Uint8Array | undefined, bundled: string = DEFAULT_MODEL_PATH): Promise<ModelSource> {
  if (model === undefined) {
    const bytes = await readModelFile(
      bundled,
      () =>
        new FileNotFoundError(
          bundled,
          'bundled default model',
          `This build of @stereo-sdk/edge-runtime does not ship models/${basename(bundled)} yet (it is trained with \`stereo-sdk train-student\`). ` +
            "Pass a model instead: createStereoMatcher('path/to/model.onnx') or createStereoMatcher(onnxBytes)",
        ),
    );
    return { bytes, source: bundled, path: bundled };
  }
  if (typeof model === 'string') {
    if (model.length === 0) throw is.invalidParameterError('model', 'a path to an .onnx file or its bytes', model);
    const bytes = await readModelFile(model, () => new FileNotFoundError(model, 'model'));
    return { bytes, source: model, path: model };
  }
  if (model instanceof Uint8Array) return { bytes: model, source: '<model buffer>' };
  throw is.invalidParameterError('model', 'a path to an .onnx file or its bytes (Uint8Array)', model);
}
