/**
 * Binds the protocol's requests to the registry and the tree queries. Every
 * handler validates its params first and turns every failure into an error
 * reply, so no message a client sends can take the server down.
 */
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import {
  CloseModelRequest, DEFAULT_PAGE_SIZE, GetChildrenRequest, ListModelsRequest, OpenModelRequest, ServerInfoRequest,
  SetTrainingRequest, validateCloseModelParams, validateGetChildrenParams, validateOpenModelParams, validateSetTrainingParams,
  type CloseModelParams, type GetChildrenParams, type OpenModelParams, type ServerInfo, type SetTrainingParams,
} from '../protocol';
import type { ModelRegistry } from './modelRegistry';
import { ServerError } from './serverError';
import { listChildren, setTraining } from './treeQueries';

/** The error reply for a failure: its code when it is a {@link ServerError}, else an internal error. */
export function toResponseError(err: unknown): ResponseError<void> {
  if (err instanceof ServerError) return new ResponseError(err.code, err.message);
  const message = err instanceof Error ? err.message : String(err);
  return new ResponseError(ErrorCodes.InternalError, message.split('\n')[0] || 'internal error');
}

/**
 * Wraps a handler: params that fail `validate` get an `InvalidParams` reply,
 * a thrown error gets {@link toResponseError}.
 */
function checked<P, R>(validate: (p: unknown) => string | undefined, handler: (p: P) => R | Promise<R>) {
  return async (params: P): Promise<R | ResponseError<void>> => {
    const problem = validate(params);
    if (problem) return new ResponseError(ErrorCodes.InvalidParams, problem);
    try {
      return await handler(params);
    } catch (err) {
      return toResponseError(err);
    }
  };
}

/**
 * Registers every request handler.
 *
 * @param ready - resolves with the server info once a backend is active; model requests wait for it
 */
export function registerHandlers(connection: Connection, registry: ModelRegistry, ready: Promise<ServerInfo>): void {
  connection.onRequest(ServerInfoRequest, () => ready);
  connection.onRequest(ListModelsRequest, async () => {
    await ready;
    return { models: registry.list() };
  });
  connection.onRequest(OpenModelRequest, checked(validateOpenModelParams, async (p: OpenModelParams) => {
    // Model constructors create tensors, which must land on the chosen backend.
    await ready;
    return registry.open(p.file);
  }));
  connection.onRequest(CloseModelRequest, checked(validateCloseModelParams, (p: CloseModelParams) => ({ closed: registry.close(p.modelId) })));
  connection.onRequest(GetChildrenRequest, checked(validateGetChildrenParams, (p: GetChildrenParams) =>
    listChildren(p.modelId, registry.root(p.modelId), p.path, p.group, p.offset ?? 0, p.limit ?? DEFAULT_PAGE_SIZE)));
  connection.onRequest(SetTrainingRequest, checked(validateSetTrainingParams, (p: SetTrainingParams) => {
    const changed = setTraining(p.modelId, registry.root(p.modelId), p.path, p.mode, p.recursive);
    if (changed > 0) registry.trainingChanged(p.modelId, p.path);
    return { changed };
  }));
}
