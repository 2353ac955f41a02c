// Editor decorations at the cursor's moment, after tick N (src/core/moment.ts): after-line
// annotations where tasks sit suspended at an await (or ready to resume there), a highlight on the
// lines that ran during tick N, and a warning on the lines that blocked the loop in it.
import * as vscode from 'vscode';
import { distinctNames, duration, shortReason, shortTaskName } from '../core/describe';
import type { TaskSnapshot } from '../core/model';
import { stateAfter } from '../core/moment';
import type { Visualization } from './visualization';

const suspendedType = vscode.window.createTextEditorDecorationType({
  after: { color: new vscode.ThemeColor('loopscope.suspendedForeground'), margin: '0 0 0 2em', fontStyle: 'italic' },
  overviewRulerColor: new vscode.ThemeColor('loopscope.suspendedForeground'),
  overviewRulerLane: vscode.OverviewRulerLane.Right,
  rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
});
const runningType = vscode.window.createTextEditorDecorationType({
  isWholeLine: true,
  backgroundColor: new vscode.ThemeColor('loopscope.runningLineBackground'),
  overviewRulerColor: new vscode.ThemeColor('loopscope.runningLineBackground'),
  overviewRulerLane: vscode.OverviewRulerLane.Center,
});
const blockingType = vscode.window.createTextEditorDecorationType({
  isWholeLine: true,
  backgroundColor: new vscode.ThemeColor('loopscope.blockingLineBackground'),
  after: { color: new vscode.ThemeColor('editorWarning.foreground'), margin: '0 0 0 2em', fontWeight: 'bold' },
  overviewRulerColor: new vscode.ThemeColor('editorWarning.foreground'),
  overviewRulerLane: vscode.OverviewRulerLane.Full,
});

/**
 * After-line texts stay this short, so that they fit beside the panel (half the window); the hover
 * on the line has the whole story.
 */
export const DECORATION_CHARS = 40;

function clip(text: string): string {
  return text.length <= DECORATION_CHARS ? text : `${text.slice(0, DECORATION_CHARS - 1)}…`;
}

/**
 * The after-line text for the tasks suspended on one line, in the longest form that fits: the
 * tasks told apart by their arguments (`chop('onion'), chop('garlic')`), else by function with a
 * count (`download ×3`), else only the count; the shared reason when they share one.
 */
export function suspendedText(snapshots: TaskSnapshot[], visualization: Visualization): string {
  const reasons = snapshots.map((s) => (s.state === 'ready' ? 'ready' : shortReason(s.reason, visualization.model)));
  if (snapshots.length === 1) return clip(`⏸ ${shortTaskName(snapshots[0].task)} · ${reasons[0]}`);
  const reason = reasons.every((r) => r === reasons[0]) ? ` · ${reasons[0]}` : '';
  const short = snapshots.map((s) => shortTaskName(s.task));
  const distinct = distinctNames(snapshots.map((s) => s.task), 0);
  const counted = [...new Set(short)].map((name) => {
    const count = short.filter((n) => n === name).length;
    return count > 1 ? `${name} ×${count}` : name;
  });
  const forms = [
    new Set(short).size === short.length ? short : snapshots.map((s) => distinct.get(s.task.id)!),
    counted,
  ].map((names) => `⏸ ${snapshots.length} tasks: ${names.join(', ')}`);
  const fits = forms.find((form) => form.length + reason.length <= DECORATION_CHARS);
  return clip(`${fits ?? `⏸ ${snapshots.length} tasks`}${reason}`);
}

function lineRange(document: vscode.TextDocument, line: number): vscode.Range | undefined {
  if (line < 1 || line > document.lineCount) return undefined;
  const end = document.lineAt(line - 1).range.end;
  return new vscode.Range(end, end);
}

/**
 * Suspended and ready tasks grouped by the file and 1-based line where they sit. A task that has
 * not taken its first step sits at no await yet (its line is where it was created): not listed.
 */
export function suspensionsByLine(visualization: Visualization): Map<string, Map<number, TaskSnapshot[]>> {
  const result = new Map<string, Map<number, TaskSnapshot[]>>();
  const state = stateAfter(visualization.model, visualization.cursor);
  const scenario = visualization.model.start?.scenario ?? visualization.scenarioUri.fsPath;
  for (const snapshot of state?.tasks ?? []) {
    if (snapshot.line === null || (snapshot.state !== 'suspended' && snapshot.state !== 'ready')) continue;
    if (snapshot.task.steps[0] === undefined || snapshot.task.steps[0].tick > visualization.cursor) continue;
    if (snapshot.task.internal && !visualization.info.showInternal) continue;
    const file = snapshot.file ?? scenario;
    let lines = result.get(file);
    if (!lines) result.set(file, (lines = new Map()));
    const list = lines.get(snapshot.line) ?? [];
    list.push(snapshot);
    lines.set(snapshot.line, list);
  }
  return result;
}

/** What was drawn in one editor, by 1-based line: kept so tests and the API can read it back. */
export interface DrawnDecorations {
  suspended: [number, string][];
  running: number[];
  blocking: [number, string][];
}

export function updateDecorations(visualization: Visualization | undefined,
  editors: readonly vscode.TextEditor[]): Map<string, DrawnDecorations> {
  const drawn = new Map<string, DrawnDecorations>();
  const enabled = vscode.workspace.getConfiguration('loopscope').get<boolean>('decorations.enabled', true);
  const byFile = visualization && enabled ? suspensionsByLine(visualization) : new Map();
  const state = visualization && enabled ? stateAfter(visualization.model, visualization.cursor) : undefined;
  const scenario = visualization?.model.start?.scenario ?? visualization?.scenarioUri.fsPath;
  for (const editor of editors) {
    const path = editor.document.uri.fsPath;
    const suspended: vscode.DecorationOptions[] = [];
    const running: vscode.DecorationOptions[] = [];
    const blocking: vscode.DecorationOptions[] = [];
    if (visualization && state) {
      for (const [line, snapshots] of byFile.get(path) ?? []) {
        const range = lineRange(editor.document, line);
        if (range) suspended.push({ range, renderOptions: { after: { contentText: suspendedText(snapshots, visualization) } } });
      }
      for (const activity of state.ran) {
        const line = 'callback' in activity ? activity.callback.line : activity.from;
        const file = 'callback' in activity ? activity.callback.file : activity.fromFile;
        const range = line ? lineRange(editor.document, line) : undefined;
        if (range && (file ?? scenario) === path) running.push({ range });
      }
      for (const event of visualization.model.blocking) {
        if (event.tick !== visualization.cursor || event.line === null || (event.file ?? scenario) !== path) continue;
        const range = lineRange(editor.document, event.line);
        if (range) {
          blocking.push({ range, renderOptions: { after: { contentText: clip(`⚠ blocked the loop for ${duration(event.dur)}`) } } });
        }
      }
    }
    editor.setDecorations(suspendedType, suspended);
    editor.setDecorations(runningType, running);
    editor.setDecorations(blockingType, blocking);
    const line = (option: vscode.DecorationOptions) => option.range.start.line + 1;
    drawn.set(path, {
      suspended: suspended.map((o) => [line(o), o.renderOptions!.after!.contentText!]),
      running: running.map(line),
      blocking: blocking.map((o) => [line(o), o.renderOptions!.after!.contentText!]),
    });
  }
  return drawn;
}
