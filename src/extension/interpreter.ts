// Which Python runs the scenario: the interpreter selected in the Python extension (through its
// published API) when it is installed, else `loopscope.python.path`, else python3 / python on PATH.
import * as vscode from 'vscode';
import { DEFAULT_PYTHONS, findPython, type PythonInfo } from '../node/python';

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
    resolveEnvironment(env: { path: string } | string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  };
}

async function pythonExtensionInterpreter(resource: vscode.Uri): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const active = api.environments?.getActiveEnvironmentPath(resource);
    if (!active) return undefined;
    const resolved = await api.environments!.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
  } catch {
    return undefined;
  }
}

export async function resolveInterpreter(resource: vscode.Uri): Promise<PythonInfo> {
  const candidates: string[] = [];
  const fromExtension = await pythonExtensionInterpreter(resource);
  if (fromExtension) candidates.push(fromExtension);
  const configured = vscode.workspace.getConfiguration('loopscope', resource).get<string>('python.path', '').trim();
  if (configured) candidates.push(configured);
  candidates.push(...DEFAULT_PYTHONS);
  return findPython(candidates);
}
