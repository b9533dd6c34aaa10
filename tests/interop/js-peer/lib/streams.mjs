import { setMaxListeners } from 'node:events'

// Helpers over the js-libp2p 3.x stream API (an EventTarget, see @libp2p/utils
// AbstractMessageStream). They exist because the library's own conveniences have sharp edges:
// - stream.onDrain() keeps a resolved promise after the first 'drain', so later calls return at
//   once even though the buffer is still full (@libp2p/utils 7.4.1); we listen for 'drain' ourselves.
// - the stream's async iterator ends only on 'remoteCloseWrite' or 'close'; if the remote
//   half-closed before the iterator was attached it never ends. We read from 'message' events and
//   treat 'end' (plus the stream status) as the end of input instead.
// - on a remote reset the stream emits 'end' before the 'close' event that carries the
//   StreamResetError, so 'end' alone cannot tell a clean half-close from a reset.

/**
 * Sizes of successive send() calls, cycled. js yamux turns one send() into Data frames as large
 * as the send window allows (up to 16 MiB once the remote grants it), so mixing tiny and large
 * writes gives the remote tiny frames, frames spanning many Noise messages, and window stalls.
 */
export const WRITE_CHUNKS = [64 * 1024, 1, 256 * 1024, 1000, 1024 * 1024, 17]

/** Converts a received chunk (Uint8Array or Uint8ArrayList) into one Uint8Array. */
export function toBytes (chunk) {
  return chunk instanceof Uint8Array ? chunk : chunk.subarray()
}

/**
 * Resolves when the stream may be written again. Rejects when the stream closes first or the
 * signal aborts. Resolves at once when no drain is pending.
 */
export function waitForDrain (stream, signal) {
  if (!stream.writableNeedsDrain) {
    return Promise.resolve()
  }
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
    }
    const onDrain = () => { cleanup(); resolve() }
    const onClose = (evt) => { cleanup(); reject(evt.error ?? new Error('stream closed while waiting for drain')) }
    const onAbort = () => { cleanup(); reject(signal.reason) }
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
    if (signal != null) {
      if (signal.aborted) { onAbort(); return }
      signal.addEventListener('abort', onAbort)
    }
  })
}

/** Writes all of data in WRITE_CHUNKS-sized pieces, honouring backpressure. */
export async function sendAll (stream, data, signal) {
  let offset = 0
  for (let i = 0; offset < data.byteLength; i++) {
    signal?.throwIfAborted()
    const end = Math.min(offset + WRITE_CHUNKS[i % WRITE_CHUNKS.length], data.byteLength)
    if (!stream.send(data.subarray(offset, end))) {
      await waitForDrain(stream, signal)
    }
    offset = end
  }
}

/**
 * Reads a stream until the remote half-closes it, calling onChunk(Uint8Array) for each chunk.
 * Resolves on a clean end of input; rejects with the stream's error on a reset or abort, and
 * with the signal's reason when the signal aborts (the stream is then aborted too).
 * onChunk may return false to stop reading early (resolves without waiting for the end).
 */
export function readStream (stream, onChunk, signal) {
  return new Promise((resolve, reject) => {
    let settled = false
    const cleanup = () => {
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('end', onEnd)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
    }
    const finish = (err) => {
      if (settled) return
      settled = true
      cleanup()
      if (err != null) reject(err)
      else resolve()
    }
    const failed = () => stream.status === 'reset' || stream.status === 'aborted'
    const onMessage = (evt) => {
      if (settled) return
      let more
      try {
        more = onChunk(toBytes(evt.data))
      } catch (err) {
        finish(err)
        return
      }
      if (more === false) {
        finish()
      } else if (stream.readableEnded && stream.readBufferLength === 0 && !failed()) {
        // The remote's FIN can arrive while multistream-select still holds the first bytes (the
        // dialer sends protocol, data and FIN at once): js-libp2p then emits 'end' once, before
        // those bytes are handed back and before any handler listens, and never again. The end
        // of input is then the moment the last buffered chunk was delivered.
        finish()
      }
    }
    const onEnd = () => {
      // A reset also emits 'end' (before 'close'); let 'close' report the error then.
      if (!failed()) finish()
    }
    const onClose = (evt) => {
      finish(evt.error ?? (failed() ? new Error(`stream ${stream.status}`) : undefined))
    }
    const onAbort = () => {
      finish(signal.reason)
      stream.abort(signal.reason)
    }
    if (signal?.aborted) { onAbort(); return }
    stream.addEventListener('end', onEnd)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
    // Adding the 'message' listener flushes anything buffered before we attached.
    stream.addEventListener('message', onMessage)
    if (stream.readableEnded && stream.readBufferLength === 0) {
      if (failed()) finish(new Error(`stream ${stream.status}`))
      else finish()
    } else if (stream.status === 'closed' && stream.readBufferLength === 0) {
      finish()
    } else if (failed()) {
      finish(new Error(`stream ${stream.status}`))
    }
  })
}

/** Resolves with the concatenation of everything read until the remote half-closes. */
export async function readAll (stream, signal) {
  const chunks = []
  let total = 0
  await readStream(stream, (chunk) => {
    chunks.push(chunk)
    total += chunk.byteLength
  }, signal)
  const out = new Uint8Array(total)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.byteLength
  }
  return out
}

/** A signal that aborts after ms with a TimeoutError naming what timed out. */
export function timeoutSignal (ms, what) {
  const controller = new AbortController()
  // One signal serves many concurrent streams (the 'streams' check) and each adds a listener.
  setMaxListeners(Infinity, controller.signal)
  const timer = setTimeout(() => {
    const err = new Error(`${what} timed out after ${ms} ms`)
    err.name = 'TimeoutError'
    controller.abort(err)
  }, ms)
  timer.unref?.()
  controller.signal.clear = () => clearTimeout(timer)
  return controller.signal
}

/** Rejects with the signal's reason when it aborts; otherwise follows the promise. */
export function raceAbort (promise, signal) {
  if (signal == null) return promise
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(signal.reason); return }
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v) },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e) }
    )
  })
}
