/**
 * One push per file at a time: `<file>.crego-lock` beside the journal, created exclusively (`wx`)
 * with the holder's process id, host and start time. A second push finds it and says who holds it;
 * a lock whose process is gone (killed, machine restarted) is taken over, with a message. Only the
 * holder writes and removes the journal, so two pushes can no longer both read one live journal as
 * an interrupted push and send everything twice.
 */
import { hostname } from 'node:os';
import { open, readFile, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { FileError } from './file-io';

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
}

export function lockPath(file: string): string {
  return `${file}.crego-lock`;
}

/** True when process `pid` runs on this machine (EPERM: it runs, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holderOf(path: string): Promise<Holder | null> {
  try {
    const h = JSON.parse(await readFile(path, 'utf8')) as Holder;
    return Number.isInteger(h.pid) ? h : null;
  } catch {
    return null; // unreadable or cut short by a crash while it was written: nobody can hold it
  }
}

export class PushLock {
  private constructor(readonly path: string) {}

  /**
   * Take the lock of `file`, or throw a FileError naming the push that holds it. `onTakeOver` hears
   * about a stale lock that was taken over.
   */
  static async acquire(file: string, onTakeOver: (message: string) => void): Promise<PushLock> {
    const path = lockPath(file);
    const me: Holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(JSON.stringify(me));
        await handle.close();
        return new PushLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await holderOf(path);
      if (holder && (holder.host !== me.host || alive(holder.pid))) {
        const where = holder.host === me.host ? '' : ` on ${holder.host}`;
        throw new FileError(
          `${basename(file)} is being pushed by another crego push (process ${holder.pid}${where}, started ${holder.startedAt}). ` +
            `Wait for it to finish, then push again. If no push is running, delete ${path}.`,
        );
      }
      await rm(path, { force: true });
      onTakeOver(
        holder
          ? `Took over the lock of ${basename(file)} left by process ${holder.pid} (started ${holder.startedAt}), which is no longer running.`
          : `Took over an unreadable lock of ${basename(file)} (${path}).`,
      );
    }
    throw new FileError(`${basename(file)}: another push took the lock at the same moment; push again`);
  }

  async release(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
