// The one thing the evaluation session needs from a transport: send a CDP command, hear its events, know
// when it closes. Remote targets use chrome-remote-interface (cdp-client.ts); the in-process console uses
// node:inspector (inspector-channel.ts).
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';

export type Commands = ProtocolMapping.Commands;
export type Events = ProtocolMapping.Events;
export type Method = keyof Commands & string;
export type Params<M extends keyof Commands> = Commands[M]['paramsType'] extends [infer P] | [] ? P : never;
export type Result<M extends keyof Commands> = Commands[M]['returnType'];

/** A CDP connection: commands, events and its end. */
export interface Channel {
  send<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>>;
  /** Node-only commands (NodeRuntime.*) that the protocol types do not list. */
  sendRaw(method: string, params?: object): Promise<unknown>;
  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): () => void;
  onRaw(event: string, listener: (params: unknown) => void): () => void;
  /**
   * Nobody waits for this reply any more (an aborted aeval, an abandoned entry): where a pending reply
   * keeps this process alive (the in-process worker channel), this one no longer does.
   */
  abandon?(reply: Promise<unknown>): void;
  /** Resolves with a reason once the connection is gone, whoever closed it. */
  readonly closed: Promise<string>;
  close(): Promise<void>;
}
