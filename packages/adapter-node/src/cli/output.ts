/**
 * Writing to stdout and stderr with back-pressure, so a dump of millions of lines to a slow
 * pipe stays within bounded memory, and a reader that goes away (`| head`) ends the command
 * quietly rather than with an EPIPE error.
 */
import type { Writable } from 'node:stream';

/** Lines are gathered into chunks of about this many characters before each write. */
const CHUNK = 64 * 1024;

/** The reader of our output has gone away (a closed pipe): stop writing, it is not a failure. */
export class OutputClosedError extends Error {
  override name = 'OutputClosedError';
}

/** A buffered, back-pressured writer of text to one stream. */
export class Output {
  readonly #stream: Writable;
  #pending = '';
  #closed = false;

  constructor(stream: Writable) {
    this.#stream = stream;
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.#closed = true;
    });
  }

  /** Queues text; writes once a chunk's worth has gathered, waiting if the stream is full. */
  async write(text: string): Promise<void> {
    this.#pending += text;
    if (this.#pending.length >= CHUNK) await this.flush();
  }

  /** Writes whatever is queued, waiting for the stream to accept it. */
  async flush(): Promise<void> {
    if (this.#closed) throw new OutputClosedError('output closed');
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    if (this.#stream.write(text)) return;
    await drained(this.#stream);
    if (this.#closed) throw new OutputClosedError('output closed');
  }
}

/** Resolves when the stream drains, closes or fails, leaving no listener behind. */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
