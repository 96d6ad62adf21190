/**
 * Binary values as strings. A go-store value is a string, so bytes are kept as unstorage keeps
 * them in any string store: `base64:` followed by their base64, which unstorage's own
 * `getItemRaw` fallback decodes too. No `Buffer`: this runs in browsers and workerd as well.
 */

const BASE64_PREFIX = 'base64:';

/** A raw value as it is stored: strings as they are, bytes as `base64:…`. */
export function encodeRaw(value: unknown): string {
  if (typeof value === 'string') return value;
  const bytes = toBytes(value);
  if (bytes === undefined) {
    throw new TypeError(
      `[unstorage] [go-store] a raw value must be a string, Uint8Array or ArrayBuffer, got ${typeof value}`,
    );
  }
  let binary = '';
  // In slices, so a large value never spreads too many arguments at once.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return BASE64_PREFIX + btoa(binary);
}

/** A stored string back as unstorage's raw value: bytes when it was stored as bytes. */
export function decodeRaw(stored: string): string | Uint8Array {
  if (!stored.startsWith(BASE64_PREFIX)) return stored;
  const binary = atob(stored.slice(BASE64_PREFIX.length));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function toBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}
