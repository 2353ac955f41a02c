// Tiny DOM helpers. Program text (task names, output, messages, paths) only ever goes through
// textContent / title here, never innerHTML.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, className?: string, text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A codicon glyph (the codicon font is bundled into webview.css). Decorative: hidden from screen readers. */
export function icon(name: string): HTMLElement {
  const span = el('span', `codicon codicon-${name}`);
  span.setAttribute('aria-hidden', 'true');
  return span;
}

/**
 * Makes `nodes` the children of `parent`, leaving in place those already there in that order: a
 * node taken out and put back is styled and laid out anew, so a list that changed in a few rows
 * costs those rows only.
 */
export function setChildren(parent: Node, nodes: readonly Node[]): void {
  let next = parent.firstChild;
  for (const node of nodes) {
    if (node === next) next = next.nextSibling;
    else parent.insertBefore(node, next);
  }
  while (next) {
    const after = next.nextSibling;
    parent.removeChild(next);
    next = after;
  }
}
