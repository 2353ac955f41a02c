// The hover on a decorated line: each task suspended there at the current tick with its full wait
// reason, since when it waits and the tick that wakes it, then the line's history. Program text is
// always appended as plain text, never as Markdown.
import * as vscode from 'vscode';
import { describeSnapshot, shortTaskName, duration, seconds } from '../core/describe';
import { lineKey, type TaskSnapshot } from '../core/model';
import { suspensionsByLine } from './decorations';
import type { Visualization } from './visualization';

function commandLink(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

function reasonDetails(snapshot: TaskSnapshot, visualization: Visualization, now: number): string[] {
  const reason = snapshot.reason;
  const model = visualization.model;
  if (!reason) return [];
  const details: string[] = [];
  if (reason.kind === 'sleep' && reason.wake !== undefined) {
    details.push(snapshot.state === 'ready' ? `its timer fired at t=${seconds(reason.wake)}`
      : `timer fires at t=${seconds(reason.wake)} (${duration(Math.max(0, reason.wake - now))} from now)`);
  }
  if ((reason.kind === 'task' || reason.kind === 'shield') && reason.task !== undefined) {
    const awaited = model.tasks.get(reason.task);
    if (awaited) {
      const state = model.snapshot(awaited, visualization.cursor, model.isReadyIn(visualization.cursor, awaited.id));
      details.push(`awaited task: ${describeSnapshot(state)}`);
    }
  }
  const children = reason.children ?? reason.tasks;
  if (children) {
    const done = children.filter((id) => {
      const child = model.tasks.get(id);
      return child?.done !== undefined && child.done.tick < visualization.cursor;
    }).length;
    details.push(`${done} of ${children.length} done, ${children.length - done} pending`);
  }
  if (reason.size !== undefined) details.push(`queue size ${reason.size}${reason.maxsize ? ` of at most ${reason.maxsize}` : ' (unbounded)'}`);
  if (reason.fn) details.push(`runs ${reason.fn}${reason.thread ? ` on thread ${reason.thread}` : ''}`);
  if (reason.peer) details.push(`socket peer ${reason.peer}`);
  if (typeof reason.deadline === 'number') details.push(`deadline t=${seconds(reason.deadline)}`);
  return details;
}

export function hoverMarkdown(visualization: Visualization, file: string, line: number): vscode.MarkdownString | undefined {
  const here = suspensionsByLine(visualization).get(file)?.get(line) ?? [];
  const scenario = visualization.model.start?.scenario ?? visualization.scenarioUri.fsPath;
  const history = visualization.model.lineHistory.get(lineKey(line, file === scenario ? undefined : file));
  if (here.length === 0 && !history) return undefined;
  const tick = visualization.model.ticks[visualization.cursor];
  const now = tick?.t ?? 0;
  const md = new vscode.MarkdownString();
  md.isTrusted = { enabledCommands: ['loopscope.goToTick', 'loopscope.revealInTimeline'] };
  md.supportThemeIcons = true;
  md.appendMarkdown(`**Loopscope** · tick ${tick ? `${tick.n} (loop ${tick.loop})` : '-'} · t=${seconds(now)}\n\n`);
  for (const snapshot of here) {
    md.appendMarkdown('$(debug-pause) **');
    md.appendText(shortTaskName(snapshot.task));
    md.appendMarkdown('** ');
    md.appendText(`${snapshot.task.label} — ${snapshot.state === 'ready' ? 'ready: woken, waiting in the ready queue' : snapshot.reason?.text ?? 'waiting'}`);
    md.appendMarkdown('\n\n');
    for (const detail of reasonDetails(snapshot, visualization, now)) {
      md.appendMarkdown('- ');
      md.appendText(detail);
      md.appendMarkdown('\n');
    }
    md.appendMarkdown(`- waiting since t=${seconds(snapshot.since)}\n`);
    const resume = visualization.model.resumeTick(snapshot.task, visualization.cursor - 1);
    if (resume !== undefined) {
      md.appendMarkdown(`- resumes in tick ${visualization.model.ticks[resume].n} · [go to that tick](${commandLink('loopscope.goToTick', [resume])})\n`);
    } else {
      md.appendMarkdown('- does not resume in the recorded trace\n');
    }
    md.appendMarkdown(`- [reveal in timeline](${commandLink('loopscope.revealInTimeline', [snapshot.task.id])})\n\n`);
  }
  if (history) {
    md.appendMarkdown(`**History of this line:** ${history.suspensions} suspension${history.suspensions === 1 ? '' : 's'}`
      + ` by ${history.tasks.size} task${history.tasks.size === 1 ? '' : 's'}, total wait ${duration(history.totalWait)},`
      + ` longest ${duration(history.longestWait)}\n`);
  }
  return md;
}

export class LoopHoverProvider implements vscode.HoverProvider {
  constructor(private readonly current: () => Visualization | undefined) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const visualization = this.current();
    if (!visualization) return undefined;
    const markdown = hoverMarkdown(visualization, document.uri.fsPath, position.line + 1);
    return markdown ? new vscode.Hover(markdown) : undefined;
  }
}
