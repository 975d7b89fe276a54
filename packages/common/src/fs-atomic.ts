/**
 * Atomic file writes: write to a temp file in the same directory, fsync, then rename over the target.
 * A reader (or a resumed job) never sees a half-written output, even if the process is killed or
 * the robot loses power mid-write.
 */
import { promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Writes `data` to `path` atomically, creating parent folders as needed.
 * @param path - destination file.
 * @param data - bytes or text to write.
 * @throws the underlying fs error if the folder cannot be created or written; the temp file is removed.
 * @example
 * await writeFileAtomic('out/disp.pfm', bytes);
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await fsp.mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    const fh = await fsp.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}
