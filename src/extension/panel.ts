// The Loopscope webview panel, host side: creates it locked down (strict CSP, nonce scripts, only the
// extension's own assets), replays the visualization's events into it, keeps its cursor in sync and
// turns its validated messages into commands.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { type Axis, type HostMessage, parseWebviewMessage, type WebviewMessage } from '../protocol/panel';
import type { Visualization } from './visualization';

export const PANEL_VIEW_TYPE = 'loopscope.panel';

export class LoopPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private visualization?: Visualization;
  private subscriptions: vscode.Disposable[] = [];
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  private sentCursor = -1;
  axis: Axis = 'tick';

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
      this.subscriptions.forEach((d) => d.dispose());
      this.disposed.fire();
      this.disposed.dispose();
    });
  }

  get webview(): vscode.Webview { return this.panel.webview; }

  reveal(): void { this.panel.reveal(vscode.ViewColumn.Beside, true); }

  show(visualization: Visualization): void {
    this.subscriptions.forEach((d) => d.dispose());
    this.visualization = visualization;
    this.panel.title = `Loopscope: ${visualization.scenarioUri.path.split('/').pop()}`;
    this.subscriptions = [
      visualization.onEvents((events) => this.post({ type: 'events', events })),
      visualization.onDidChange(() => this.sync()),
    ];
    this.replay();
  }

  /** Sends everything from the start: after a (re)load of the webview, or a new visualization. */
  private replay(): void {
    const visualization = this.visualization;
    if (!visualization) return;
    // Events still batched would arrive again after the replay that already holds them.
    visualization.flush();
    this.post({ type: 'reset', session: visualization.info });
    this.post({ type: 'axis', axis: this.axis });
    const chunk = 20000;
    for (let i = 0; i < visualization.events.length; i += chunk) {
      this.post({ type: 'events', events: visualization.events.slice(i, i + chunk) });
    }
    this.sentCursor = -1;
    this.sync();
  }

  private sync(): void {
    const visualization = this.visualization;
    if (!visualization) return;
    this.post({ type: 'status', status: visualization.status() });
    if (visualization.cursor !== this.sentCursor) {
      this.sentCursor = visualization.cursor;
      this.post({ type: 'cursor', tick: visualization.cursor });
    }
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) return;
    if (message.type === 'ready') this.replay();
    else if (message.type === 'axis') this.axis = message.axis;
    else if (message.type === 'setCursor') this.sentCursor = message.tick;
    this.onMessage(message);
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
