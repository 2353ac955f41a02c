// The walkthrough's steps complete on what the learner did, however they did it: the palette, a
// shortcut, a CodeLens, the panel's buttons or the walkthrough's own links. VS Code's `onCommand`
// completion sees only commands run through the workbench, not those the panel or another command
// runs in the extension host, so each step waits for a context key set here instead
// (package.json: walkthroughs, `onContext:loopscope.learned.*`).
import * as vscode from 'vscode';

export type LearnedStep = 'openExample' | 'visualize' | 'step' | 'hover' | 'explain' | 'blocking' | 'pickExample';

const learned = new Set<LearnedStep>();

/** Marks a walkthrough step done (once per window; VS Code keeps it done from then on). */
export function markLearned(step: LearnedStep): void {
  if (learned.has(step)) return;
  learned.add(step);
  void vscode.commands.executeCommand('setContext', `loopscope.learned.${step}`, true);
}
