// Builds the js-libp2p node used by both CLI modes: TCP and WebSockets (the listen or dial address
// picks one), Noise (default options, so the muxers are offered inside the handshake) and/or TLS,
// yamux, identify, ping, plus the test protocols.
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { logEvent, describeError } from './log.mjs'
import { registerTestProtocols } from './protocols.mjs'

/** Parses a 64-hex-digit seed into 32 bytes; throws a usage error otherwise. */
export function parseSeed (hex) {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error('--seed must be exactly 64 hex digits (32 bytes)')
  }
  return Uint8Array.from(hex.match(/../g).map(b => parseInt(b, 16)))
}

/** An Ed25519 private key: deterministic from the seed when given, random otherwise. */
export async function makePrivateKey (seedHex) {
  return seedHex == null
    ? generateKeyPair('Ed25519')
    : generateKeyPairFromSeed('Ed25519', parseSeed(seedHex))
}

const ENCRYPTERS = { noise, tls }

/** Parses --security: comma-separated names of connection encrypters, in the order offered. */
export function parseSecurity (text) {
  const names = (text ?? 'noise').split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknown = names.filter((n) => ENCRYPTERS[n] == null)
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--security takes noise and/or tls, comma-separated; got ${JSON.stringify(text)}`)
  }
  return [...new Set(names)]
}

/**
 * Creates and starts a node.
 * @param {object} options
 * @param {string[]} options.listen multiaddrs to listen on (empty for a dial-only node)
 * @param {string|undefined} options.seed 64 hex digits for a deterministic key
 * @param {boolean} options.identifyOnConnect whether identify runs by itself on every new connection
 * @param {object} [options.connectionManager] js-libp2p connection manager settings (perf modes raise its limits)
 * @param {(node) => Promise<void>} [options.register] registers extra protocol handlers before the node starts
 * @param {boolean} [options.quiet] no per-connection events on stderr (perf modes: they would be measured too)
 * @param {string[]} [options.security] connection encrypters in the order offered ('noise', 'tls')
 */
export async function startNode ({ listen, seed, identifyOnConnect, connectionManager, register, quiet = false, security = ['noise'] }) {
  const privateKey = await makePrivateKey(seed)
  const node = await createLibp2p({
    privateKey,
    addresses: { listen },
    transports: [tcp(), webSockets()],
    connectionEncrypters: security.map((name) => ENCRYPTERS[name]()),
    streamMuxers: [yamux()],
    services: {
      identify: identify({ runOnConnectionOpen: identifyOnConnect }),
      ping: ping()
    },
    ...(connectionManager == null ? {} : { connectionManager }),
    // The connection monitor pings every connection every 10 s and aborts it when a ping takes
    // longer than its adaptive timeout: a ping queued behind an 8 MiB echo on a loaded machine
    // does, and the abort then fails whatever check was running. Keep measuring, never abort:
    // the checks have their own timeouts.
    connectionMonitor: { abortConnectionOnPingFailure: false },
    start: false
  })
  if (!quiet) addEventLogs(node)
  await registerTestProtocols(node)
  await register?.(node)
  await node.start()
  return node
}

/** Logs connection and identify events on stderr (the C# fixture waits for some of them). */
function addEventLogs (node) {
  node.addEventListener('connection:open', (evt) => {
    const c = evt.detail
    logEvent('connection-open', {
      id: c.id,
      direction: c.direction,
      remotePeer: c.remotePeer.toString(),
      remoteAddr: c.remoteAddr.toString(),
      encryption: c.encryption,
      multiplexer: c.multiplexer
    })
  })
  node.addEventListener('connection:close', (evt) => {
    const c = evt.detail
    logEvent('connection-close', { id: c.id, remotePeer: c.remotePeer.toString(), status: c.status })
  })
  node.addEventListener('peer:identify', (evt) => {
    const r = evt.detail
    logEvent('peer-identify', {
      remotePeer: r.peerId.toString(),
      agentVersion: r.agentVersion,
      protocols: r.protocols
    })
  })
}

/** Stops the node, giving up after ms so a wedged connection cannot keep the process alive. */
export async function stopNode (node, ms = 5000) {
  let timer
  try {
    await Promise.race([
      node.stop(),
      new Promise((resolve) => { timer = setTimeout(resolve, ms) })
    ])
  } catch (err) {
    logEvent('stop-error', { error: describeError(err) })
  } finally {
    clearTimeout(timer)
  }
}
