// The header (scenario, Python, clock, outcome, loop, "tick N of M", loop time) and the toolbar
// (run control commands for the host, the axis switch, zoom/fit).
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import type { VscodeToolbarButton } from '@vscode-elements/elements/dist/vscode-toolbar-button/vscode-toolbar-button.js';
import { el, icon } from './dom';
import type { Axis, HeaderInfo, PanelCommand } from '../src/protocol/panel';

export interface HeaderActions {
  command(command: PanelCommand): void;
  axis(axis: Axis): void;
  zoom(factor: number): void;
  fit(): void;
  reveal(line: number, file?: string): void;
}

interface ButtonSpec {
  command?: PanelCommand;
  icon: string;
  label: string;
  text?: string;
  action?: () => void;
}

export class Header {
  readonly element = el('header', 'header');
  private readonly scenario = el('span', 'scenario');
  private readonly python = el('span', 'chip');
  private readonly clock = el('span', 'chip');
  private readonly outcome = el('span', 'chip outcome');
  private readonly message = el('span', 'status-message');
  private readonly error = el('button', 'error-link');
  private readonly loop = el('span', 'loop-label');
  private readonly tick = el('span', 'tick-label');
  private readonly time = el('span', 'loop-time');
  private readonly warning = el('span', 'tracer-warning');
  private readonly buttons = new Map<string, VscodeToolbarButton>();
  private readonly axisButtons = new Map<Axis, VscodeToolbarButton>();
  private errorTarget?: { line?: number; file?: string };

  constructor(parent: HTMLElement, private readonly actions: HeaderActions) {
    this.element.id = 'header';
    this.python.id = 'python-version';
    this.clock.id = 'clock';
    this.outcome.id = 'outcome';
    this.tick.id = 'tick-label';
    this.loop.id = 'loop-label';
    this.time.id = 'loop-time';
    this.tick.setAttribute('aria-live', 'polite');
    this.error.type = 'button';
    this.error.hidden = true;
    this.error.addEventListener('click', () => {
      if (this.errorTarget?.line) actions.reveal(this.errorTarget.line, this.errorTarget.file);
    });
    this.warning.hidden = true;

    const title = el('div', 'header-row title-row');
    title.append(this.scenario, this.python, this.clock, this.outcome, this.error, this.message, this.warning);
    const position = el('div', 'header-row position-row');
    position.append(this.tick, this.loop, this.time);
    this.element.append(title, position, this.toolbar());
    parent.appendChild(this.element);
  }

  private toolbar(): HTMLElement {
    const bar = el('div', 'toolbar');
    bar.id = 'toolbar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Run control and view');
    const run: ButtonSpec[] = [
      { command: 'stepBack', icon: 'debug-step-back', label: 'Step back one tick', text: 'Back' },
      { command: 'stepForward', icon: 'debug-step-over', label: 'Step forward one tick', text: 'Step' },
      { command: 'continue', icon: 'debug-continue', label: 'Continue', text: 'Continue' },
      { command: 'pause', icon: 'debug-pause', label: 'Pause', text: 'Pause' },
      { command: 'restart', icon: 'debug-restart', label: 'Restart the run', text: 'Restart' },
      { command: 'stop', icon: 'debug-stop', label: 'Stop the program', text: 'Stop' },
      { command: 'goToTick', icon: 'go-to-file', label: 'Go to tick…', text: 'Go to tick' },
    ];
    const view: ButtonSpec[] = [
      { icon: 'zoom-out', label: 'Zoom out (-)', action: () => this.actions.zoom(2) },
      { icon: 'zoom-in', label: 'Zoom in (+)', action: () => this.actions.zoom(0.5) },
      { icon: 'screen-full', label: 'Fit the whole run (F)', action: () => this.actions.fit() },
    ];
    const group = (specs: ButtonSpec[], name: string) => {
      const box = el('div', `toolbar-group toolbar-${name}`);
      for (const spec of specs) box.appendChild(this.button(spec));
      return box;
    };
    const axis = el('div', 'toolbar-group axis-switch');
    axis.id = 'axis-switch';
    axis.setAttribute('role', 'group');
    axis.setAttribute('aria-label', 'Horizontal axis');
    for (const [value, text, glyph] of [['tick', 'By tick', 'list-ordered'], ['time', 'By time', 'watch']] as const) {
      const button = this.button({ icon: glyph, label: `Axis: ${text.toLowerCase()}`, text, action: () => this.actions.axis(value) });
      button.dataset.axis = value;
      button.toggleable = true;
      this.axisButtons.set(value, button);
      axis.appendChild(button);
    }
    bar.append(group(run, 'run'), axis, group(view, 'view'));
    return bar;
  }

  private button(spec: ButtonSpec): VscodeToolbarButton {
    const button = document.createElement('vscode-toolbar-button');
    button.label = spec.label;
    button.title = spec.label;
    button.appendChild(icon(spec.icon));
    if (spec.text) button.appendChild(el('span', 'button-text', spec.text));
    if (spec.command) {
      button.dataset.command = spec.command;
      this.buttons.set(spec.command, button);
      button.addEventListener('click', () => {
        if (!button.hasAttribute('disabled')) this.actions.command(spec.command!);
      });
    } else if (spec.action) button.addEventListener('click', spec.action);
    return button;
  }

  setAxis(axis: Axis): void {
    for (const [value, button] of this.axisButtons) {
      const on = value === axis;
      button.checked = on;
    }
  }

  update(info: HeaderInfo): void {
    this.scenario.textContent = info.scenario || 'Loopscope';
    this.scenario.title = info.scenarioPath ?? '';
    show(this.python, info.python ? `Python ${info.python.replace(/^Python\s+/i, '')}` : '');
    show(this.clock, info.clock ? [`${info.clock} clock`, info.replay ? 'replay' : info.mode].filter(Boolean).join(' · ') : '');
    show(this.outcome, info.outcome ?? '');
    this.outcome.className = `chip outcome outcome-${(info.outcome ?? '').replace(/[^a-z-]/g, '')}`;
    show(this.message, info.message ?? '');
    this.error.hidden = !info.error;
    this.error.textContent = info.error?.text ?? '';
    this.error.title = info.error?.line ? 'Show where it was raised' : '';
    this.errorTarget = info.error;
    show(this.warning, info.warning ?? '');

    if (info.tick) {
      const { n, of, global, total } = info.tick;
      this.tick.textContent = `Tick ${n} of ${of}`;
      this.tick.title = total !== of ? `global tick ${global + 1} of ${total} across all loops` : '';
    } else this.tick.textContent = 'No ticks yet';
    show(this.loop, info.loop ?? '');
    show(this.time, info.loopTime ?? '');

    const enable = (command: PanelCommand, on: boolean) => {
      const button = this.buttons.get(command);
      button?.toggleAttribute('disabled', !on);
      button?.setAttribute('aria-disabled', String(!on));
    };
    enable('stepBack', !info.atStart);
    enable('stepForward', info.running || !info.atEnd);
    enable('continue', info.running ? info.paused : !info.atEnd);
    enable('pause', info.running && !info.paused);
    enable('stop', info.running);
  }
}

function show(node: HTMLElement, text: string): void {
  node.textContent = text;
  node.hidden = !text;
}
