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
