// The perf modes of the CLI (tests/perf/compare.sh runs them; see README.md):
//   node peer.mjs perf-listen [--listen MULTIADDR]
//   node peer.mjs perf MULTIADDR --measure throughput|handshakes|ping|ping-under-load [options]
// Results are one JSON line on stdout per measurement; nothing is logged per connection, because
// that would be measured too.
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { emit } from './log.mjs'
import { startNode, stopNode } from './node.mjs'
import { PERF, PERF_HANDLER_OPTIONS, perfHandler, perfOnce, pingRtts, pingStream, percentile, uploadUntil } from './perf.mjs'
import { timeoutSignal } from './streams.mjs'

/**
 * js-libp2p's defaults accept 5 inbound connections per second per host and 300 connections in
 * all; a handshake benchmark dials hundreds per second from one host.
 */
const PERF_CONNECTION_MANAGER = {
  inboundConnectionThreshold: 100_000,
  maxIncomingPendingConnections: 1000,
  maxConnections: 100_000,
  maxParallelDials: 1000
}

async function registerPerf (node) {
  await node.handle(PERF, perfHandler, PERF_HANDLER_OPTIONS)
}

function perfNode (listen) {
  // No identify on connect: the handshake figure is TCP + multistream-select + Noise + yamux.
  return startNode({
    listen,
    identifyOnConnect: false,
    connectionManager: PERF_CONNECTION_MANAGER,
    register: registerPerf,
    quiet: true
  })
}

/** Serves perf and ping until stdin closes or a signal arrives. */
export async function perfListen (args) {
  const { values } = parseArgs({
    args,
    options: { listen: { type: 'string', multiple: true }, 'ignore-stdin': { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false
  })
  const node = await perfNode(values.listen ?? ['/ip4/127.0.0.1/tcp/0'])
  const stop = async () => {
    await stopNode(node)
    process.exit(0)
  }
  process.on('SIGTERM', () => { void stop() })
  process.on('SIGINT', () => { void stop() })
  if (!values['ignore-stdin']) {
    process.stdin.on('end', () => { void stop() })
    process.stdin.on('close', () => { void stop() })
    process.stdin.resume()
  }
  emit({ event: 'listening', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map((a) => a.toString()) })
}

function int (value, name, usageError) {
  if (!/^[0-9]+$/.test(value ?? '') || !Number.isSafeInteger(Number(value)) || Number(value) < 1) {
    throw usageError(`${name} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return Number(value)
}

function nonNegativeInt (value, name, usageError) {
  return value === '0' ? 0 : int(value, name, usageError)
}

function median (values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]
}

async function throughput (node, target, o) {
  const connection = await node.dial(target)
  const signal = timeoutSignal(o.timeoutMs, 'perf throughput')
  try {
    // Unmeasured rounds of a quarter of the size until --warmup-seconds have passed (at least
    // one): V8 takes seconds of load to settle on optimized code, as .NET's tiers do for the rxnet
    // client (Measurements.ThroughputAsync follows the same rule).
    const warming = performance.now()
    let warmupRounds = 0
    do {
      await Promise.all(Array.from({ length: o.streams }, () => perfOnce(connection, Math.floor(o.bytes / 4), Math.floor(o.bytes / 4), signal)))
      warmupRounds++
    } while (performance.now() - warming < o.warmupSeconds * 1000)
    const warmupSeconds = (performance.now() - warming) / 1000
    const mbps = []
    for (let run = 0; run < o.runs; run++) {
      const started = performance.now()
      await Promise.all(Array.from({ length: o.streams }, () => perfOnce(connection, o.bytes, o.bytes, signal)))
      const seconds = (performance.now() - started) / 1000
      mbps.push((2 * o.bytes * o.streams) / seconds / 1e6)
    }
    return { measure: 'throughput', streams: o.streams, bytesEachWay: o.bytes, runs: mbps, mbps: median(mbps), best: Math.max(...mbps), warmupRounds, warmupSeconds }
  } finally {
    signal.clear()
    await connection.close().catch(() => {})
  }
}

async function handshakes (target, o) {
  // One node per lane: a node reuses its open connection to a peer, and each lane closes its
  // connection before dialing again, so every dial is a full handshake.
  const nodes = await Promise.all(Array.from({ length: o.concurrency }, () => perfNode([])))
  try {
    // Unmeasured handshakes on every lane until --warmup-seconds have passed (at least one per
    // lane), as for throughput: V8 settles on optimized code under load, as .NET's tiers do for
    // the rxnet client (Measurements.HandshakesAsync follows the same rule).
    const warming = performance.now()
    let warmupHandshakes = 0
    await Promise.all(nodes.map(async (node) => {
      do {
        await (await node.dial(target)).close()
        warmupHandshakes++
      } while (performance.now() - warming < o.warmupSeconds * 1000)
    }))
    const warmupSeconds = (performance.now() - warming) / 1000
    let count = 0
    const deadline = performance.now() + o.seconds * 1000
    const started = performance.now()
    await Promise.all(nodes.map(async (node) => {
      while (performance.now() < deadline) {
        const connection = await node.dial(target)
        count++
        await connection.close()
      }
    }))
    const seconds = (performance.now() - started) / 1000
    return { measure: 'handshakes', concurrency: o.concurrency, count, seconds, perSecond: count / seconds, warmupHandshakes, warmupSeconds }
  } finally {
    await Promise.all(nodes.map((n) => stopNode(n)))
  }
}

async function ping (node, target, o) {
  const connection = await node.dial(target)
  const signal = timeoutSignal(o.timeoutMs, 'perf ping')
  try {
    const rtts = (await pingRtts(connection, o.pings, Math.min(200, o.pings), signal)).sort((a, b) => a - b)
    return {
      measure: 'ping',
      count: rtts.length,
      p50Us: percentile(rtts, 0.5),
      p90Us: percentile(rtts, 0.9),
      p99Us: percentile(rtts, 0.99),
      maxUs: rtts[rtts.length - 1]
    }
  } finally {
    signal.clear()
    await connection.close().catch(() => {})
  }
}

/**
 * Ping round trips while an upload saturates the same connection, and what the upload keeps of
 * its solo throughput: the rules of Measurements.PingUnderLoadAsync (tests/Rx.Network.PerfTool).
 */
async function pingUnderLoad (node, target, o) {
  const connection = await node.dial(target)
  const signal = timeoutSignal(o.timeoutMs, 'perf ping-under-load')
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
  // Runs the upload, waits RAMP_MS, then times `during` and returns the upload's MB/s over it.
  const underLoad = async (during) => {
    const state = { stop: false, sent: 0 }
    const uploading = uploadUntil(connection, state, signal)
    let failed = null
    uploading.catch((err) => { failed = err })
    try {
      await sleep(RAMP_MS)
      if (failed != null) throw failed
      const from = state.sent
      const started = performance.now()
      await during()
      return (state.sent - from) / ((performance.now() - started) / 1000) / 1e6
    } finally {
      state.stop = true
      await uploading
    }
  }
  const rtts = []
  const solo = []
  const loaded = []
  let error
  try {
    // A ping stream per phase: js-libp2p's ping server ends a stream 10 s after it opened.
    // Each ping stream is closed once its upload has stopped, not behind the upload's backlog.
    const warmupPing = await pingStream(connection, signal)
    await underLoad(async () => {
      const warming = performance.now()
      do {
        await warmupPing.roundTrip()
      } while (performance.now() - warming < o.warmupSeconds * 1000)
    })
    await warmupPing.close()
    for (let round = 0; round < o.runs; round++) {
      solo.push(await underLoad(() => sleep(o.seconds * 1000)))
      const ping = await pingStream(connection, signal)
      loaded.push(await underLoad(async () => {
        const phase = performance.now()
        for (let i = 0; i < o.pings && performance.now() - phase < PING_PHASE_MS; i++) {
          const started = performance.now()
          await ping.roundTrip()
          rtts.push((performance.now() - started) * 1000)
        }
      }))
      await ping.close()
    }
  } catch (err) {
    // Reported, not thrown: a connection that fails under load is a result too.
    error = `${err.name}: ${err.message}`
  } finally {
    signal.clear()
    await connection.close().catch(() => {})
  }
  rtts.sort((a, b) => a - b)
  return {
    measure: 'ping-under-load',
    count: rtts.length,
    p50Us: percentile(rtts, 0.5),
    p90Us: percentile(rtts, 0.9),
    p99Us: percentile(rtts, 0.99),
    maxUs: rtts[rtts.length - 1],
    soloMBps: median(solo),
    loadedMBps: median(loaded),
    soloRuns: solo,
    loadedRuns: loaded,
    kept: median(loaded) / median(solo),
    ...(error === undefined ? {} : { error })
  }
}

/**
 * A loaded phase ends after --pings round trips or this long: js-libp2p's ping server resets a
 * stream 10 s after it opened, and here the stream also lives while the upload's backlog drains.
 */
const PING_PHASE_MS = 5000

/** How long an upload runs before it is measured (its window and the socket buffers opening up). */
const RAMP_MS = 300

/** Runs one measurement against a perf server and prints its JSON line. */
export async function perfClient (args, usageError) {
  const { values, positionals } = parseArgs({
    args,
    options: {
      measure: { type: 'string', default: 'throughput' },
      bytes: { type: 'string', default: String(64 * 1024 * 1024) },
      streams: { type: 'string', default: '1' },
      runs: { type: 'string', default: '3' },
      'warmup-seconds': { type: 'string', default: '5' },
      seconds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '2' },
      pings: { type: 'string', default: '2000' },
      'timeout-ms': { type: 'string', default: '300000' },
      label: { type: 'string', default: 'js-libp2p' }
    },
    strict: true,
    allowPositionals: true
  })
  if (positionals.length !== 1) throw usageError('perf needs exactly one MULTIADDR')
  const target = multiaddr(positionals[0])
  const o = {
    bytes: int(values.bytes, '--bytes', usageError),
    streams: int(values.streams, '--streams', usageError),
    runs: int(values.runs, '--runs', usageError),
    warmupSeconds: nonNegativeInt(values['warmup-seconds'], '--warmup-seconds', usageError),
    seconds: int(values.seconds, '--seconds', usageError),
    concurrency: int(values.concurrency, '--concurrency', usageError),
    pings: int(values.pings, '--pings', usageError),
    timeoutMs: int(values['timeout-ms'], '--timeout-ms', usageError)
  }
  let result
  if (values.measure === 'handshakes') {
    result = await handshakes(target, o)
  } else {
    const node = await perfNode([])
    try {
      if (values.measure === 'throughput') result = await throughput(node, target, o)
      else if (values.measure === 'ping') result = await ping(node, target, o)
      else if (values.measure === 'ping-under-load') result = await pingUnderLoad(node, target, o)
      else throw usageError(`unknown --measure ${values.measure}`)
    } finally {
      await stopNode(node)
    }
  }
  emit({ impl: values.label, ...result })
  return 0
}
