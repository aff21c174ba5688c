/**
 * DOM helpers that only ever set text: every string that may come from a server goes through
 * `textContent`, never `innerHTML`, so a borrower name or an error message cannot inject markup.
 */

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/** Create an element; attributes set with setAttribute, children appended as nodes or text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

/** The element with this id (typed), or an exception naming it: a missing id is a page bug. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`The task pane page has no #${id}`);
  return node as T;
}

/** Replace an element's children. */
export function setChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

export type Tone = 'info' | 'success' | 'warning' | 'error';

/** Show a message in a status line (role=status/alert lives in the HTML). */
export function say(target: HTMLElement, text: string, tone: Tone = 'info'): void {
  target.textContent = text;
  target.dataset.tone = tone;
  target.hidden = text === '';
}

/** Disable a button while async work runs, so a second click cannot start it twice. */
export async function busy<T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** A message safe to show for any thrown value (never a stack). */
export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === 'string') return error;
  return 'Something went wrong';
}
