// The Loopscope webview panel, host side: creates it locked down (strict CSP, nonce scripts, only the
// extension's own assets), serves it the visualization through a PanelServer (core/panelServer.ts:
// the panel asks for what is on screen and never holds the trace) and turns its validated
// messages into commands.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { PanelServer } from '../core/panelServer';
import { parseWebviewMessage, type WebviewMessage } from '../protocol/panel';
import type { Visualization } from './visualization';

export const PANEL_VIEW_TYPE = 'loopscope.panel';

export class LoopPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly server = new PanelServer((message) => void this.panel.webview.postMessage(message));
  private subscription?: vscode.Disposable;
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onMessage: (message: WebviewMessage) => void,
  ) {
    this.panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Loopscope',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
      });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    this.panel.webview.html = this.html();
    this.panel.webview.onDidReceiveMessage((raw) => this.receive(raw));
    this.panel.onDidDispose(() => {
      this.subscription?.dispose();
      this.disposed.fire();
      this.disposed.dispose();
    });
  }

  reveal(): void { this.panel.reveal(vscode.ViewColumn.Beside, true); }

  show(visualization: Visualization): void {
    this.subscription?.dispose();
    this.panel.title = `Loopscope: ${visualization.scenarioUri.path.split('/').pop()}`;
    this.subscription = visualization.onDidChange(() => this.server.update());
    this.server.show(visualization);
  }

  /** Scrolls the timeline to a task's lane. */
  revealTask(task: number): void {
    const lane = this.server.laneOfTask(task);
    if (lane !== undefined) void this.panel.webview.postMessage({ type: 'revealLane', lane });
    this.reveal();
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    const forOwner = message && this.server.receive(message);
    if (forOwner) this.onMessage(forOwner);
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(16).toString('base64');
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', name));
    const csp = [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('webview.css')}">
<title>Loopscope</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${asset('webview.js')}"></script>
</body>
</html>`;
  }

  dispose(): void { this.panel.dispose(); }
}
