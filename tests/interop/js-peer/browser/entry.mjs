// The browser peer: js-libp2p 3.x with the WebSocket transport, Noise, yamux, identify and ping,
// bundled by build.mjs (esbuild) and driven by run.mjs in headless Chromium. window.rxnetBrowserPeer.run
// dials a node over /ws and runs the checks; each result is an object { check, ok, ... }.
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { readAll, sendAll, timeoutSignal } from '../lib/streams.mjs'

const ECHO = '/echo/1.0.0'

/** The protocol the node opens back to us over the same connection: we echo it. */
export const BROWSER_ECHO = '/rxnet/browser-echo/1.0.0'

function random (n) {
  const bytes = new Uint8Array(n)
  for (let offset = 0; offset < n; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(n, offset + 65536)))
  }
  return bytes
}

function equalBytes (a, b) {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

function describe (err) {
  return err == null ? undefined : `${err.name ?? 'Error'}: ${err.message ?? err}`
}

async function echoOnce (connection, payload, signal) {
  const stream = await connection.newStream(ECHO, { signal })
  const reading = readAll(stream, signal)
  await sendAll(stream, payload, signal)
  await stream.close({ signal })
  const echoed = await reading
  if (!equalBytes(payload, echoed)) {
    throw new Error(`echo of ${payload.byteLength} bytes came back as ${echoed.byteLength} different bytes`)
  }
}

async function check (results, name, fn) {
  const started = performance.now()
  try {
    const fields = await fn()
    results.push({ check: name, ok: true, ms: Math.round(performance.now() - started), ...fields })
  } catch (err) {
    results.push({ check: name, ok: false, error: describe(err) })
  }
}

async function run (address, { echoBytes = 1024 * 1024, streams = 50, timeoutMs = 60000 } = {}) {
  let served
  const reverseServed = new Promise((resolve) => { served = resolve })
  const node = await createLibp2p({
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // In a browser the default gater refuses insecure /ws and private addresses (127.0.0.1 among
    // them) with DialDeniedError; this page dials a node on loopback on purpose.
    connectionGater: { denyDialMultiaddr: async () => false },
    // Identify runs once, as the 'identify' check: run on connection open as well (the default),
    // it races that check, and js-libp2p allows one outbound /ipfs/id stream per connection
    // (TooManyOutboundProtocolStreamsError when the automatic one has not closed yet).
    services: { identify: identify({ runOnConnectionOpen: false }), ping: ping() }
  })
  await node.handle(BROWSER_ECHO, async (stream) => {
    try {
      const bytes = await readAll(stream, timeoutSignal(timeoutMs, 'browser echo'))
      await sendAll(stream, bytes)
      await stream.close()
      served({ bytes: bytes.byteLength })
    } catch (err) {
      stream.abort(err)
      served({ error: describe(err) })
    }
  })

  const results = [{ check: 'start', ok: true, peerId: node.peerId.toString(), userAgent: navigator.userAgent }]
  const signal = timeoutSignal(timeoutMs, 'browser checks')
  let connection
  await check(results, 'dial', async () => {
    connection = await node.dial(multiaddr(address), { signal })
    return { remoteAddr: connection.remoteAddr.toString(), encryption: connection.encryption, multiplexer: connection.multiplexer }
  })
  if (connection == null) return results

  await check(results, 'ping', async () => ({ rttMs: await node.services.ping.ping(connection.remotePeer, { signal }) }))
  await check(results, 'identify', async () => {
    const r = await node.services.identify.identify(connection, { signal })
    return { agentVersion: r.agentVersion, protocols: r.protocols }
  })
  await check(results, 'echo', async () => {
    await echoOnce(connection, random(echoBytes), signal)
    return { bytes: echoBytes }
  })
  await check(results, 'streams', async () => {
    await Promise.all(Array.from({ length: streams }, (_, i) => echoOnce(connection, random(1000 + i * 97), signal)))
    return { streams }
  })
  await check(results, 'reverse', async () => {
    const r = await Promise.race([reverseServed, new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    })])
    if (r.error != null) throw new Error(r.error)
    return { bytes: r.bytes, connections: node.getConnections().length }
  })
  signal.clear()
  await node.stop()
  return results
}

// Loaded by index.html: the driver calls this with page.evaluate.
globalThis.rxnetBrowserPeer = { run }
