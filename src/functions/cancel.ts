/**
 * A cell's cancellation. Excel calls `onCanceled` when a cell is edited, deleted or recalculated
 * with new arguments; a spilled formula can wait on thousands of fetches at once, so this is a
 * plain handler set rather than an AbortSignal (Node warns past 10 abort listeners per signal, and
 * an AbortController per cell is measurable garbage in a 10,000-cell wave).
 */
export class Cancellation {
  private handlers: Set<() => void> | null = new Set();

  get cancelled(): boolean {
    return this.handlers === null;
  }

  /** Run every handler once; later handlers run at once. */
  cancel(): void {
    const handlers = this.handlers;
    if (!handlers) return;
    this.handlers = null;
    for (const h of handlers) h();
  }

  /** Call `handler` on cancel; returns the function that unregisters it. */
  onCancel(handler: () => void): () => void {
    if (!this.handlers) {
      handler();
      return () => undefined;
    }
    const handlers = this.handlers;
    handlers.add(handler);
    return () => handlers.delete(handler);
  }
}
