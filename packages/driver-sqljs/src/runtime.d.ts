/**
 * The one host class this package relies on, declared here because it compiles against the
 * ECMAScript library alone (no DOM, no Node types), so that it stays usable on every runtime.
 * Every JavaScript runtime we support provides it.
 */
declare global {
  interface TextDecoderOptions {
    fatal?: boolean;
    ignoreBOM?: boolean;
  }
  interface TextDecoder {
    decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
  }
  // A `var`, as the DOM's own declaration is, so that it is a property of `globalThis`.
  var TextDecoder: { prototype: TextDecoder; new (label?: string, options?: TextDecoderOptions): TextDecoder };
}

export {};
