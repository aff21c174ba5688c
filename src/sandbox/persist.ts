/**
 * `--data FILE`: the store as one JSON snapshot, written atomically (temp file + rename) shortly
 * after writes and on close, and read back at start instead of seeding a new portfolio.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Store, type Snapshot } from './store';

const WRITE_DELAY_MS = 200;

export class Persistence {
  private store: Store | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly file: string) {}

  load(): Store | null {
    if (!existsSync(this.file)) return null;
    let snap: Snapshot;
    try {
      snap = JSON.parse(readFileSync(this.file, 'utf8')) as Snapshot;
    } catch (e) {
      throw new Error(`Cannot read sandbox data file ${this.file}: ${(e as Error).message}. Move it away to start fresh.`);
    }
    if (snap.format !== 1) throw new Error(`Sandbox data file ${this.file} has an unknown format; move it away to start fresh.`);
    return Store.fromSnapshot(snap);
  }

  attach(store: Store): void {
    this.store = store;
    store.onWrite = () => this.schedule();
    this.flush();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), WRITE_DELAY_MS);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.store) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.store.snapshot()));
    renameSync(tmp, this.file);
  }
}
