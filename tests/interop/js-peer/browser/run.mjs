#!/usr/bin/env node
// Runs the browser peer: bundles entry.mjs (esbuild), serves it from a tiny static server on
// 127.0.0.1 (port 0), opens it in headless Chromium through puppeteer-core (the system's binary,
// no browser download) and dials ADDRESS from the page. Prints one JSON line per check on stdout
// ({"check":…,"ok":…}); exits 0 when every check passed, 1 when one failed, 2 on usage errors, 3
// when Chromium is missing or the page could not run.
//
//   node browser/run.mjs ADDRESS [--chromium PATH] [--echo-bytes N] [--streams K] [--timeout-ms MS]
import { createServer } from 'node:http'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import puppeteer from 'puppeteer-core'
import { bundle } from './build.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))

function out (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function serve (files) {
  const server = createServer((req, res) => {
    const name = new URL(req.url, 'http://localhost').pathname.slice(1) || 'index.html'
    const file = files[name]
    if (name === 'favicon.ico') {
      res.writeHead(204).end()
      return
    }
    if (file == null) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

async function main (argv) {
  let values, positionals
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        chromium: { type: 'string', default: process.env.CHROMIUM ?? '/usr/bin/chromium' },
        'echo-bytes': { type: 'string', default: String(1024 * 1024) },
        streams: { type: 'string', default: '50' },
        'timeout-ms': { type: 'string', default: '60000' }
      },
      allowPositionals: true
    }))
    if (positionals.length !== 1) throw new Error('give exactly one ADDRESS')
  } catch (err) {
    process.stderr.write(`usage: node browser/run.mjs ADDRESS [--chromium PATH] [--echo-bytes N] [--streams K] [--timeout-ms MS]\n${err.message}\n`)
    return 2
  }
  if (!existsSync(values.chromium)) {
    out({ check: 'chromium', ok: false, error: `no Chromium at ${values.chromium} (apt-get install chromium)` })
    return 3
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'rxnet-browser-'))
  let server
  let browser
  try {
    await bundle(dir)
    server = await serve({
      'index.html': { type: 'text/html', body: readFileSync(path.join(here, 'index.html')) },
      'bundle.js': { type: 'text/javascript', body: readFileSync(path.join(dir, 'bundle.js')) }
    })
    const page = `http://127.0.0.1:${server.address().port}/`
    browser = await puppeteer.launch({
      executablePath: values.chromium,
      headless: true,
      // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
      protocolTimeout: Number(values['timeout-ms']) + 60000
    })
    const tab = await browser.newPage()
    tab.on('console', (msg) => process.stderr.write(`[page ${msg.type()}] ${msg.text()}\n`))
    tab.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`))
    await tab.goto(page, { waitUntil: 'load' })
    await tab.waitForFunction(() => globalThis.rxnetBrowserPeer != null, { timeout: 30000 })
    const results = await tab.evaluate(
      (address, options) => globalThis.rxnetBrowserPeer.run(address, options),
      positionals[0],
      { echoBytes: Number(values['echo-bytes']), streams: Number(values.streams), timeoutMs: Number(values['timeout-ms']) })
    for (const r of results) out(r)
    return results.every((r) => r.ok) ? 0 : 1
  } catch (err) {
    out({ check: 'browser', ok: false, error: `${err.name}: ${err.message}` })
    return 3
  } finally {
    await browser?.close().catch(() => {})
    server?.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const code = await main(process.argv.slice(2))
await new Promise((resolve) => process.stdout.write('', resolve))
process.exit(code)
