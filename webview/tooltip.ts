// The hover card over timeline segments. Built lazily from plain text lines (textContent only).
import { el } from './dom';

export class Tooltip {
  private readonly node = el('div', 'tooltip');

  constructor(parent: HTMLElement) {
    this.node.id = 'tooltip';
    this.node.setAttribute('role', 'tooltip');
    this.node.hidden = true;
    parent.appendChild(this.node);
  }

  show(lines: string[], x: number, y: number): void {
    if (lines.length === 0) return this.hide();
    this.node.replaceChildren(...lines.map((line, i) => el('div', i === 0 ? 'tooltip-title' : 'tooltip-line', line)));
    this.node.hidden = false;
    const margin = 12;
    const { innerWidth, innerHeight } = window;
    const rect = this.node.getBoundingClientRect();
    const left = x + margin + rect.width > innerWidth ? Math.max(0, x - margin - rect.width) : x + margin;
    const top = y + margin + rect.height > innerHeight ? Math.max(0, y - margin - rect.height) : y + margin;
    this.node.style.left = `${left}px`;
    this.node.style.top = `${top}px`;
  }

  hide(): void {
    this.node.hidden = true;
  }
}
