/**
 * The one error the template engine throws. A render fails in one of two phases, as Go's
 * does: `parse` for what `template.Parse` reports, `exec` for what `Execute` reports.
 */
export class TemplateError extends Error {
  /** Stable across releases, as every error code of go-store is. */
  readonly code = 'TEMPLATE';
  /** Which of Go's steps failed. */
  readonly phase: 'parse' | 'exec';

  constructor(phase: 'parse' | 'exec', message: string) {
    super(message);
    this.name = 'TemplateError';
    this.phase = phase;
  }
}
