/**
 * Turns a "Show in Panel" target into the `focus` message the webview gets: a
 * module as is; a captured tensor as the event and slot of the panel's log
 * that holds it, or, when the log does not (the event came before the panel
 * opened), as a snapshot read from the server; a parameter or buffer as a
 * snapshot of its current value, labelled with the run it was taken after.
 * Plain TypeScript (no `vscode`), unit-tested in Node.
 */
import { assertNever, type FocusTarget } from '../../protocol';
import type { EventLog } from './eventLog';
import type { PanelTarget } from './panelTarget';
import type { RunHistory } from './runHistory';
import type { SnapshotStore } from './snapshots';
import type { TensorReader } from './tensorValues';

/** What resolving a target reads. */
export interface FocusSources {
  readonly log: EventLog;
  readonly snapshots: SnapshotStore;
  readonly runs: RunHistory;
  readonly read: TensorReader;
  /** A model's display name (its root module's class). */
  modelName(modelId: string): Promise<string>;
}

/** The focus message for a target; snapshots are read from the server and kept in `from.snapshots`. */
export async function resolveFocus(target: PanelTarget, from: FocusSources): Promise<FocusTarget> {
  switch (target.kind) {
    case 'module':
      return { kind: 'module', modelId: target.modelId, model: await from.modelName(target.modelId), path: target.path };
    case 'event':
      return { kind: 'event', eventId: target.eventId, slot: target.slot };
    case 'parameter':
    case 'buffer': {
      const snapshot = await from.snapshots.take({ modelId: target.modelId, name: target.path }, {
        source: target.kind, modelId: target.modelId, model: await from.modelName(target.modelId), name: target.path,
        afterRun: from.runs.lastEndedRun(target.modelId), pausedRun: from.runs.pausedRun(target.modelId),
      }, from.read);
      return { kind: 'snapshot', snapshot };
    }
    case 'capture': {
      const found = from.log.findTensor(target.tensorId);
      if (found) return { kind: 'event', eventId: found.entry.panel.id, slot: found.slot };
      const e = target.event;
      const slot = e && target.slot !== undefined ? e.tensors[target.slot]?.slot : undefined;
      const snapshot = await from.snapshots.take({ tensorId: target.tensorId }, {
        source: 'capture', modelId: e?.modelId ?? '', model: e ? await from.modelName(e.modelId) : '',
        name: e ? `${slot ?? 'tensor'} of ${e.path || '(root)'} (${e.kind} hook)` : 'captured tensor',
        afterRun: e?.runId ?? null, pausedRun: null,
      }, from.read);
      return { kind: 'snapshot', snapshot };
    }
    default:
      return assertNever(target, 'panel target');
  }
}
