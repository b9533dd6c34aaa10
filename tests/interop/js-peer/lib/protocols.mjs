// The test protocols every js peer serves (besides /ipfs/ping/1.0.0 and /ipfs/id/1.0.0):
//   /echo/1.0.0  : echoes every byte until the remote half-closes, then closes its own write side.
//   /sink/1.0.0  : reads everything until the remote half-closes, replies with the byte count as
//                  8 bytes big-endian, then closes its write side.
//   /reset/1.0.0 : reads until at least one byte arrived (or the remote half-closed), then resets
//                  the stream, so a dialer can check that it observes a reset from the remote.
// Each inbound stream logs 'stream-open' and 'stream-close' events on stderr; 'stream-close'
// carries reset:true when the remote reset the stream, which is how a test learns that a reset it
// sent was observed here.
import { logEvent, describeError } from './log.mjs'
import { readStream, sendAll, timeoutSignal } from './streams.mjs'

export const ECHO = '/echo/1.0.0'
export const SINK = '/sink/1.0.0'
export const RESET = '/reset/1.0.0'

/** Generous per-stream limits so a test can open many concurrent streams. */
const HANDLER_OPTIONS = { maxInboundStreams: 1024, maxOutboundStreams: 1024 }

/** A handler stream that stalls longer than this is aborted (never leaves a stream hanging). */
const HANDLER_TIMEOUT_MS = 120_000

function trackStream (stream, connection) {
  const fields = {
    protocol: stream.protocol,
    streamId: stream.id,
    direction: stream.direction,
    remotePeer: connection.remotePeer.toString()
  }
  logEvent('stream-open', fields)
  stream.addEventListener('close', (evt) => {
    logEvent('stream-close', {
      ...fields,
      status: stream.status,
      reset: evt.error != null && evt.local === false,
      aborted: evt.error != null && evt.local === true,
      error: evt.error == null ? undefined : describeError(evt.error)
    })
  }, { once: true })
}

async function echoHandler (stream, connection) {
  trackStream(stream, connection)
  const signal = timeoutSignal(HANDLER_TIMEOUT_MS, 'echo handler')
  try {
    // While a write waits for 'drain', incoming chunks queue in `pending`: js yamux grants
    // receive window as soon as data arrives, so the remote is not slowed down by our writes and
    // this queue holds at most what the test sends. Writes themselves honour backpressure.
    const pending = []
    let writing = null
    let writeError
    const pump = async () => {
      try {
        while (pending.length > 0) {
          await sendAll(stream, pending.shift(), signal)
        }
      } catch (err) {
        writeError ??= err
        pending.length = 0
        stream.abort(err)
      } finally {
        writing = null
      }
    }
    await readStream(stream, (chunk) => {
      if (writeError != null) return false
      pending.push(chunk)
      writing ??= pump()
    }, signal)
    await writing
    if (writeError != null) throw writeError
    await stream.close({ signal })
  } catch (err) {
    stream.abort(err)
  } finally {
    signal.clear()
  }
}

async function sinkHandler (stream, connection) {
  trackStream(stream, connection)
  const signal = timeoutSignal(HANDLER_TIMEOUT_MS, 'sink handler')
  try {
    let count = 0n
    await readStream(stream, (chunk) => { count += BigInt(chunk.byteLength) }, signal)
    const reply = new Uint8Array(8)
    new DataView(reply.buffer).setBigUint64(0, count, false)
    await sendAll(stream, reply, signal)
    await stream.close({ signal })
  } catch (err) {
    stream.abort(err)
  } finally {
    signal.clear()
  }
}

async function resetHandler (stream, connection) {
  trackStream(stream, connection)
  const signal = timeoutSignal(HANDLER_TIMEOUT_MS, 'reset handler')
  try {
    await readStream(stream, () => false, signal)
  } catch {
    // Whatever happened, the answer is a reset.
  } finally {
    signal.clear()
  }
  const err = new Error('reset by /reset/1.0.0 handler as requested')
  err.name = 'RequestedResetError'
  stream.abort(err)
}

/** Registers the test protocols on a node (before it starts). */
export async function registerTestProtocols (node) {
  await node.handle(ECHO, echoHandler, HANDLER_OPTIONS)
  await node.handle(SINK, sinkHandler, HANDLER_OPTIONS)
  await node.handle(RESET, resetHandler, HANDLER_OPTIONS)
}
