// js-libp2p 3.x calls Promise.withResolvers (ES2024), which Node 20 lacks. This module must be
// evaluated before any libp2p module: peer.mjs imports it first and loads libp2p dynamically.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers () {
      let resolve
      let reject
      const promise = new this((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    }
  })
}

// @libp2p/websockets dials with the global WebSocket, which Node 20 lacks (Node 22 has one): the
// `ws` package's client has the same browser-style API (binaryType, addEventListener).
if (typeof globalThis.WebSocket !== 'function') {
  const { WebSocket } = await import('ws')
  globalThis.WebSocket = WebSocket
}
