/**
 * The Variables view of a paused module: scopes and the tree of tensors under
 * them, with values paged from the server so a tensor of any size expands.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { CaptureEvent, CapturedTensor, GetTensorParams, ModuleNode, NodeInfo, TensorSummaryJson } from '../../protocol';
import type { PanelTarget } from '../captures/panelTarget';

/**
 * The `__vscodeVariableMenuContext` of tensor variables: VS Code exposes it to `when` clauses
 * of `debug/variables/context` as `debugProtocolVariableMenuContext`.
 */
export const TENSOR_VARIABLE_CONTEXT = 'tensor';

/** What a variables reference stands for. */
export type VarRef =
  | { kind: 'slots'; tensors: readonly CapturedTensor[]; event?: CaptureEvent | null }
  | { kind: 'group'; modelId: string; path: string; group: 'parameters' | 'buffers' }
  | { kind: 'module'; node: ModuleNode | undefined; path: string; type: string }
  /** `panel`: what "View in Captures Panel" shows for this tensor. */
  | { kind: 'tensor'; summary: TensorSummaryJson | null; ref: GetTensorParams | null; panel?: PanelTarget }
  | { kind: 'values'; ref: GetTensorParams; start: number; end: number };

/** The server calls the variables tree needs. */
export interface VariablesServer {
  getTensor(params: GetTensorParams): Promise<{ summary: TensorSummaryJson; start: number; values: readonly number[] }>;
  getChildren(params: { modelId: string; path: string; group?: 'parameters' | 'buffers'; offset?: number; limit?: number }): Promise<{ items: readonly NodeInfo[]; total: number }>;
}

/** Page size of value ranges, as VS Code pages arrays. */
const PAGE = 100;

/** `Tensor [3, 4] float32`, with a NaN/Inf marker. */
export function tensorValue(summary: TensorSummaryJson | null): string {
  if (!summary) return 'None';
  const bad = summary.stats.nan + summary.stats.inf > 0 ? ` ⚠ ${summary.stats.nan} NaN, ${summary.stats.inf} Inf` : '';
  const mean = summary.stats.mean === null ? '' : ` mean=${summary.stats.mean.toPrecision(4)}`;
  return `Tensor [${summary.shape.join(', ')}] ${summary.dtype}${mean}${bad}`;
}

/** Builds the variables of one reference; `handle` registers nested references. */
export async function variablesOf(ref: VarRef, server: VariablesServer, handle: (r: VarRef) => number): Promise<DebugProtocol.Variable[]> {
  switch (ref.kind) {
    case 'slots':
      return ref.tensors.map((t) => {
        const slot = ref.event?.tensors.findIndex((e) => e.tensorId === t.tensorId && e.slot === t.slot);
        const panel: PanelTarget | undefined = t.tensorId
          ? { kind: 'capture', tensorId: t.tensorId, event: ref.event ?? undefined, slot: slot !== undefined && slot >= 0 ? slot : undefined }
          : undefined;
        return {
          name: t.slot,
          value: tensorValue(t.summary),
          variablesReference: t.summary || t.tensorId ? handle({ kind: 'tensor', summary: t.summary, ref: t.tensorId ? { tensorId: t.tensorId } : null, panel }) : 0,
          ...(panel ? { __vscodeVariableMenuContext: TENSOR_VARIABLE_CONTEXT } : {}),
        };
      });
    case 'group': {
      const { items } = await server.getChildren({ modelId: ref.modelId, path: ref.path, group: ref.group, limit: 1000 });
      return items.filter((n) => n.kind === 'parameter' || n.kind === 'buffer').map((n) => {
        const leaf = n as Extract<NodeInfo, { kind: 'parameter' | 'buffer' }>;
        return {
          name: leaf.name,
          value: `Tensor [${leaf.shape.join(', ')}] ${leaf.dtype}`,
          variablesReference: handle({ kind: 'tensor', summary: null, ref: { modelId: ref.modelId, name: leaf.path }, panel: { kind: leaf.kind, modelId: ref.modelId, path: leaf.path } }),
          __vscodeVariableMenuContext: TENSOR_VARIABLE_CONTEXT,
        };
      });
    }
    case 'module': {
      const n = ref.node;
      const rows: [string, string][] = [['path', ref.path === '' ? '(root)' : ref.path], ['type', ref.type]];
      if (n) rows.push(['training', String(n.training)], ['repr', n.repr], ['parameters', `${n.ownParams} own, ${n.totalParams} total`]);
      return rows.map(([name, value]) => ({ name, value, variablesReference: 0 }));
    }
    case 'tensor': {
      const summary = ref.summary ?? (ref.ref ? (await server.getTensor({ ...ref.ref, start: 0, end: 0 })).summary : null);
      if (!summary) return [];
      const s = summary.stats;
      const num = (v: number | null) => (v === null ? 'n/a' : String(v));
      const rows: DebugProtocol.Variable[] = [
        { name: 'shape', value: `[${summary.shape.join(', ')}]`, variablesReference: 0 },
        { name: 'dtype', value: summary.dtype, variablesReference: 0 },
        { name: 'min', value: num(s.min), variablesReference: 0 },
        { name: 'max', value: num(s.max), variablesReference: 0 },
        { name: 'mean', value: num(s.mean), variablesReference: 0 },
        { name: 'std', value: num(s.std), variablesReference: 0 },
        { name: 'NaN', value: String(s.nan), variablesReference: 0 },
        { name: 'Inf', value: String(s.inf), variablesReference: 0 },
        { name: 'zeros', value: String(s.zeros), variablesReference: 0 },
      ];
      if (ref.ref && summary.size > 0) {
        rows.push({ name: 'values', value: `${summary.size} value(s)`, variablesReference: handle({ kind: 'values', ref: ref.ref, start: 0, end: summary.size }), indexedVariables: summary.size });
      }
      return rows;
    }
    case 'values': {
      const count = ref.end - ref.start;
      if (count > PAGE) {
        // Nested ranges: each child covers an equal share, at least PAGE values.
        let span = PAGE;
        while (count / span > PAGE) span *= PAGE;
        const rows: DebugProtocol.Variable[] = [];
        for (let s = ref.start; s < ref.end; s += span) {
          const e = Math.min(ref.end, s + span);
          rows.push({ name: `[${s}..${e - 1}]`, value: '', variablesReference: handle({ kind: 'values', ref: ref.ref, start: s, end: e }) });
        }
        return rows;
      }
      const page = await server.getTensor({ ...ref.ref, start: ref.start, end: ref.end });
      return page.values.map((v, i) => ({ name: `[${ref.start + i}]`, value: String(v), variablesReference: 0 }));
    }
  }
}
