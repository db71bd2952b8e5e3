/**
 * Error codes the model server puts in JSON-RPC error replies, beyond the
 * standard `InvalidParams` (-32602) it uses for malformed params. Positive, so
 * they never collide with the ranges JSON-RPC and LSP reserve (negative).
 * The error's `message` is always one line meant for the user.
 */
export const ServerErrorCodes = {
  /** No open model has the given `modelId` (it was closed, or the server restarted). */
  modelNotFound: 1001,
  /** The model has no module, or no such tensor group, at the given path. */
  moduleNotFound: 1002,
  /** The model file could not be loaded; the message is `<file>: <problem>`. */
  loadFailed: 1003,
  /** A run is active (or paused) and the request needs the worker idle; the message says which run. */
  busy: 1004,
  /** A captured tensor was evicted or cleared, or no parameter/buffer has that name. */
  tensorNotFound: 1005,
  /** The run was stopped, or the worker died and was restarted during the request. */
  interrupted: 1006,
} as const;

/** One of {@link ServerErrorCodes}. */
export type ServerErrorCode = typeof ServerErrorCodes[keyof typeof ServerErrorCodes];
