/**
 * Finding the model bytes: a path, bytes the caller already has, or the default model bundled with
 * the package (`models/student.onnx`, found relative to this module so it works from `src/` and
 * from the published `dist/`).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FileFormatError, FileNotFoundError, is } from '@stereo-sdk/common';

/** Absolute path of the default model the runtime loads when none is given. */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../models/student.onnx', import.meta.url));

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
 * @param model - path to an `.onnx` file, its bytes, or undefined for the bundled default.
 * @throws FileNotFoundError when the file (or the bundled default) does not exist; for the default the message says how to pass a model.
 * @throws InvalidParameterError when `model` is neither a string nor a Uint8Array.
 */
export async function loadModelSource(model: string | Uint8Array | undefined): Promise<ModelSource> {
  if (model === undefined) {
    const bytes = await readModelFile(
      DEFAULT_MODEL_PATH,
      () =>
        new FileNotFoundError(
          DEFAULT_MODEL_PATH,
          'bundled default model',
          'This build of @stereo-sdk/edge-runtime does not ship models/student.onnx yet (it is trained with `stereo-sdk train-student`). ' +
            "Pass a model instead: createStereoMatcher('path/to/model.onnx') or createStereoMatcher(onnxBytes)",
        ),
    );
    return { bytes, source: DEFAULT_MODEL_PATH, path: DEFAULT_MODEL_PATH };
  }
  if (typeof model === 'string') {
    if (model.length === 0) throw is.invalidParameterError('model', 'a path to an .onnx file or its bytes', model);
    const bytes = await readModelFile(model, () => new FileNotFoundError(model, 'model'));
    return { bytes, source: model, path: model };
  }
  if (model instanceof Uint8Array) return { bytes: model, source: '<model buffer>' };
  throw is.invalidParameterError('model', 'a path to an .onnx file or its bytes (Uint8Array)', model);
}
