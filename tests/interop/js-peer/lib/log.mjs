// stdout carries the machine-readable protocol (one JSON object per line); everything else,
// including structured events, goes to stderr so a reader of stdout never sees noise.

/** Writes one JSON line to stdout (the CLI's result protocol). */
export function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

/** Writes one JSON event line to stderr (diagnostics the C# fixture can also wait for). */
export function logEvent (event, fields = {}) {
  process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), event, ...fields }) + '\n')
}

/** A short, stable description of an error for JSON output. */
export function describeError (err) {
  if (err == null) return 'unknown error'
  const name = err.name ?? 'Error'
  const message = err.message ?? String(err)
  return message.startsWith(name) ? message : `${name}: ${message}`
}
