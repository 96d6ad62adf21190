/** The request's path as decoded segments: `/t/acme/kv/a%2Fb/k` → `['t', 'acme', 'kv', 'a/b', 'k']`. */
export function pathSegments(request: Request): string[] {
  return new URL(request.url).pathname.split('/').slice(1).map(decodeURIComponent);
}
