/**
 * Atomic file writes: temp file in the same folder, fsync, rename over the target. A reader never
 * sees a half-written point cloud, even if the robot loses power mid-write. (Core has the same
 * helper; the runtime cannot depend on core.)
 */
import { promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` atomically, creating parent folders as needed.
 * @param path - destination file.
 * @param data - bytes or text to write.
 * @throws the underlying fs error if the folder cannot be created or written; the temp file is removed.
 * @example
 * await writeFileAtomic('out/cloud.ply', bytes);
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await fsp.mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
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
