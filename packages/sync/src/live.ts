/**
 * The live channel, server side: server-sent events telling connected clients that something
 * changed, so they pull within moments instead of at their next scheduled sync. The events
 * carry no data (a client still pulls, authorised and by cursor), so a missed event costs only
 * latency.
 */

const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

export class LiveHub {
  readonly #streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Opens an event stream for one client, closed when `signal` aborts or the hub closes. */
  open(signal: AbortSignal | undefined): Response {
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        this.#streams.add(c);
        // Tells the client the channel is open: changes made before it connected are pulled now.
        c.enqueue(encoder.encode('retry: 1000\nevent: change\ndata: \n\n'));
        this.#startHeartbeat();
      },
      cancel: () => {
        if (controller) this.#drop(controller);
      },
    });
    signal?.addEventListener('abort', () => {
      if (controller) this.#end(controller);
    });
    return new Response(stream, {
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' },
    });
  }

  /** Tells every open stream that something changed. */
  notify(): void {
    this.#send('event: change\ndata: \n\n');
  }

  close(): void {
    for (const controller of [...this.#streams]) this.#end(controller);
  }

  #send(text: string): void {
    const bytes = encoder.encode(text);
    for (const controller of [...this.#streams]) {
      try {
        controller.enqueue(bytes);
      } catch {
        this.#drop(controller);
      }
    }
  }

  #end(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.#drop(controller);
    try {
      controller.close();
    } catch {
      // Already closed by the other side.
    }
  }

  #drop(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.#streams.delete(controller);
    if (this.#streams.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #startHeartbeat(): void {
    if (this.#timer !== undefined) return;
    // A comment line keeps proxies from closing an idle stream.
    this.#timer = setInterval(() => this.#send(': heartbeat\n\n'), HEARTBEAT_MS);
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
