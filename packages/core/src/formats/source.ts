/**
 * Shared plumbing of the format readers: reading a file into bytes with typed errors, and turning
 * a third-party library error into a one-line problem description (never its stack).
 */
import { promises as fsp } from 'node:fs';
import { FileFormatError, FileNotFoundError } from '../errors.js';
import { assertString } from '../is.js';

/** Name used in messages when bytes come without a file name. */
export const BUFFER_NAME = '<buffer>';

const MAX_PROBLEM = 200;

/**
 * Reads a whole file, mapping fs failures to typed errors that name the file.
 * @throws FileNotFoundError when the path does not exist.
 * @throws FileFormatError when the path is a folder, unreadable, or empty.
 */
export async function readSource(path: string, what = 'file'): Promise<Uint8Array> {
  assertString('path', path);
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileNotFoundError(path, what);
    if (code === 'EISDIR') throw new FileFormatError(path, 'is a directory, not a file');
    throw new FileFormatError(path, `cannot be read (${code ?? libraryProblem(err)})`);
  }
  if (bytes.length === 0) throw new FileFormatError(path, `empty ${what} (0 bytes)`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** A library error's message on one line, without any stack, for use inside our own message. */
export function libraryProblem(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const lines = raw.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('at '));
  const text = lines.join(' ').replace(/:$/, '') || 'unknown error';
  return text.length > MAX_PROBLEM ? `${text.slice(0, MAX_PROBLEM)}…` : text;
}

/** True when `bytes` starts with the ASCII text `magic`. */
export function startsWithAscii(bytes: Uint8Array, magic: string): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic.charCodeAt(i)) return false;
  return true;
}

/** Lower-case file extension including the dot (`'.png'`), or `''` when there is none. */
export function extensionOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? path.slice(dot).toLowerCase() : '';
}
