// Bundles entry.mjs for the browser with esbuild (from npm): one ES module, bundle.js, in outDir.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))

/** Writes outDir/bundle.js and returns its path. */
export async function bundle (outDir) {
  const outfile = path.join(outDir, 'bundle.js')
  await build({
    entryPoints: [path.join(here, 'entry.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome110',
    outfile,
    logLevel: 'warning',
    // lib/streams.mjs uses node:events' setMaxListeners; main-event has the browser equivalent.
    alias: { 'node:events': 'main-event' }
  })
  return outfile
}
