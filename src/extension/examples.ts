// Open Example...: a quick pick of the examples shipped in examples/, each listed by the question it
// answers. Picking one opens a copy that is ready for Visualize Loop (the CodeLens sits above its
// `asyncio.run(main())`); the item's button copies it into the workspace instead. The installed
// extension's own files are never opened for editing.
import * as vscode from 'vscode';
import { markLearned } from './walkthrough';

export interface ExampleInfo {
  name: string;
  uri: vscode.Uri;
  /** The first line of the docstring. */
  title: string;
  /** The "Question:" paragraph of the docstring. */
  question: string;
}

/** The learning path: simplest first. Examples not listed here follow, by name. */
const ORDER = [
  'await_vs_create_task', 'gather', 'sleep_zero', 'ready_at_once', 'time_sleep_blocks', 'cpu_bound',
  'executor_threads', 'run_twice', 'producer_consumer', 'semaphore', 'lock', 'event', 'condition',
  'task_exception', 'cancellation', 'wait_for_timeout', 'taskgroup', 'sockets', 'callbacks', 'never_awaited',
];

/** Where "copy into the workspace" puts examples, inside the first workspace folder. */
const WORKSPACE_FOLDER = 'loopscope-examples';

/** Title and question from an example's docstring (see examples/README.md for the format). */
export function parseExample(name: string, uri: vscode.Uri, text: string): ExampleInfo {
  const doc = /^"""([^\n]*)\n([\s\S]*?)"""/.exec(text);
  const title = doc?.[1].trim().replace(/\.$/, '') || name;
  const asked = /Question:\s*([\s\S]*?)(?:\n\s*\n|\nLook in Loopscope:|$)/.exec(doc?.[2] ?? '')?.[1]
    .replace(/\s+/g, ' ').trim() ?? '';
  const question = asked.charAt(0).toUpperCase() + asked.slice(1);
  return { name, uri, title, question };
}

async function readExamples(folder: vscode.Uri): Promise<ExampleInfo[]> {
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(folder);
  } catch {
    return [];
  }
  const names = entries.filter(([file, type]) => type === vscode.FileType.File && file.endsWith('.py'))
    .map(([file]) => file.slice(0, -3));
  const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return Promise.all(names.map(async (name) => {
    const uri = vscode.Uri.joinPath(folder, `${name}.py`);
    return parseExample(name, uri, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  }));
}

interface ExampleItem extends vscode.QuickPickItem {
  example: ExampleInfo;
}

interface Choice {
  example: ExampleInfo;
  intoWorkspace: boolean;
}

function pickExample(examples: ExampleInfo[]): Promise<Choice | undefined> {
  return new Promise((resolve) => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const copyButton: vscode.QuickInputButton | undefined = folder
      ? { iconPath: new vscode.ThemeIcon('new-file'), tooltip: `Copy into ${folder.name}/${WORKSPACE_FOLDER}` } : undefined;
    const pick = vscode.window.createQuickPick<ExampleItem>();
    pick.title = 'Loopscope: Open Example';
    pick.placeholder = 'Pick a question about asyncio to open the example that answers it';
    pick.matchOnDescription = true;
    pick.matchOnDetail = true;
    pick.items = examples.map((example) => ({
      label: example.title, description: `${example.name}.py`, detail: example.question, example,
      buttons: copyButton ? [copyButton] : [],
    }));
    let choice: Choice | undefined;
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0];
      if (item) {
        choice = { example: item.example, intoWorkspace: false };
        pick.hide();
      }
    });
    pick.onDidTriggerItemButton((event) => {
      choice = { example: event.item.example, intoWorkspace: true };
      pick.hide();
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve(choice);
    });
    pick.show();
  });
}

async function stat(uri: vscode.Uri): Promise<vscode.FileStat | undefined> {
  try {
    return await vscode.workspace.fs.stat(uri);
  } catch {
    return undefined;
  }
}

async function sameText(a: vscode.Uri, b: vscode.Uri): Promise<boolean> {
  const [x, y] = await Promise.all([vscode.workspace.fs.readFile(a), vscode.workspace.fs.readFile(b)]);
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}

/** Where to open the example: the workspace's own identical copy, else a copy made for it. */
async function placeExample(context: vscode.ExtensionContext, choice: Choice): Promise<vscode.Uri> {
  const file = `${choice.example.name}.py`;
  // A workspace that already holds the examples (the Loopscope repository, `npm start`'s window).
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const candidate of [vscode.Uri.joinPath(folder.uri, 'examples', file), vscode.Uri.joinPath(folder.uri, file)]) {
      if (candidate.toString() === choice.example.uri.toString()) return candidate;
      if (await stat(candidate) && await sameText(candidate, choice.example.uri)) return candidate;
    }
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  const base = choice.intoWorkspace && folder
    ? vscode.Uri.joinPath(folder.uri, WORKSPACE_FOLDER) : vscode.Uri.joinPath(context.globalStorageUri, 'examples');
  const target = vscode.Uri.joinPath(base, file);
  const existing = await stat(target);
  // Keep the user's edits: copy when missing, or (private copies only) when the extension brought
  // a newer version than the copy was last saved.
  const bundled = await vscode.workspace.fs.stat(choice.example.uri);
  if (!existing || (!choice.intoWorkspace && bundled.mtime > existing.mtime)) {
    await vscode.workspace.fs.createDirectory(base);
    await vscode.workspace.fs.copy(choice.example.uri, target, { overwrite: true });
  }
  return target;
}

/**
 * The `loopscope.openExample` command. With `name` (e.g. "sleep_zero", as walkthrough links pass
 * it) opens that example directly; without, asks with a quick pick. With `then` = "visualize" it
 * also runs Visualize Loop on it: a walkthrough button cannot, as the walkthrough has the focus.
 */
export async function openExample(context: vscode.ExtensionContext, name?: string, then?: string): Promise<vscode.TextEditor | undefined> {
  const examples = await readExamples(vscode.Uri.joinPath(context.extensionUri, 'examples'));
  if (examples.length === 0) {
    void vscode.window.showErrorMessage('Loopscope: the examples folder is missing from this installation.');
    return undefined;
  }
  const named = typeof name === 'string' ? examples.find((e) => e.name === name) : undefined;
  const choice = named ? { example: named, intoWorkspace: false } : await pickExample(examples);
  if (!choice) return undefined;
  let target: vscode.Uri;
  try {
    target = await placeExample(context, choice);
  } catch (error) {
    void vscode.window.showErrorMessage(`Loopscope: cannot copy ${choice.example.name}.py: ${(error as Error).message}`);
    return undefined;
  }
  const editor = await vscode.window.showTextDocument(target, { preview: false });
  markLearned('openExample');
  if (!named) markLearned('pickExample');
  if (then === 'visualize') await vscode.commands.executeCommand('loopscope.visualize', editor.document.uri);
  return editor;
}
