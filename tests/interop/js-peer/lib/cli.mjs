// Command line of the interop peer; see README.md for the protocol on stdout.
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { CHECKS, CHECK_NAMES } from './checks.mjs'
import { emit, logEvent, describeError } from './log.mjs'
import { parseSecurity, startNode, stopNode } from './node.mjs'
import { perfClient, perfListen } from './perf-cli.mjs'
import { PERF, PERF_HANDLER_OPTIONS, perfHandler } from './perf.mjs'
import { raceAbort, timeoutSignal } from './streams.mjs'

const USAGE = `usage:
  node peer.mjs listen [--listen MULTIADDR]... [--seed HEX64] [--security noise,tls] [--ignore-stdin]
  node peer.mjs dial MULTIADDR --test ${CHECK_NAMES.join(',')} [--bytes N] [--streams K]
                [--stream-bytes M] [--seed HEX64] [--security noise,tls] [--check-timeout-ms MS] [--timeout-ms MS]
  node peer.mjs perf-listen [--listen MULTIADDR]... [--ignore-stdin]
  node peer.mjs perf MULTIADDR [--measure throughput|handshakes|ping|ping-under-load] [--bytes N] [--streams K]
                [--runs R] [--seconds S] [--concurrency C] [--pings N] [--timeout-ms MS] [--label NAME]`

const EXIT_OK = 0
const EXIT_CHECK_FAILED = 1
const EXIT_USAGE = 2
const EXIT_TIMEOUT = 3
const EXIT_CRASH = 70

class UsageError extends Error {}

function checkSeed (seed) {
  if (seed != null && !/^[0-9a-fA-F]{64}$/.test(seed)) {
    throw new UsageError('--seed must be exactly 64 hex digits (32 bytes)')
  }
  return seed
}

function positiveInt (value, name) {
  if (!/^[0-9]+$/.test(value ?? '') || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${name} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return Number(value)
}

function securityOption (text) {
  try {
    return parseSecurity(text)
  } catch (err) {
    throw new UsageError(err.message)
  }
}

/** Exits once stdout and stderr are flushed, or after a second if a pipe is stuck or broken. */
async function flushAndExit (code) {
  const flushed = (stream) => new Promise((resolve) => {
    try {
      stream.write('', () => resolve())
    } catch {
      resolve()
    }
  })
  const grace = new Promise((resolve) => setTimeout(resolve, 1000).unref())
  await Promise.race([Promise.all([flushed(process.stdout), flushed(process.stderr)]), grace])
  process.exit(code)
}

async function listen (args) {
  const { values } = parseArgs({
    args,
    options: {
      listen: { type: 'string', multiple: true },
      seed: { type: 'string' },
      security: { type: 'string', default: 'noise' },
      'ignore-stdin': { type: 'boolean', default: false }
    },
    strict: true,
    allowPositionals: false
  })
  const node = await startNode({
    listen: values.listen ?? ['/ip4/127.0.0.1/tcp/0'],
    security: securityOption(values.security),
    seed: checkSeed(values.seed),
    identifyOnConnect: true,
    // The libp2p perf protocol too, so that `rxnet dial --test perf` runs against this listener.
    register: (n) => n.handle(PERF, perfHandler, PERF_HANDLER_OPTIONS)
  })
  let stopping = false
  const shutdown = async (reason) => {
    if (stopping) return
    stopping = true
    logEvent('shutdown', { reason })
    await stopNode(node)
    await flushAndExit(EXIT_OK)
  }
  process.on('SIGTERM', () => { void shutdown('SIGTERM') })
  process.on('SIGINT', () => { void shutdown('SIGINT') })
  if (!values['ignore-stdin']) {
    // The parent holds our stdin open; when it dies (or closes it) we go too, so a killed test
    // runner never leaves a peer behind.
    process.stdin.on('end', () => { void shutdown('stdin-eof') })
    process.stdin.on('close', () => { void shutdown('stdin-closed') })
    process.stdin.on('error', () => { void shutdown('stdin-error') })
    process.stdin.resume()
  }
  emit({
    event: 'listening',
    peerId: node.peerId.toString(),
    addrs: node.getMultiaddrs().map((a) => a.toString())
  })
}

async function dial (args) {
  const { values, positionals } = parseArgs({
    args,
    options: {
      test: { type: 'string' },
      bytes: { type: 'string', default: String(1024 * 1024) },
      streams: { type: 'string', default: '16' },
      'stream-bytes': { type: 'string', default: String(64 * 1024) },
      seed: { type: 'string' },
      security: { type: 'string', default: 'noise' },
      'check-timeout-ms': { type: 'string', default: '60000' },
      'timeout-ms': { type: 'string', default: '240000' }
    },
    strict: true,
    allowPositionals: true
  })
  if (positionals.length !== 1) throw new UsageError('dial needs exactly one MULTIADDR')
  if (values.test == null || values.test === '') throw new UsageError('dial needs --test')
  const checks = values.test.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknown = checks.filter((c) => !CHECK_NAMES.includes(c))
  if (unknown.length > 0) throw new UsageError(`unknown check(s): ${unknown.join(', ')}`)
  let target
  try {
    target = multiaddr(positionals[0])
  } catch (err) {
    throw new UsageError(`invalid multiaddr ${positionals[0]}: ${describeError(err)}`)
  }
  const options = {
    bytes: positiveInt(values.bytes, '--bytes'),
    streams: positiveInt(values.streams, '--streams'),
    streamBytes: positiveInt(values['stream-bytes'], '--stream-bytes')
  }
  checkSeed(values.seed)
  const checkTimeoutMs = positiveInt(values['check-timeout-ms'], '--check-timeout-ms')
  const timeoutMs = positiveInt(values['timeout-ms'], '--timeout-ms')

  const reported = new Set()
  const report = (line) => {
    reported.add(line.check)
    emit(line)
  }
  // The whole run has a deadline: whatever is still open then is reported failed and we leave,
  // without waiting for a graceful stop.
  const overall = setTimeout(() => {
    for (const c of checks) {
      if (!reported.has(c)) report({ check: c, ok: false, error: `overall timeout of ${timeoutMs} ms reached` })
    }
    logEvent('overall-timeout', { timeoutMs })
    void flushAndExit(EXIT_TIMEOUT)
  }, timeoutMs)

  const node = await startNode({ listen: [], seed: values.seed, identifyOnConnect: false, security: securityOption(values.security) })
  logEvent('dialer-started', { peerId: node.peerId.toString(), target: target.toString() })
  let connection
  let dialError
  if (checks.some((c) => c !== 'wrong-peer')) {
    const signal = timeoutSignal(checkTimeoutMs, 'dial')
    try {
      connection = await raceAbort(node.dial(target, { signal }), signal)
      logEvent('dialed', { remotePeer: connection.remotePeer.toString(), multiplexer: connection.multiplexer })
    } catch (err) {
      dialError = err
      logEvent('dial-failed', { error: describeError(err) })
    } finally {
      signal.clear()
    }
  }

  let allOk = true
  for (const name of checks) {
    if (dialError != null && name !== 'wrong-peer') {
      allOk = false
      report({ check: name, ok: false, error: `dial failed: ${describeError(dialError)}` })
      continue
    }
    const signal = timeoutSignal(checkTimeoutMs, `check ${name}`)
    const started = performance.now()
    try {
      const fields = await raceAbort(CHECKS[name]({ node, connection, target, options }, signal), signal)
      report({ check: name, ok: true, ...fields })
    } catch (err) {
      allOk = false
      report({ check: name, ok: false, error: describeError(err) })
    } finally {
      signal.clear()
      logEvent('check-done', { check: name, ms: Math.round(performance.now() - started) })
    }
  }
  await stopNode(node)
  clearTimeout(overall)
  return allOk ? EXIT_OK : EXIT_CHECK_FAILED
}

/** Runs the CLI; resolves with the exit code for dial mode, or never for listen mode. */
export async function main (argv) {
  // A reader that went away (EPIPE) leaves nobody to report to: leave instead of hanging.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => process.exit(EXIT_CRASH))
  }
  process.on('unhandledRejection', (err) => {
    logEvent('unhandled-rejection', { error: describeError(err) })
  })
  process.on('uncaughtException', (err) => {
    logEvent('uncaught-exception', { error: describeError(err), stack: err?.stack })
    void flushAndExit(EXIT_CRASH)
  })
  const [mode, ...rest] = argv
  try {
    if (mode === 'listen') {
      await listen(rest)
      return undefined
    }
    if (mode === 'dial') {
      return await dial(rest)
    }
    if (mode === 'perf-listen') {
      await perfListen(rest)
      return undefined
    }
    if (mode === 'perf') {
      return await perfClient(rest, (message) => new UsageError(message))
    }
    throw new UsageError(mode == null ? 'missing mode' : `unknown mode ${mode}`)
  } catch (err) {
    if (err instanceof UsageError || err?.code?.startsWith?.('ERR_PARSE_ARGS')) {
      process.stderr.write(`${err.message}\n${USAGE}\n`)
      return EXIT_USAGE
    }
    logEvent('fatal', { error: describeError(err), stack: err?.stack })
    return EXIT_CRASH
  }
}
