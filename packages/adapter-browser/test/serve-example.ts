/**
 * Serves the example notes page (and the test pages) for a person to open:
 *
 *   pnpm run build && pnpm --filter @go-store/adapter-browser example
 *
 * then open the printed address in a browser with OPFS (Chromium, Firefox, Safari). Stop with
 * Ctrl+C. `PORT` chooses the port (default 8080): OPFS data belongs to the origin, port included.
 */
import { bundlePages } from './bundle.js';
import { serveStatic } from './server.js';

const server = await serveStatic(await bundlePages(), Number(process.env.PORT ?? 8080));
console.log(`notes example: ${server.origin}/notes.html`);
console.log(`cross-origin isolated (COOP/COEP) copy: ${server.origin}/coi/notes.html`);
