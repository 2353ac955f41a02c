// What the program reads from standard input (issue 12.5), set by `loopscope.input.mode`:
// - ask (default): an input box each time the program waits for a line, titled with the prompt it
//   printed (the tracer reports a prompt written without a newline as a partial output, protocol
//   2.1); Escape closes its input. With a tracer that cannot report prompts the program reads end of
//   file (an EOFError then points at the setting).
// - text / file: the configured text or file, then end of file.
// - closed: end of file at once, so input() raises EOFError.
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { Session } from '../node/session';
import type { TraceEvent } from '../protocol/events';

export type InputMode = 'ask' | 'text' | 'file' | 'closed';

export interface InputPlan {
  mode: InputMode;
  /** What the program reads, for text and file. */
  text?: string;
}

/** The program's input from the settings; undefined (after saying why) when the file cannot be read. */
export async function planInput(folder: string): Promise<InputPlan | undefined> {
  const settings = vscode.workspace.getConfiguration('loopscope.input');
  const mode = settings.get<InputMode>('mode', 'ask');
  if (mode === 'text') return { mode, text: withNewline(settings.get<string>('text', '')) };
  if (mode !== 'file') return { mode };
  const configured = settings.get<string>('file', '').trim();
  const path = isAbsolute(configured) ? configured : join(folder, configured);
  try {
    if (!configured) throw new Error('no file is set');
    return { mode, text: new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(path))) };
  } catch (error) {
    const open = 'Open Settings';
    void vscode.window.showErrorMessage(`Loopscope: loopscope.input.mode is "file", but the input file cannot be read `
      + `(${configured || 'loopscope.input.file is empty'}: ${(error as Error).message}). Nothing was run.`, open)
      .then((choice) => choice === open && vscode.commands.executeCommand('workbench.action.openSettings', 'loopscope.input'));
    return undefined;
  }
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/** How the OUTPUT channel's first line names the input. */
export function inputWords(plan: InputPlan): string {
  switch (plan.mode) {
    case 'ask': return 'input: asked for when the program waits';
    case 'text': return 'input: loopscope.input.text';
    case 'file': return 'input: loopscope.input.file';
    default: return 'input: closed (input() raises EOFError)';
  }
}

/**
 * Feeds a started session its input as planned; the answers also go to `echo` (the OUTPUT
 * channel). An input box still open goes when the run ends.
 */
export function connectInput(session: Session, plan: InputPlan, echo: (text: string) => void): void {
  if (plan.mode === 'closed') return;
  if (plan.mode !== 'ask') {
    session.writeInput(plan.text ?? '');
    session.endInput();
    return;
  }
  let box: vscode.InputBox | undefined;
  const ask = (prompt: string) => {
    box?.dispose();
    box = vscode.window.createInputBox();
    box.title = 'Loopscope: the program waits for input';
    box.prompt = prompt.trim() ? `It printed: ${prompt}` : 'It reads a line from standard input.';
    box.placeholder = 'Enter sends this line to the program; Escape closes its input (end of file)';
    box.ignoreFocusOut = true;
    let answered = false;
    box.onDidAccept(() => {
      answered = true;
      session.writeInput(`${box!.value}\n`);
      echo(`${box!.value}\n`);
      box!.hide();
    });
    box.onDidHide(() => {
      if (!answered) session.endInput();
      box?.dispose();
      box = undefined;
    });
    box.show();
  };
  session.onEvent((event: TraceEvent) => {
    if (event.ev === 'start' && !(event.minor >= 1)) {
      // Protocol 2.0 does not say when the program waits for input: it would wait until the time
      // limit. End of file instead; an EOFError then points at loopscope.input.mode.
      session.endInput();
    } else if (event.ev === 'output' && event.partial === true) {
      ask(event.text);
    }
  });
  void session.done.then(() => box?.dispose());
}
