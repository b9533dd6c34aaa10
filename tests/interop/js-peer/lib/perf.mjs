// The libp2p perf protocol (/perf/1.0.0, libp2p/specs perf/perf.md) and the measurements that
// tests/perf/compare.sh runs against any libp2p peer: throughput on one or several parallel
// streams, full handshakes per second, and ping round trips.
//
// @libp2p/perf is not served by this machine's npm registry, so the protocol is implemented here
// (it is 30 lines): the client sends the number of bytes it wants back as 8 bytes big-endian,
// uploads, half-closes; the server drains the upload, sends the requested bytes and closes.
import { randomBytes } from 'node:crypto'
import { readStream, waitForDrain } from './streams.mjs'

export const PERF = '/perf/1.0.0'
const PING = '/ipfs/ping/1.0.0'
const PING_SIZE = 32
const PING_CLOSE_WAIT_MS = 30000

/** Bytes per send(): the same 64 KiB blocks the C# perf service writes. */
const BLOCK = new Uint8Array(64 * 1024)

/** The most bytes a client may ask for (the C# server's limit too: 16 GiB). */
const MAX_DOWNLOAD = 16n << 30n

/** Limits high enough for 16 parallel perf streams and back-to-back runs. */
export const PERF_HANDLER_OPTIONS = { maxInboundStreams: 1024, maxOutboundStreams: 1024 }

/** Sends `count` zero bytes in 64 KiB blocks, waiting for 'drain' whenever send() says so. */
async function sendZeros (stream, count, signal) {
  let left = count
  while (left > 0) {
    const n = Math.min(left, BLOCK.byteLength)
    if (!stream.send(n === BLOCK.byteLength ? BLOCK : BLOCK.subarray(0, n))) {
      await waitForDrain(stream, signal)
    }
    left -= n
  }
}

/** Serves /perf/1.0.0 on one inbound stream. */
export async function perfHandler (stream) {
  try {
    const header = new Uint8Array(8)
    let headerBytes = 0
    await readStream(stream, (chunk) => {
      if (headerBytes < 8) {
        const take = Math.min(8 - headerBytes, chunk.byteLength)
        header.set(chunk.subarray(0, take), headerBytes)
        headerBytes += take
      }
    })
    if (headerBytes < 8) throw new Error('the perf request ended before its 8-byte length')
    const requested = new DataView(header.buffer).getBigUint64(0, false)
    if (requested > MAX_DOWNLOAD) throw new Error(`the perf request asks for ${requested} bytes`)
    await sendZeros(stream, Number(requested))
    await stream.close()
  } catch (err) {
    stream.abort(err)
  }
}

/**
 * One perf exchange on a new stream: upload `up` bytes, download `down`. Resolves with the
 * milliseconds from opening the stream to the end of the download.
 */
export async function perfOnce (connection, up, down, signal) {
  const started = performance.now()
  const stream = await connection.newStream(PERF, { signal, ...PERF_HANDLER_OPTIONS })
  try {
    let received = 0
    const reading = readStream(stream, (chunk) => { received += chunk.byteLength }, signal)
    reading.catch(() => {})
    const header = new Uint8Array(8)
    new DataView(header.buffer).setBigUint64(0, BigInt(down), false)
    if (!stream.send(header)) await waitForDrain(stream, signal)
    await sendZeros(stream, up, signal)
    await stream.close({ signal })
    await reading
    if (received !== down) throw new Error(`the perf server sent ${received} of the ${down} bytes asked for`)
    return performance.now() - started
  } catch (err) {
    stream.abort(err)
    throw err
  }
}

/**
 * A perf exchange that asks for nothing back and uploads until `state.stop` is set, adding every
 * byte sent to `state.sent`; resolves once the stream closed cleanly (ping under load).
 */
export async function uploadUntil (connection, state, signal) {
  const stream = await connection.newStream(PERF, { signal, ...PERF_HANDLER_OPTIONS })
  try {
    let received = 0
    const reading = readStream(stream, (chunk) => { received += chunk.byteLength }, signal)
    reading.catch(() => {})
    if (!stream.send(new Uint8Array(8))) await waitForDrain(stream, signal)
    while (!state.stop) {
      if (!stream.send(BLOCK)) await waitForDrain(stream, signal)
      state.sent += BLOCK.byteLength
    }
    await stream.close({ signal })
    await reading
    if (received !== 0) throw new Error(`the perf server sent ${received} bytes that were not asked for`)
  } catch (err) {
    stream.abort(err)
    throw err
  }
}

/** A round trip of 32 random bytes on an open /ipfs/ping/1.0.0 stream, and its disposal. */
export async function pingStream (connection, signal) {
  // @libp2p/ping allows one outbound ping stream per connection: wait (bounded) until the
  // previous one is gone from the connection's list.
  const open = () => connection.streams.some((s) => s.direction === 'outbound' && s.protocol === PING && s.status === 'open')
  for (const deadline = performance.now() + PING_CLOSE_WAIT_MS; open() && performance.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const stream = await connection.newStream(PING, { signal })
  const reader = echoReader(stream)
  return {
    async roundTrip () {
      signal?.throwIfAborted()
      const payload = new Uint8Array(randomBytes(PING_SIZE))
      const echoed = reader.next(PING_SIZE)
      if (!stream.send(payload)) await waitForDrain(stream, signal)
      await echoed
    },
    // Resolves once the stream is closed at both ends: @libp2p/ping allows one outbound ping
    // stream per connection, so the next one may be opened then.
    async close () {
      reader.dispose()
      // A stream the remote already ended (its ping server aborts streams after 10 s) has fired
      // 'close' already; a close that never completes is given up after PING_CLOSE_WAIT_MS.
      const closed = ['closed', 'aborted', 'reset'].includes(stream.status)
        ? Promise.resolve()
        : new Promise((resolve) => stream.addEventListener('close', () => resolve(), { once: true }))
      await stream.close({ signal }).catch(() => stream.abort(new Error('ping done')))
      let timer
      await Promise.race([closed, new Promise((resolve) => { timer = setTimeout(resolve, PING_CLOSE_WAIT_MS) })])
      clearTimeout(timer)
    }
  }
}

/** Reads exactly n bytes of a ping stream's echo, as a promise per round trip. */
function echoReader (stream) {
  let buffered = 0
  let waiter = null
  const onMessage = (evt) => {
    buffered += evt.data.byteLength
    if (waiter != null && buffered >= waiter.n) {
      buffered -= waiter.n
      const w = waiter
      waiter = null
      w.resolve()
    }
  }
  // A stream that ends (js-libp2p's ping server aborts its streams after 10 s) fails the round
  // trip waiting for it rather than leaving it pending for ever.
  let ended = null
  const onClose = (evt) => {
    ended = evt.error ?? new Error('the ping stream closed before its echo')
    if (waiter != null) {
      const w = waiter
      waiter = null
      w.reject(ended)
    }
  }
  stream.addEventListener('message', onMessage)
  stream.addEventListener('close', onClose)
  return {
    next (n) {
      return new Promise((resolve, reject) => {
        if (buffered >= n) { buffered -= n; resolve(); return }
        if (ended != null) { reject(ended); return }
        waiter = { n, resolve, reject }
      })
    },
    dispose () {
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('close', onClose)
    }
  }
}

/** Round trips of 32 random bytes on one /ipfs/ping/1.0.0 stream; resolves with the RTTs in µs. */
export async function pingRtts (connection, count, warmup, signal) {
  const stream = await connection.newStream(PING, { signal })
  const reader = echoReader(stream)
  const rtts = []
  try {
    for (let i = 0; i < warmup + count; i++) {
      signal?.throwIfAborted()
      const payload = new Uint8Array(randomBytes(PING_SIZE))
      const started = performance.now()
      const echoed = reader.next(PING_SIZE)
      if (!stream.send(payload)) await waitForDrain(stream, signal)
      await echoed
      if (i >= warmup) rtts.push((performance.now() - started) * 1000)
    }
  } finally {
    reader.dispose()
    await stream.close({ signal }).catch(() => stream.abort(new Error('ping done')))
  }
  return rtts
}

/** The value below which `p` (0..1) of the sorted samples lie (nearest rank). */
export function percentile (sorted, p) {
  if (sorted.length === 0) return NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return sorted[rank]
}
