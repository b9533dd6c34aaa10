// The dial-mode checks. Each one returns extra fields for its result line or throws; the runner
// turns that into {"check":NAME,"ok":true,...} or {"check":NAME,"ok":false,"error":...}.
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CODE_P2P } from '@multiformats/multiaddr'
import { ECHO, RESET, SINK } from './protocols.mjs'
import { readAll, readStream, sendAll } from './streams.mjs'
import { perfOnce } from './perf.mjs'

export const CHECK_NAMES = ['ping', 'echo', 'streams', 'reset', 'identify', 'wrong-peer', 'sink', 'perf']

const PINGS_PER_CHECK = 3

function random (n) {
  return new Uint8Array(randomBytes(n))
}

function equalBytes (a, b) {
  return a.byteLength === b.byteLength && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0
}

/** Index of the first differing byte, for error messages. */
function firstDifference (a, b) {
  const n = Math.min(a.byteLength, b.byteLength)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return n
}

/**
 * Sends payload on a new /echo/1.0.0 stream, half-closes, reads the echo until the remote
 * half-closes and verifies it byte for byte. Reading runs concurrently with writing so a large
 * payload cannot deadlock on flow control.
 */
async function echoOnce (connection, payload, signal) {
  const stream = await connection.newStream(ECHO, { signal })
  try {
    const received = new Uint8Array(payload.byteLength)
    let got = 0
    const reading = readStream(stream, (chunk) => {
      if (got + chunk.byteLength > payload.byteLength) {
        throw new Error(`echo returned more than the ${payload.byteLength} bytes sent`)
      }
      received.set(chunk, got)
      got += chunk.byteLength
    }, signal)
    reading.catch(() => {}) // awaited below; this only keeps an early failure from being "unhandled"
    // Observe a read failure even while the write is still waiting for a drain.
    const readFailure = reading.then(() => new Promise(() => {}), (err) => { throw err })
    readFailure.catch(() => {})
    await Promise.race([
      (async () => {
        await sendAll(stream, payload, signal)
        await stream.close({ signal })
      })(),
      readFailure
    ])
    await reading
    if (got !== payload.byteLength) {
      throw new Error(`echo returned ${got} of ${payload.byteLength} bytes before the remote closed`)
    }
    if (!equalBytes(received, payload)) {
      throw new Error(`echo returned different bytes (first difference at offset ${firstDifference(received, payload)})`)
    }
  } catch (err) {
    stream.abort(err)
    throw err
  }
}

const PING = '/ipfs/ping/1.0.0'
const PING_STREAM_CLOSE_WAIT_MS = 5000

function delay (ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason) }, { once: true })
  })
}

/**
 * @libp2p/ping allows one outbound ping stream per connection (its connection monitor counts
 * too), so wait until earlier ones are fully closed; one that stays open means the remote never
 * closed its side after our half-close.
 */
async function waitForPingStreamsClosed (connection, signal) {
  const deadline = Date.now() + PING_STREAM_CLOSE_WAIT_MS
  const open = () => connection.streams.filter((s) =>
    s.direction === 'outbound' && s.protocol === PING && s.status === 'open')
  while (open().length > 0) {
    if (Date.now() > deadline) {
      const s = open()[0]
      throw new Error(`an earlier ${PING} stream is still open after ${PING_STREAM_CLOSE_WAIT_MS} ms ` +
        `(remote write side ${s.remoteWriteStatus}): the remote did not close its side after ours`)
    }
    await delay(20, signal)
  }
}

async function checkPing ({ node, connection }, signal) {
  const rtts = []
  for (let i = 0; i < PINGS_PER_CHECK; i++) {
    await waitForPingStreamsClosed(connection, signal)
    try {
      rtts.push(await node.services.ping.ping(connection.remotePeer, { signal }))
    } catch (err) {
      // The connection monitor's own ping may have taken the single slot just now: retry once.
      if (err.name !== 'TooManyOutboundProtocolStreamsError') throw err
      await waitForPingStreamsClosed(connection, signal)
      rtts.push(await node.services.ping.ping(connection.remotePeer, { signal }))
    }
  }
  return { rttMs: rtts[rtts.length - 1], rtts }
}

async function checkEcho ({ connection, options }, signal) {
  const started = performance.now()
  await echoOnce(connection, random(options.bytes), signal)
  const ms = performance.now() - started
  return { bytes: options.bytes, ms: Math.round(ms), mibPerSecond: Number(((options.bytes / 1048576) / (ms / 1000)).toFixed(2)) }
}

async function checkSink ({ connection, options }, signal) {
  const stream = await connection.newStream(SINK, { signal })
  try {
    const reply = readAll(stream, signal)
    reply.catch(() => {}) // awaited below
    await sendAll(stream, random(options.bytes), signal)
    await stream.close({ signal })
    const bytes = await reply
    if (bytes.byteLength !== 8) {
      throw new Error(`sink replied with ${bytes.byteLength} bytes, expected an 8-byte count`)
    }
    const count = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, false)
    if (count !== BigInt(options.bytes)) {
      throw new Error(`sink counted ${count} bytes, ${options.bytes} were sent`)
    }
    return { bytes: options.bytes }
  } catch (err) {
    stream.abort(err)
    throw err
  }
}

async function checkStreams ({ connection, options }, signal) {
  // Lengths differ per stream so that bytes delivered to the wrong stream are caught by length too.
  const payloads = Array.from({ length: options.streams },
    (_, i) => random(Math.max(1, options.streamBytes - i)))
  await Promise.all(payloads.map((p) => echoOnce(connection, p, signal)))
  return { streams: options.streams, bytesPerStream: options.streamBytes }
}

async function checkReset ({ connection }, signal) {
  // 1. A local abort: the remote must see a reset (a js listener logs stream-close with reset:true).
  const echo = await connection.newStream(ECHO, { signal })
  const probe = random(1024)
  let echoed = 0
  const reading = readStream(echo, (chunk) => {
    echoed += chunk.byteLength
    return echoed < probe.byteLength ? undefined : false
  }, signal)
  reading.catch(() => {}) // awaited below
  await sendAll(echo, probe, signal)
  await reading // the remote handler is live: it echoed the probe
  const abortError = new Error('interop reset check: local abort')
  abortError.name = 'InteropResetCheck'
  echo.abort(abortError)
  if (echo.status !== 'aborted') {
    throw new Error(`locally aborted stream has status ${echo.status}, expected aborted`)
  }

  // 2. A remote reset: /reset/1.0.0 resets after the first byte; reading must fail, not end.
  const victim = await connection.newStream(RESET, { signal })
  await sendAll(victim, random(16), signal)
  let remoteError
  try {
    await readStream(victim, () => {}, signal)
  } catch (err) {
    if (signal.aborted) throw err
    remoteError = err
  }
  if (remoteError == null) {
    throw new Error(`${RESET} stream ended cleanly; expected the remote to reset it`)
  }
  if (victim.status !== 'reset') {
    throw new Error(`${RESET} stream failed with ${remoteError.name} but has status ${victim.status}, expected reset`)
  }
  return { localAbort: true, remoteResetError: remoteError.name }
}

async function checkIdentify ({ node, connection }, signal) {
  const r = await node.services.identify.identify(connection, { signal })
  return {
    protocols: r.protocols,
    agentVersion: r.agentVersion ?? null,
    protocolVersion: r.protocolVersion ?? null,
    listenAddrs: r.listenAddrs.map((a) => a.toString()),
    observedAddr: r.observedAddr?.toString() ?? null
  }
}

/** Walks an error, its cause and AggregateError members. */
function * errorChain (err, depth = 0) {
  if (err == null || depth > 8) return
  yield err
  if (Array.isArray(err.errors)) for (const e of err.errors) yield * errorChain(e, depth + 1)
  if (err.cause != null) yield * errorChain(err.cause, depth + 1)
}

async function checkWrongPeer ({ node, target }, signal) {
  const wrongPeer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const addr = target.decapsulateCode(CODE_P2P).encapsulate(`/p2p/${wrongPeer}`)
  let dialError
  try {
    const c = await node.dial(addr, { signal })
    await c.close().catch(() => {})
  } catch (err) {
    if (signal.aborted) throw err
    dialError = err
  }
  if (dialError == null) {
    throw new Error(`dial to ${addr} succeeded; expected it to fail because the remote is not ${wrongPeer}`)
  }
  // Only the identity check counts: the Noise initiator compares the responder's identity key with
  // the dialed peer id before it verifies the signature, so a broken handshake fails differently.
  // The upgrader rethrows noise's UnexpectedPeerError as EncryptionFailedError with its message;
  // @libp2p/tls throws a bare UnexpectedPeerError ('Unexpected Peer') once it has derived the peer ID.
  const mismatch = [...errorChain(dialError)].find((e) =>
    (e.name === 'UnexpectedPeerError' || e.name === 'EncryptionFailedError') &&
    /does not match expected remote identity key|^Unexpected Peer$/.test(e.message ?? ''))
  if (mismatch == null) {
    throw new Error(`dial failed, but not with a peer id mismatch: ${dialError.name}: ${dialError.message}`)
  }
  return { dialedPeer: wrongPeer.toString(), rejectedWith: mismatch.name }
}

/**
 * One libp2p perf exchange (/perf/1.0.0): uploads --bytes and asks for --bytes back, as the perf
 * spec's client does; reports the payload rate of each direction's share of the wall time.
 */
async function checkPerf ({ connection, options }, signal) {
  const ms = await perfOnce(connection, options.bytes, options.bytes, signal)
  const mbps = (2 * options.bytes) / 1e6 / (ms / 1000)
  return { bytes: options.bytes, ms: Math.round(ms), mbps: Math.round(mbps * 10) / 10 }
}

export const CHECKS = {
  ping: checkPing,
  echo: checkEcho,
  streams: checkStreams,
  reset: checkReset,
  identify: checkIdentify,
  'wrong-peer': checkWrongPeer,
  sink: checkSink,
  perf: checkPerf
}
