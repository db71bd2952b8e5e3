/**
 * The hook kinds, as values the webview can use: `src/protocol/runs.ts` also
 * holds JSON-RPC message objects, so the webview imports only its types.
 */
import type { HookKind } from '../src/protocol/runs';

/** Every hook kind, in the order a module sees them. */
export const HOOK_KINDS_LIST: readonly HookKind[] = ['pre', 'forward', 'backward'];
