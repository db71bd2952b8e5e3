/** An error the server reports to the client with a specific code and a one-line message. */
import type { ServerErrorCode } from '../protocol';

/** Thrown by server modules; the request handlers turn it into a JSON-RPC error reply. */
export class ServerError extends Error {
  constructor(readonly code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerError';
  }
}
