/**
 * The few file-system steps that crash safety rests on, each with the fsync that makes it
 * durable: a file is only trusted once its bytes are synced, and a create, rename or unlink
 * only once its directory is.
 */
import * as fs from 'node:fs';

/** Makes the directory's entries (creates, renames, unlinks) durable. */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    rethrowUnlessUnsyncable(error);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** {@link fsyncDirectory} off the main thread. */
export async function fsyncDirectoryAsync(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    rethrowUnlessUnsyncable(error);
  } finally {
    await handle?.close();
  }
}

/**
 * Some platforms and file systems cannot open or sync a directory; there is nothing more to do
 * there, and the rename itself is still atomic.
 */
function rethrowUnlessUnsyncable(error: unknown): void {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EACCES' && code !== 'ENOTSUP')
    throw error;
}

/** The file's bytes, or `undefined` when it does not exist. */
export function readIfExists(path: string): Uint8Array | undefined {
  try {
    return fs.readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Whether a file exists at `path`. */
export function exists(path: string): boolean {
  try {
    fs.lstatSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Unlinks `path`; true when there was a file to remove. */
export function removeIfExists(path: string): boolean {
  try {
    fs.unlinkSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Writes `bytes` to a file at `path` (replacing any) and fsyncs it, off the main thread, `step`
 * bytes at a time: the disk then never has more than `step` bytes of this file waiting to be
 * written, so a small fsync elsewhere (the log's, acknowledging a write) does not queue behind
 * the whole file. `mode`, when given, is applied whatever the umask (to keep a replaced file's
 * permissions).
 */
export async function writeFileSynced(
  path: string,
  bytes: Uint8Array,
  mode: number | undefined,
  step: number,
): Promise<void> {
  const handle = await fs.promises.open(path, 'w');
  try {
    if (mode !== undefined) await handle.chmod(mode);
    for (let at = 0; at < bytes.length; ) {
      const end = Math.min(bytes.length, at + step);
      while (at < end) at += (await handle.write(bytes, at, end - at, at)).bytesWritten;
      await handle.datasync();
    }
    if (bytes.length === 0) await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Writes all of `bytes` at `position` (a single `writeSync` may write less). */
export function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) {
    done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
  }
}
