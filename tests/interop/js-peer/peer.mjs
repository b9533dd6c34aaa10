#!/usr/bin/env node
// Entry point of the js-libp2p interop peer (see README.md).
// The polyfill is imported first and everything that touches libp2p is loaded afterwards with a
// dynamic import, so Promise.withResolvers exists before any libp2p module runs (Node 20).
import './polyfill.mjs'

const { main } = await import('./lib/cli.mjs')
const code = await main(process.argv.slice(2))
if (code !== undefined) {
  await new Promise((resolve) => process.stdout.write('', resolve))
  process.exit(code)
}
