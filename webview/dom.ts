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

/** Appends children (nodes or plain text) and returns the parent. */
export function append(parent: Node, ...children: (Node | string | undefined | null | false)[]): Node {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return parent;
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** A codicon glyph (the codicon font is bundled into webview.css). Decorative: hidden from screen readers. */
export function icon(name: string): HTMLElement {
  const span = el('span', `codicon codicon-${name}`);
  span.setAttribute('aria-hidden', 'true');
  return span;
}
