/**
 * Typed errors shared by every stereo-sdk package, the edge runtime included.
 *
 * Each error carries a stable `code` so callers (and the CLI) can branch on the kind of failure
 * without parsing messages, and messages always name the offending file or parameter. Packages add
 * their own subclasses of {@link StereoSdkError} (e.g. core's `DatasetError`, the runtime's
 * `ModelContractError`), so `err instanceof StereoSdkError` holds whichever package threw.
 */

/**
 * Base class of every error stereo-sdk throws on purpose.
 * @param code - stable machine-readable code, `ERR_` followed by upper-case words.
 * @param message - human-readable message naming the file or parameter at fault.
 * @param options - `cause`: the lower-level error this one wraps, if any.
 * @example
 * if (err instanceof StereoSdkError && err.code === 'ERR_FILE_NOT_FOUND') console.error(err.message);
 */
export class StereoSdkError extends Error {
  /** Stable machine-readable code, e.g. `ERR_FILE_FORMAT`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A public API received an argument outside its documented domain (`ERR_INVALID_PARAMETER`).
 * Usually built by `is.invalidParameterError(name, expected, actual)` so every message reads the same.
 * @param message - the full message.
 * @example
 * throw new InvalidParameterError('Expected a positive integer for width but received number -3');
 */
export class InvalidParameterError extends StereoSdkError {
  constructor(message: string) {
    super('ERR_INVALID_PARAMETER', message);
  }
}

/**
 * A file (or buffer) is empty, unreadable, truncated or not in the format its name or caller
 * implies (`ERR_FILE_FORMAT`). The message is `<file>: <problem>`.
 * @param file - the offending file's path, or a label such as `<left buffer>`.
 * @param problem - what is wrong with it, e.g. `truncated PFM: expected 4096 bytes of data, got 100`.
 * @param options - `cause`: the decoder's own error, kept for debugging.
 * @example
 * throw new FileFormatError('left.pfm', "bad magic 'P7', expected 'PF' or 'Pf'");
 */
export class FileFormatError extends StereoSdkError {
  /** The offending file's path, or a label such as `<left buffer>`. */
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super('ERR_FILE_FORMAT', `${file}: ${problem}`, options);
    this.file = file;
  }
}

/**
 * A file that should exist does not (`ERR_FILE_NOT_FOUND`). The message is
 * `<file>: <what> not found`, followed by `. <hint>` when a hint is given.
 * @param file - the missing path.
 * @param what - what the file was meant to be; default `'file'`.
 * @param hint - how to fix it (e.g. which package or command provides the file); default none.
 * @example
 * throw new FileNotFoundError('models/student.onnx', 'model', 'Pass modelPath or reinstall the package.');
 */
export class FileNotFoundError extends StereoSdkError {
  /** The missing path. */
  readonly file: string;
  constructor(file: string, what = 'file', hint?: string) {
    super('ERR_FILE_NOT_FOUND', `${file}: ${what} not found${hint ? `. ${hint}` : ''}`);
    this.file = file;
  }
}

/**
 * Two inputs that must agree (left/right sizes, prediction/ground-truth sizes, a result and its
 * consumer) do not (`ERR_SHAPE_MISMATCH`).
 * @param message - the full message, naming both shapes.
 * @example
 * throw new ShapeMismatchError('left is 640x480 but right is 640x360');
 */
export class ShapeMismatchError extends StereoSdkError {
  constructor(message: string) {
    super('ERR_SHAPE_MISMATCH', message);
  }
}
