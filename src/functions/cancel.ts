/**
 * A cell's cancellation. Excel calls `onCanceled` when a cell is edited, deleted or recalculated
 * with new arguments; a spilled formula can wait on thousands of fetches at once, so this is a
 * plain target list rather than an AbortSignal (Node warns past 10 abort listeners per signal, and
 * an AbortController per cell is measurable garbage in a 10,000-cell wave).
 *
 * Targets are objects, not closures, and almost every cell has exactly one (its batcher waiter),
 * so that one is held in a field: a cell of a recalculation wave allocates no set and no handler.
 */
export interface CancelTarget {
  /** The cell was cancelled: stop waiting. Called at most once. */
  onCancel(): void;
}

export class Cancellation {
  private done = false;
  private first: CancelTarget | null = null;
  private more: Set<CancelTarget> | null = null;

  get cancelled(): boolean {
    return this.done;
  }

  /** Notify every target once; targets added later are notified at once. */
  cancel(): void {
    if (this.done) return;
    this.done = true;
    const first = this.first;
    const more = this.more;
    this.first = null;
    this.more = null;
    first?.onCancel();
    if (more) for (const t of more) t.onCancel();
  }

  add(target: CancelTarget): void {
    if (this.done) target.onCancel();
    else if (this.first === null) this.first = target;
    else (this.more ??= new Set()).add(target);
  }

  remove(target: CancelTarget): void {
    if (this.first === target) this.first = null;
    else this.more?.delete(target);
  }
}
