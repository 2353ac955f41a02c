// What the commands do: run a scenario or open a trace into a Visualization, show it in the panel,
// the editor and the status bar, step its cursor, and report how the run ended.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { errorText, seconds } from '../core/describe';
import { Session, type SessionResult } from '../node/session';
import { TraceIndex } from '../node/traceIndex';
import type { ClockMode } from '../protocol/events';
import type { PanelCommand, RunMode, WebviewMessage } from '../protocol/panel';
import { type DrawnDecorations, updateDecorations } from './decorations';
import { connectInput, inputWords, planInput } from './input';
import { resolveInterpreter } from './interpreter';
import { LoopPanel } from './panel';
import { type OpenedTrace, Visualization } from './visualization';
import { markLearned } from './walkthrough';


export class Controller implements vscode.Disposable {
  current?: Visualization;
  private panel?: LoopPanel;
  private readonly statusBar = vscode.window.createStatusBarItem('loopscope.tick', vscode.StatusBarAlignment.Left, 50);
  readonly output = vscode.window.createOutputChannel('Loopscope');
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('loopscope');
  private readonly disposables: vscode.Disposable[] = [];
  /** The decorations last drawn, by file path (read by the tests through the extension's API). */
  drawn = new Map<string, DrawnDecorations>();
  /** The last run's exception as notified, and where Show Line goes (read by the tests). */
  lastNotice?: { text: string; line?: number; file?: string };
  /** Visualize Loop is saving the file and finding Python; the run is not there yet. */
  private starting = false;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.statusBar.name = 'Loopscope tick';
    this.statusBar.command = 'loopscope.goToTick';
    this.statusBar.tooltip = 'Loopscope: every view shows the loop just after this tick ran. Click to go to a tick.';
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors(() => this.redraw()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('loopscope.decorations')) this.refresh();
      }),
    );
  }

  private settings() {
    return vscode.workspace.getConfiguration('loopscope');
  }

  async visualize(target?: vscode.Uri): Promise<Visualization | undefined> {
    const uri = target ?? vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('Loopscope: open a Python file saved on disk, then run Visualize Loop.');
      return undefined;
    }
    if (!vscode.workspace.isTrusted) {
      // Not awaited: the command returns at once, whatever the user does with the message.
      const manage = 'Manage Workspace Trust';
      void vscode.window.showWarningMessage(
        'Loopscope runs your Python program to visualize it, and this workspace is in Restricted Mode. '
        + 'Trust the workspace to run it (Open Trace... still works).', manage)
        .then((choice) => choice === manage && vscode.commands.executeCommand('workbench.trust.manage'));
      return undefined;
    }
    const settings = this.settings();
    const mode = settings.get<RunMode>('runMode', 'record');
    const clock = settings.get<ClockMode>('clock', 'virtual');
    const showInternal = settings.get<boolean>('showInternalTasks', false);
    // From the first frame on, every view is about the new run: the previous one goes now, not once
    // the file is saved and the interpreter found (that takes a Python start).
    this.starting = true;
    this.lastNotice = undefined;
    this.show(new Visualization({ scenario: uri.fsPath, python: '', clock, mode, replay: false, showInternal }, uri));
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (document?.isDirty) await document.save();

    let python;
    try {
      python = await resolveInterpreter(uri);
    } catch (error) {
      this.starting = false;
      this.refresh();
      const setPath = 'Set loopscope.python.path';
      void vscode.window.showErrorMessage(
        `Loopscope: ${(error as Error).message}. Install Python 3.8+ or point Loopscope at one.`, setPath)
        .then((choice) => choice === setPath
          && vscode.commands.executeCommand('workbench.action.openSettings', 'loopscope.python.path'));
      return undefined;
    }

    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const cwd = folder?.uri.fsPath ?? vscode.Uri.joinPath(uri, '..').fsPath;
    const input = await planInput(cwd);
    if (!input) {
      this.starting = false;
      this.refresh();
      return undefined;
    }
    const session = new Session({
      python: python.path,
      scenario: uri.fsPath,
      cwd,
      clock,
      input: input.mode === 'closed' ? 'closed' : 'pipe',
      pauseAtStart: mode === 'live',
      blockingMs: settings.get<number>('blockingThresholdMs', 100),
      limits: {
        ticks: settings.get<number>('limits.maxTicks'),
        virtualSeconds: settings.get<number>('limits.maxVirtualSeconds'),
        wallSeconds: settings.get<number>('limits.maxWallSeconds'),
        events: settings.get<number>('limits.maxEvents'),
      },
    });
    this.diagnostics.delete(uri);
    this.output.clear();
    this.output.appendLine(`▶ ${python.path} (Python ${python.version}) ${uri.fsPath} · ${inputWords(input)}`);
    session.onOutput(({ data }) => this.output.append(data.toString('utf8')));
    const visualization = new Visualization({
      scenario: uri.fsPath, python: `Python ${python.version}`, clock, mode, replay: false, showInternal,
    }, uri, session);
    this.starting = false;
    this.show(visualization);
    markLearned('visualize');
    session.start();
    connectInput(session, input, (text) => this.output.append(text));
    void session.done.then((result) => this.reportOutcome(visualization, result));
    return visualization;
  }

  async openTrace(target?: vscode.Uri): Promise<Visualization | undefined> {
    const uri = target ?? (await vscode.window.showOpenDialog({
      canSelectMany: false, openLabel: 'Open Trace', filters: { 'Loopscope traces': ['jsonl'], 'All files': ['*'] },
    }))?.[0];
    if (!uri) return undefined;
    // One pass reads the first window (the whole trace when it holds up to 1,000,000 events) and
    // indexes the rest, if any, to be read a window at a time.
    let index;
    try {
      index = await TraceIndex.build(uri.fsPath);
    } catch (error) {
      void vscode.window.showErrorMessage(`Loopscope: cannot read ${basename(uri.fsPath)}: ${(error as Error).message}`);
      return undefined;
    }
    if (index.fatal) {
      void vscode.window.showErrorMessage(`Loopscope: ${index.fatal}`);
      return undefined;
    }
    const malformed = index.stats?.malformed ?? 0;
    const window = index.firstWindow();
    const start = window.model.start;
    if (!start) {
      void vscode.window.showErrorMessage(`Loopscope: ${basename(uri.fsPath)} is not a Loopscope trace (no start event`
        + `${malformed ? `; ${malformed} malformed lines` : ''}).`);
      return undefined;
    }
    const whole = window.endTick === index.ticks && !window.partial;
    const opened: OpenedTrace = whole ? { model: window.model, file: uri.fsPath, events: index.events } : { index, window };
    const visualization = new Visualization({
      scenario: start.scenario, python: `Python ${start.python}`, clock: start.clock, mode: 'record', replay: true,
      showInternal: this.settings().get<boolean>('showInternalTasks', false),
    }, vscode.Uri.file(start.scenario), undefined, opened);
    this.show(visualization);
    const problems = [malformed ? `${malformed} malformed lines were skipped` : ''].filter(Boolean);
    if (problems.length) void vscode.window.showWarningMessage(`Loopscope: ${basename(uri.fsPath)}: ${problems.join('; ')}.`);
    return visualization;
  }

  async saveTrace(target?: vscode.Uri): Promise<void> {
    const visualization = this.current;
    if (!visualization) {
      void vscode.window.showInformationMessage('Loopscope: nothing to save yet. Run Visualize Loop first.');
      return;
    }
    const uri = target ?? await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(visualization.scenarioUri.fsPath.replace(/\.py$/, '') + '.loopscope.jsonl'),
      filters: { 'Loopscope traces': ['jsonl'] },
    });
    if (!uri) return;
    await visualization.save(uri.fsPath);
    void vscode.window.showInformationMessage(`Loopscope: saved ${visualization.eventCount} events to ${basename(uri.fsPath)}.`);
  }

  private show(visualization: Visualization): void {
    this.current?.dispose();
    this.current = visualization;
    if (!this.panel) {
      this.panel = new LoopPanel(this.context.extensionUri, (message) => this.onPanelMessage(message));
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.close();
      });
    } else {
      this.panel.reveal();
    }
    this.panel.show(visualization);
    visualization.onDidChange(() => this.refresh());
    void vscode.commands.executeCommand('setContext', 'loopscope.active', true);
    this.refresh();
  }

  /** The panel was closed: stop the program and clear everything it drew. */
  private close(): void {
    this.current?.dispose();
    this.current = undefined;
    void vscode.commands.executeCommand('setContext', 'loopscope.active', false);
    void vscode.commands.executeCommand('setContext', 'loopscope.running', false);
    this.statusBar.hide();
    this.redraw();
  }

  private redraw(): void {
    this.drawn = updateDecorations(this.current, vscode.window.visibleTextEditors);
  }

  get statusText(): string | undefined {
    return this.current ? this.statusBar.text : undefined;
  }

  refresh(): void {
    const visualization = this.current;
    if (!visualization) return;
    this.redraw();
    void vscode.commands.executeCommand('setContext', 'loopscope.running', visualization.running);
    const tick = visualization.model.ticks[visualization.cursor];
    if (tick && visualization.model.blocking.some((b) => b.tick === visualization.cursor)) markLearned('blocking');
    if (tick) {
      const loopTicks = visualization.window?.loopTicks(tick.loop) ?? visualization.model.loops.get(tick.loop)?.ticks.length ?? 0;
      // The moment every view shows (src/core/moment.ts).
      const loop = visualization.model.loops.size > 1 ? ` ${tick.loop}` : '';
      this.statusBar.text = `$(pulse) Loop${loop}: after tick ${tick.n}/${loopTicks} · t=${seconds(tick.t)}s`;
    } else {
      this.statusBar.text = visualization.running || this.starting ? '$(loading~spin) Loop starting…' : '$(pulse) Loop: no ticks';
    }
    this.statusBar.show();
  }

  private onPanelMessage(message: WebviewMessage): void {
    const visualization = this.current;
    if (!visualization) return;
    switch (message.type) {
      case 'setCursor':
        markLearned('explain');
        visualization.setCursor(message.tick);
        break;
      case 'reveal': void this.revealLine(message.line, message.file); break;
      case 'command': void this.runPanelCommand(message.command); break;
      default: break;
    }
  }

  private runPanelCommand(command: PanelCommand): Thenable<unknown> {
    return vscode.commands.executeCommand(`loopscope.${command}`);
  }

  async revealLine(line: number, file?: string): Promise<void> {
    const path = file ?? this.current?.model.start?.scenario ?? this.current?.scenarioUri.fsPath;
    if (!path) return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
    const position = new vscode.Position(Math.max(0, Math.min(line - 1, document.lineCount - 1)), 0);
    await vscode.window.showTextDocument(document, {
      viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(position, position), preserveFocus: false,
    });
  }

  revealInTimeline(task: number): void {
    this.panel?.revealTask(task);
  }

  async goToTick(global?: number): Promise<void> {
    const visualization = this.current;
    if (!visualization) return;
    if (typeof global === 'number') {
      visualization.setCursor(global);
      return;
    }
    const tick = visualization.model.ticks[visualization.cursor];
    const loop = tick ? visualization.model.loops.get(tick.loop) : undefined;
    if (!loop || loop.ticks.length === 0) return;
    const answer = await vscode.window.showInputBox({
      title: 'Loopscope: Go to Tick',
      prompt: `Tick of loop ${loop.id} (1 to ${loop.ticks.length})`,
      value: String(tick!.n),
      validateInput: (text) => {
        const n = Number(text);
        return Number.isInteger(n) && n >= 1 && n <= loop.ticks.length ? undefined : `Enter a whole number from 1 to ${loop.ticks.length}.`;
      },
    });
    if (answer !== undefined) visualization.setCursor(loop.ticks[Number(answer) - 1]);
  }

  async goToTime(): Promise<void> {
    const visualization = this.current;
    if (!visualization || visualization.tickCount === 0) return;
    const tick = visualization.model.ticks[visualization.cursor];
    const answer = await vscode.window.showInputBox({
      title: 'Loopscope: Go to Time',
      prompt: 'Loop time in seconds (the last tick at or before it is shown)',
      value: seconds(tick.t),
      validateInput: (text) => (Number.isFinite(Number(text)) && text.trim() !== '' ? undefined : 'Enter a number of seconds.'),
    });
    if (answer === undefined) return;
    const found = visualization.model.tickAtTime(Number(answer), tick.loop);
    if (found !== undefined) visualization.setCursor(found);
  }

  async restart(): Promise<void> {
    const visualization = this.current;
    if (!visualization) return;
    if (visualization.info.replay) await this.openTrace(visualization.scenarioUri);
    else await this.visualize(visualization.scenarioUri);
  }

  async stop(): Promise<void> {
    await this.current?.session?.stop();
  }

  async toggleMode(): Promise<void> {
    const settings = this.settings();
    const next: RunMode = settings.get<RunMode>('runMode', 'record') === 'record' ? 'live' : 'record';
    await settings.update('runMode', next, vscode.ConfigurationTarget.Global);
    void vscode.window.showInformationMessage(`Loopscope: run mode is now ${next}. It applies from the next run.`);
  }

  private reportOutcome(visualization: Visualization, result: SessionResult): void {
    if (visualization !== this.current) return;
    this.refresh();
    const end = result.end;
    const uri = visualization.scenarioUri;
    this.output.appendLine(`■ ${result.outcome}${result.exitCode !== null ? ` (exit code ${result.exitCode})` : ''}`);
    if (end?.outcome === 'syntax-error' && end.error?.line) {
      const line = Math.max(0, end.error.line - 1);
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
        `${end.error.type}: ${end.error.message}`, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'Loopscope';
      this.diagnostics.set(vscode.Uri.file(end.error.file ?? uri.fsPath), [diagnostic]);
      void vscode.window.showErrorMessage(`Loopscope: ${basename(uri.fsPath)} has a syntax error on line ${end.error.line}: ${end.error.message}`);
    } else if (end?.outcome === 'exception' && end.error) {
      const show = 'Show Line';
      const input = 'Input Settings';
      // EOFError: input() found standard input ended (closed, or the configured text ran out).
      const eof = end.error.type === 'EOFError';
      // Show Line goes where the tracer says it was raised: the first leaf's raise in an ExceptionGroup.
      this.lastNotice = { text: `Loopscope: the program raised ${errorText(end.error)}`
        + `${eof ? '. It read standard input after its end: see loopscope.input.mode.' : ''}`, line: end.error.line ?? undefined, file: end.error.file };
      void vscode.window.showErrorMessage(this.lastNotice.text, show, ...(eof ? [input] : []))
        .then((choice) => {
          if (choice === show && end.error?.line) void this.revealLine(end.error.line, end.error.file);
          if (choice === input) void vscode.commands.executeCommand('workbench.action.openSettings', 'loopscope.input');
        });
    } else if (result.outcome === 'limit') {
      const setting = {
        ticks: 'loopscope.limits.maxTicks', 'virtual-seconds': 'loopscope.limits.maxVirtualSeconds',
        'wall-seconds': 'loopscope.limits.maxWallSeconds', events: 'loopscope.limits.maxEvents',
      }[result.limit ?? 'wall-seconds'];
      const open = 'Change Limit';
      void vscode.window.showWarningMessage(`Loopscope: stopped at the ${result.limit} limit; everything recorded up to then is shown. Raise ${setting} to go further.`, open)
        .then((choice) => { if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', setting); });
    } else if (result.message && result.outcome !== 'stopped') {
      void vscode.window.showWarningMessage(`Loopscope: ${result.message}`);
    }
  }

  dispose(): void {
    this.current?.dispose();
    this.panel?.dispose();
    this.statusBar.dispose();
    this.output.dispose();
    this.diagnostics.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}
