// Entry point of the extension host: registers the commands, the CodeLens and the hover.
import * as vscode from 'vscode';
import { Controller } from './controller';
import { openExample } from './examples';
import { LoopHoverProvider } from './hover';
import { markLearned } from './walkthrough';

const PYTHON_FILES: vscode.DocumentSelector = { language: 'python', scheme: 'file' };

class AsyncioRunCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (let line = 0; line < document.lineCount; line++) {
      const text = document.lineAt(line).text;
      if (/^\s*(?!#).*\basyncio\.run\(/.test(text)) {
        lenses.push(new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
          title: '$(pulse) Visualize Loop', command: 'loopscope.visualize', arguments: [document.uri],
        }));
      }
    }
    return lenses;
  }
}

export interface LoopscopeApi {
  controller: Controller;
}

export function activate(context: vscode.ExtensionContext): LoopscopeApi {
  const controller = new Controller(context);
  const current = () => controller.current;
  /** A move of the tick cursor: the panel's narration follows it ("Explain this tick"). */
  const moved = (step: boolean) => {
    if (step) markLearned('step');
    if (current()) markLearned('explain');
  };
  const commands: Record<string, (...args: never[]) => unknown> = {
    'loopscope.visualize': (uri?: vscode.Uri) => controller.visualize(uri instanceof vscode.Uri ? uri : undefined),
    'loopscope.stepForward': () => { moved(true); current()?.stepForward(); },
    'loopscope.stepBack': () => { moved(true); current()?.stepBack(); },
    'loopscope.continue': () => { moved(false); current()?.continue(); },
    'loopscope.pause': () => current()?.pause(),
    'loopscope.goToTick': (tick?: number) => { moved(false); return controller.goToTick(typeof tick === 'number' ? tick : undefined); },
    'loopscope.goToTime': () => controller.goToTime(),
    'loopscope.restart': () => controller.restart(),
    'loopscope.stop': () => controller.stop(),
    'loopscope.saveTrace': (uri?: vscode.Uri) => controller.saveTrace(uri instanceof vscode.Uri ? uri : undefined),
    'loopscope.openTrace': (uri?: vscode.Uri) => controller.openTrace(uri instanceof vscode.Uri ? uri : undefined),
    'loopscope.toggleMode': () => controller.toggleMode(),
    'loopscope.revealInTimeline': (task: number) => controller.revealInTimeline(task),
    'loopscope.openExample': (name?: string, then?: string) => openExample(context, name, then),
  };
  for (const [id, handler] of Object.entries(commands)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }
  context.subscriptions.push(
    controller,
    vscode.languages.registerCodeLensProvider(PYTHON_FILES, new AsyncioRunCodeLens()),
    vscode.languages.registerHoverProvider(PYTHON_FILES, new LoopHoverProvider(current)),
  );
  return { controller };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions, which kills any running program.
}
