/**
 * The editor side of the model server, over the same connection: CodeLenses
 * on model classes and the model export, hovers on `this.<module>` and on
 * layer variables, inlay hints with each sub-module call's output shape after
 * a run, and diagnostics on the line whose module call failed.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity, InlayHintKind, MarkupKind, TextDocumentSyncKind,
  type CodeLens, type Connection, type Diagnostic, type Hover, type InlayHint, type ServerCapabilities,
} from 'vscode-languageserver/node';
import type { CaptureEvent, HookInfo, ModelInfo, ModuleNode, RunResult, SourceMapResult, TensorSummaryJson } from '../../protocol';
import { outlineModelFile, type ModelFileOutline } from './modelClasses';
import { ParsedFiles } from '../source/parsedFiles';

/** The parts of the model directory the editor features read. */
export interface LanguageModelSource {
  list(): ModelInfo[];
  listHooks(): HookInfo[];
  sourceMap(modelId: string): SourceMapResult;
  moduleNodes(modelId: string): readonly ModuleNode[];
}

/** Capabilities to announce in `initialize`. */
export const LANGUAGE_CAPABILITIES: ServerCapabilities = {
  textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
  codeLensProvider: { resolveProvider: false },
  hoverProvider: true,
  inlayHintProvider: true,
};

function shape(s: readonly number[] | null | undefined): string {
  return s ? `[${s.join(', ')}]` : '—';
}

function statsLine(s: TensorSummaryJson | null): string {
  if (!s) return '—';
  const f = (v: number | null) => (v === null ? 'n/a' : v.toPrecision(4));
  const bad = s.stats.nan + s.stats.inf > 0 ? ` · ⚠ ${s.stats.nan} NaN, ${s.stats.inf} Inf` : '';
  return `${shape(s.shape)} ${s.dtype} · min ${f(s.stats.min)} · max ${f(s.stats.max)} · mean ${f(s.stats.mean)}${bad}`;
}

export class LanguageFeatures {
  /** Last run trace per model. */
  private readonly traces = new Map<string, RunResult['trace']>();
  /** Last captured event per `modelId:path`. */
  private readonly lastCapture = new Map<string, CaptureEvent>();
  /** Files edited since the last run: their hints no longer match the text. */
  private readonly dirty = new Set<string>();
  private readonly diagnosed = new Set<string>();
  private readonly outlines = new ParsedFiles(outlineModelFile);

  constructor(private readonly connection: Connection, private readonly models: () => LanguageModelSource | undefined) {
    connection.onCodeLens((p) => this.codeLenses(fileURLToPath(p.textDocument.uri)));
    connection.onHover((p) => this.hover(fileURLToPath(p.textDocument.uri), p.position.line, p.position.character));
    connection.languages.inlayHint.on((p) => this.inlayHints(fileURLToPath(p.textDocument.uri)));
    connection.onDidChangeTextDocument((p) => {
      this.dirty.add(fileURLToPath(p.textDocument.uri));
    });
  }

  /** A hook event: keeps the latest per module for hovers. */
  captured(event: CaptureEvent): void {
    this.lastCapture.set(`${event.modelId}:${event.path}`, event);
  }

  /** A run ended: new inlay hints, and a diagnostic on the failing call or none. */
  runFinished(modelId: string, result: RunResult): void {
    const dir = this.models();
    const model = dir?.list().find((m) => m.modelId === modelId);
    if (!dir || !model) return;
    this.traces.set(modelId, result.trace);
    this.dirty.delete(model.file);
    const diagnostics: Diagnostic[] = [];
    if (result.state === 'failed' && result.error) {
      const loc = dir.sourceMap(modelId).modules.find((m) => m.path === (result.errorPath ?? ''));
      const line = loc?.callLines[0] ?? loc?.definitionLine ?? 0;
      diagnostics.push({ severity: DiagnosticSeverity.Error, range: { start: { line, character: 0 }, end: { line, character: loc?.callEnds?.[0] ?? 1000 } }, message: result.error, source: 'Module Lens' });
    }
    this.publish(model.file, diagnostics);
    void this.connection.languages.inlayHint.refresh().catch(() => undefined);
    void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  /** A model file failed to load: an error at its top, until it loads. */
  loadFailed(file: string, message: string): void {
    this.publish(file, [{ severity: DiagnosticSeverity.Error, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1000 } }, message, source: 'Module Lens' }]);
  }

  /** A model file loaded: its load diagnostic goes away. */
  loaded(file: string): void {
    this.publish(file, []);
  }

  /** Hooks or models changed: lenses show counts. */
  changed(): void {
    void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  private publish(file: string, diagnostics: Diagnostic[]): void {
    if (diagnostics.length === 0 && !this.diagnosed.has(file)) return;
    if (diagnostics.length) this.diagnosed.add(file);
    else this.diagnosed.delete(file);
    void this.connection.sendDiagnostics({ uri: pathToFileURL(file).toString(), diagnostics });
  }

  private modelFor(file: string): { dir: LanguageModelSource; model: ModelInfo } | undefined {
    const dir = this.models();
    const model = dir?.list().find((m) => m.file === file);
    return dir && model ? { dir, model } : undefined;
  }

  /** The outline of a model file, or `undefined` when it cannot be read. */
  private outline(file: string): ModelFileOutline | undefined {
    try {
      return this.outlines.get(file);
    } catch {
      return undefined;
    }
  }

  private codeLenses(file: string): CodeLens[] {
    const outline = this.outline(file);
    if (!outline) return [];
    const found = this.modelFor(file);
    const lines = [...new Set([...outline.classes.map((c) => c.line), ...(outline.exportLine !== undefined ? [outline.exportLine] : [])])];
    if (!found) {
      return lines.slice(0, 1).map((line) => ({
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        command: { title: '▶ Open in Module Lens', command: 'moduleLens.openModel', arguments: [file] },
      }));
    }
    const { dir, model } = found;
    const modules = dir.moduleNodes(model.modelId);
    const hooks = dir.listHooks().filter((h) => h.modelId === model.modelId);
    const lenses: CodeLens[] = [];
    for (const line of lines) {
      const cls = outline.classes.find((c) => c.line === line);
      const instances = cls ? modules.filter((m) => m.type === cls.name) : [modules[0]];
      const params = cls && cls.name !== model.rootType ? (instances[0]?.totalParams ?? 0) : model.root.totalParams;
      const hookCount = hooks.filter((h) => instances.some((m) => m && (h.path === m.path || h.path.startsWith(`${m.path}.`) || m.path === ''))).length;
      const range = { start: { line, character: 0 }, end: { line, character: 0 } };
      lenses.push(
        { range, command: { title: '▶ Run forward', command: 'moduleLens.runForward', arguments: [{ modelId: model.modelId }] } },
        { range, command: { title: '⚑ Debug', command: 'moduleLens.debugModel', arguments: [model.file] } },
        { range, command: { title: `${params.toLocaleString('en-US')} params · ${hookCount} hook${hookCount === 1 ? '' : 's'}`, command: 'moduleLens.modules.focus' } },
      );
    }
    return lenses;
  }

  private hover(file: string, line: number, character: number): Hover | null {
    const found = this.modelFor(file);
    if (!found) return null;
    const { dir, model } = found;
    const modules = dir.moduleNodes(model.modelId);
    const target = this.memberAt(file, model, modules, line, character) ?? this.variableAt(dir, model, modules, line, character);
    if (!target) return null;
    const parts = [
      `**${target.path === '' ? '(root)' : target.path}** · \`${target.repr}\``,
      `${target.ownParams.toLocaleString('en-US')} own params · ${target.totalParams.toLocaleString('en-US')} total · ${target.training ? 'train' : 'eval'}`,
    ];
    const last = this.lastCapture.get(`${model.modelId}:${target.path}`);
    if (last) {
      parts.push([`Last capture (run ${last.runId}, ${last.kind}):`, '', ...last.tensors.map((t) => `- \`${t.slot}\` ${statsLine(t.summary)}`)].join('\n'));
    } else {
      const traced = this.traces.get(model.modelId)?.find((t) => t.path === target.path);
      if (traced) parts.push(`Last output: ${shape(traced.shape)}${traced.nonFinite ? ' ⚠ NaN/Inf' : ''}`);
    }
    return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n') } };
  }

  /** The module a `this.<name>` under the cursor refers to. */
  private memberAt(file: string, model: ModelInfo, modules: readonly ModuleNode[], line: number, character: number): ModuleNode | undefined {
    const ref = this.outline(file)?.members.find((m) => m.line === line && character >= m.startCharacter && character <= m.endCharacter);
    if (!ref) return undefined;
    const parents = ref.className === model.rootType ? [''] : modules.filter((m) => m.type === ref.className).map((m) => m.path);
    return parents.map((p) => modules.find((m) => m.path === (p === '' ? ref.member : `${p}.${ref.member}`))).find(Boolean);
  }

  /** The module a layer variable under the cursor holds (`const fc = new nn.Linear(…)`, `tf.layers.dense(…)`). */
  private variableAt(dir: LanguageModelSource, model: ModelInfo, modules: readonly ModuleNode[], line: number, character: number): ModuleNode | undefined {
    let locations: SourceMapResult['modules'];
    try {
      locations = dir.sourceMap(model.modelId).modules;
    } catch {
      return undefined;
    }
    const hit = locations.find((l) => l.references?.some((r) => r.line === line && character >= r.start && character <= r.end));
    return hit && modules.find((m) => m.path === hit.path);
  }

  private inlayHints(file: string): InlayHint[] {
    const found = this.modelFor(file);
    if (!found || this.dirty.has(file)) return [];
    const trace = this.traces.get(found.model.modelId);
    if (!trace) return [];
    const hints: InlayHint[] = [];
    for (const loc of found.dir.sourceMap(found.model.modelId).modules) {
      const call = trace.find((t) => t.path === loc.path);
      if (!call) continue;
      loc.callLines.forEach((line, i) => {
        hints.push({
          position: { line, character: loc.callEnds?.[i] ?? 0 },
          label: `: ${shape(call.shape)}${call.nonFinite ? ' ⚠ NaN/Inf' : ''}`,
          kind: InlayHintKind.Type,
          paddingLeft: false,
          tooltip: `${loc.path} output after the last run`,
        });
      });
    }
    return hints;
  }
}
