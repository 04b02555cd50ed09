// PROTOCOL.md §2: the client_metadata Switchboard sends on every request, like Codex does.
import { CLIENT_METADATA_VALUE_MAX, TURN_STATE_KEY } from './wire.ts';

export type RequestKind = 'prewarm' | 'turn' | 'compaction';

export interface RequestIdentity {
  threadId: string;
  /** The logical turn's id; "" on a prewarm. */
  turnId: string;
  windowGeneration: number;
  requestKind: RequestKind;
  model: string;
}

/**
 * Builds the metadata map. `turnState` is included only when the turn's cell holds a value
 * (§4.3), and only for the WebSocket transport: over HTTP it travels as a header instead.
 * Throws when a value would exceed the 2,048-character limit: truncating an opaque value or a
 * JSON string would corrupt it, and a request the server rejects later is worse than a clear error now.
 */
export function buildClientMetadata(identity: RequestIdentity, turnState: string | undefined): Record<string, string> {
  const turnMetadata = JSON.stringify({
    session_id: identity.threadId,
    thread_id: identity.threadId,
    turn_id: identity.turnId,
    request_kind: identity.requestKind,
    model: identity.model,
  });
  const metadata: Record<string, string> = {
    session_id: identity.threadId,
    thread_id: identity.threadId,
    turn_id: identity.turnId,
    'x-codex-window-id': `${identity.threadId}:${identity.windowGeneration}`,
    'x-codex-turn-metadata': turnMetadata,
  };
  if (turnState !== undefined) metadata[TURN_STATE_KEY] = turnState;
  for (const [key, value] of Object.entries(metadata)) {
    if (value.length > CLIENT_METADATA_VALUE_MAX) {
      throw new Error(`client_metadata "${key}" is ${value.length} characters; the limit is ${CLIENT_METADATA_VALUE_MAX}`);
    }
  }
  return metadata;
}
