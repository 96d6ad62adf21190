/**
 * Progress of a long command (dump, load, stats, purge), shown on stderr only when stderr is
 * a terminal: a pipe or a log file never receives it.
 */
import type { Writable } from 'node:stream';

/** At most this often the line is redrawn, in ms. */
const REDRAW_MS = 100;

/** A one-line progress display that redraws itself in place and clears itself at the end. */
export class Progress {
  readonly #stream: (Writable & { isTTY?: boolean }) | undefined;
  readonly #label: string;
  readonly #total: number | undefined;
  #lastDraw = 0;
  #drawn = false;

  /** `stream` is stderr; nothing is shown unless it is a TTY. */
  constructor(stream: Writable & { isTTY?: boolean }, label: string, total?: number) {
    this.#stream = stream.isTTY === true ? stream : undefined;
    this.#label = label;
    this.#total = total;
  }

  /** Reports `done` units so far; redraws at most every {@link REDRAW_MS}. */
  update(done: number): void {
    if (this.#stream === undefined) return;
    const now = Date.now();
    if (this.#drawn && now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    this.#drawn = true;
    const count = done.toLocaleString('en-GB');
    const of = this.#total === undefined ? '' : ` of ${this.#total.toLocaleString('en-GB')}`;
    this.#stream.write(`\r\x1b[2K${this.#label} ${count}${of}`);
  }

  /** Clears the line, leaving the terminal as it was. */
  end(): void {
    if (this.#stream !== undefined && this.#drawn) this.#stream.write('\r\x1b[2K');
  }
}
