// The hover on a decorated line, at the cursor's moment (after tick N, src/core/moment.ts): each
// task suspended or ready there with its full wait reason, what woke it or what will, the tick it
// resumes in, then the line's history. Timers are told from the trace (fired, cancelled or still
// pending at that moment), never assumed. Program text is always appended as plain text, never as
// Markdown.
import * as vscode from 'vscode';
import {
  afterTick, describeSnapshot, duration, fullTaskName, loopTime, reasonText, taskNameById, waitedOn, wakerText,
} from '../core/describe';
import { lineKey, type TaskSnapshot, type TimerInfo, type TraceModel } from '../core/model';
import { nextTickOfLoop, stateAfter } from '../core/moment';
import { suspensionsByLine } from './decorations';
import type { Visualization } from './visualization';
import { markLearned } from './walkthrough';

function commandLink(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/** What the task's timer did by the moment after tick `index`: fired, was cancelled, or is pending. */
function timerState(timer: TimerInfo, model: TraceModel, index: number, now: number): string {
  if (timer.ended <= index) {
    const when = model.ticks[timer.ended];
    return timer.cancelled
      ? `its timer (due at ${loopTime(timer.when)}) was cancelled in ${when ? `tick ${when.n}` : 'a tick'}`
      : `its timer fired at ${loopTime(timer.when)}${when ? `, in tick ${when.n}` : ''}`;
  }
  return `its timer fires at ${loopTime(timer.when)} (${duration(Math.max(0, timer.when - now))} from now)`;
}

function reasonDetails(snapshot: TaskSnapshot, visualization: Visualization, now: number): string[] {
  const reason = snapshot.reason;
  const model = visualization.model;
  const index = visualization.cursor;
  const details: string[] = [];
  if (snapshot.state === 'ready') {
    const next = nextTickOfLoop(model, index);
    const step = next !== undefined ? model.lastStepBefore(snapshot.task, next + 1) : undefined;
    if (reason) details.push(`it was ${waitedOn(reason, model)}`);
    const by = step && step.tick === next ? model.wakerOf(step) : undefined;
    if (by) details.push(`woken by ${wakerText(by, model)}${by.n !== undefined ? ` in tick ${by.n}` : ''}`);
  }
  if (!reason) return details;
  const timer = reason.timer !== undefined ? model.timerInfo(reason.timer) : undefined;
  if (timer) details.push(timerState(timer, model, index, now));
  if (typeof reason.deadline === 'number') details.push(`deadline ${loopTime(reason.deadline)}`);
  if ((reason.kind === 'task' || reason.kind === 'shield') && reason.task !== undefined) {
    const awaited = model.taskById(reason.task);
    const at = stateAfter(model, index)?.tasks.find((s) => s.task === awaited);
    if (at) details.push(`awaited task: ${describeSnapshot(at, model)}`);
  }
  const children = reason.children ?? reason.tasks;
  if (children) {
    const done = children.filter((id) => {
      const child = model.taskById(id);
      return child?.done !== undefined && child.done.tick <= index;
    }).length;
    details.push(`${done} of ${children.length} done, ${children.length - done} pending`);
  }
  if (reason.size !== undefined) details.push(`queue size ${reason.size}${reason.maxsize ? ` of at most ${reason.maxsize}` : ' (unbounded)'} when it began to wait`);
  if (reason.fn) details.push(`runs ${reason.fn}${reason.thread ? ` on thread ${reason.thread}` : ''}`);
  if (reason.peer) details.push(`socket peer ${reason.peer}`);
  return details;
}

/** What blocking this line did: at the cursor's tick in full, at other ticks as links. */
function blockingMarkdown(md: vscode.MarkdownString, visualization: Visualization, file: string, line: number, scenario: string): void {
  const model = visualization.model;
  const here = model.blocking.filter((b) => b.line === line && (b.file ?? scenario) === file);
  for (const b of here.filter((e) => e.tick === visualization.cursor)) {
    const who = b.task !== undefined ? taskNameById(b.task, model) : `\`${b.fn}\``;
    md.appendMarkdown('$(warning) **Blocked the loop** ');
    md.appendText(`for ${duration(b.dur)} in tick ${b.n}: ${b.what === 'step' ? `a step of ${who}` : b.what === 'callback' ? `the callback ${b.fn}` : 'the tick'}`
      + ' ran this line without reaching an await, so nothing else could run meanwhile and timers fired late.');
    // Protocol 2.1: most of that time was not the program's own.
    if (b.uncertain) md.appendText(' Most of that time was not this program\'s: it may be machine load.');
    md.appendMarkdown('\n\n');
  }
  const others = here.filter((e) => e.tick !== visualization.cursor && e.tick >= 0);
  if (others.length > 0) {
    const longest = others.reduce((a, b) => (b.dur > a.dur ? b : a));
    md.appendMarkdown(`$(warning) This line blocked the loop ${others.length === 1 ? 'once' : `${others.length} times`}`
      + ` elsewhere, longest ${duration(longest.dur)} in tick ${longest.n} · [go to that tick](${commandLink('loopscope.goToTick', [longest.tick])})\n\n`);
  }
}

export function hoverMarkdown(visualization: Visualization, file: string, line: number): vscode.MarkdownString | undefined {
  const here = suspensionsByLine(visualization).get(file)?.get(line) ?? [];
  const model = visualization.model;
  const scenario = model.start?.scenario ?? visualization.scenarioUri.fsPath;
  const history = model.lineHistory.get(lineKey(line, file === scenario ? undefined : file));
  const blocked = model.blocking.some((b) => b.line === line && (b.file ?? scenario) === file);
  if (here.length === 0 && !history && !blocked) return undefined;
  const tick = model.ticks[visualization.cursor];
  const now = tick?.t ?? 0;
  const md = new vscode.MarkdownString();
  md.isTrusted = { enabledCommands: ['loopscope.goToTick', 'loopscope.revealInTimeline'] };
  md.supportThemeIcons = true;
  md.appendMarkdown(`**Loopscope** · ${tick ? afterTick(tick, model) : 'no tick yet'} · ${loopTime(now)}\n\n`);
  blockingMarkdown(md, visualization, file, line, scenario);
  const next = nextTickOfLoop(model, visualization.cursor);
  for (const snapshot of here) {
    md.appendMarkdown(`$(${snapshot.state === 'ready' ? 'debug-start' : 'debug-pause'}) **`);
    md.appendText(fullTaskName(snapshot.task));
    md.appendMarkdown('** ');
    md.appendText(`— ${snapshot.state === 'ready'
      ? `ready: in the ready queue${next !== undefined ? `, runs in tick ${model.ticks[next].n}` : ''}`
      : reasonText(snapshot.reason, model)}`);
    md.appendMarkdown('\n\n');
    for (const detail of reasonDetails(snapshot, visualization, now)) {
      md.appendMarkdown('- ');
      md.appendText(detail);
      md.appendMarkdown('\n');
    }
    if (snapshot.state === 'suspended') md.appendMarkdown(`- waiting since ${loopTime(snapshot.since)}\n`);
    const resume = model.resumeTick(snapshot.task, visualization.cursor);
    if (resume !== undefined) {
      md.appendMarkdown(`- resumes in tick ${model.ticks[resume].n} · [go to that tick](${commandLink('loopscope.goToTick', [resume])})\n`);
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
    if (!markdown) return undefined;
    markLearned('hover');
    return new vscode.Hover(markdown);
  }
}
