/**
 * The port broker: a shared worker (the same worker.js, started as a SharedWorker by every page
 * that opens a store on the main thread) through which a tab's database worker gets a
 * `MessagePort` straight to the leading worker of another tab.
 *
 * Calls and answers between contexts travel on the database's BroadcastChannel until then.
 * Chromium relays a BroadcastChannel message through its browser process, and measured here a
 * round trip between two tabs' workers cost 1.3–1.8 times as much over it as over a port, for
 * one small message and for a batch of 1,000 answers alike. A BroadcastChannel cannot carry a
 * port, and a dedicated worker cannot start a shared worker, so the page hands its database
 * worker a port to the broker ({@link BrokerHello}), and the broker passes each follower's port
 * on to the leader it names. Nothing depends on the broker: a context without one (an app's own
 * worker, a browser without shared workers) stays on the channel, and so does a follower whose
 * port the leader never confirms.
 */

/** The version of the broker's messages; a message of another version is ignored. */
export const BROKER_PROTOCOL = 2;

/** What a page sends its database worker: its port to the broker. */
export interface BrokerHello {
  readonly broker: MessagePort;
}

/**
 * A message to or from the broker, about the database `key`:
 * - `lead`: the sender's context leads it as `leader` from now on;
 * - `connect`: pass `port` to `leader`, for the context `member`;
 * - `client`: (from the broker, to the leader) `member`'s port.
 *
 * A page's database worker also asks for a port for the page itself (`reader`), on which the
 * page sends its stores' plain reads straight to the leader.
 */
export type BrokerMessage = { readonly v: typeof BROKER_PROTOCOL; readonly key: string; readonly leader: string } & (
  | { readonly t: 'lead' }
  | {
      readonly t: 'connect' | 'client';
      readonly member: string;
      readonly port: MessagePort;
      /** For a page's reads only (see membership.ts), not the member's own calls and events. */
      readonly reader?: true;
    }
);

/** The part of a shared worker's global scope used here. */
interface SharedScope {
  onconnect: ((event: MessageEvent) => void) | null;
}

/** Whether this module runs in a shared worker (worker.js then serves as the broker). */
export function inSharedWorker(): boolean {
  return 'onconnect' in globalThis;
}

/** Serves as the broker: remembers each database's leader and passes followers' ports to it. */
export function serveBroker(): void {
  const scope = globalThis as unknown as SharedScope;
  const leaders = new Map<string, { readonly leader: string; readonly port: MessagePort }>();
  scope.onconnect = (event) => {
    const port = event.ports[0];
    if (port === undefined) return;
    port.onmessage = ({ data }: MessageEvent<BrokerMessage>) => {
      if (data?.v !== BROKER_PROTOCOL) return;
      if (data.t === 'lead') {
        leaders.set(data.key, { leader: data.leader, port });
        return;
      }
      if (data.t !== 'connect') return;
      const lead = leaders.get(data.key);
      // A leader that has gone (or was replaced) confirms nothing, and the follower stays on
      // the channel; a port posted to a context that is gone is dropped with it.
      if (lead === undefined || lead.leader !== data.leader) {
        data.port.close();
        return;
      }
      const client: BrokerMessage = { ...data, t: 'client' };
      lead.port.postMessage(client, [data.port]);
    };
  };
}
