// The console relay in main (src-main/console/console-relay.ts): XO's console WebSocket → main →
// the renderer's MessagePort, for frames of 1, 10 and 100 KB sent 60 times a second, then as fast
// as the pipe takes them. Baseline in the same run: a plain `ws` client on the same server, the
// frames read straight off the socket (what a browser tab connected to XO itself would get).
// The port is Node's MessageChannel, standing in for Electron's MessagePortMain (same semantics,
// a structured clone per message), so the figure is main's share of the latency, not Electron's IPC.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { MessageChannel } from 'node:worker_threads'
import { WebSocket as UndiciWebSocket } from 'undici'
import { WebSocket, WebSocketServer } from 'ws'
import type { ConsolePort } from '../../src-main/console/console-port'
import { relayConsole } from '../../src-main/console/console-relay'

const RATE = 60
const SECONDS = 3
const SIZES = [1024, 10 * 1024, 100 * 1024]
const BURST_BYTES = 64 * 1024
const BURST_MS = 2_000

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN
}

/** A stand-in for XO's console proxy: on demand, frames of `size` stamped with the send time. */
async function frameServer(): Promise<{ url: string; close(): Promise<void> }> {
  const http = createServer()
  const wss = new WebSocketServer({ server: http, handleProtocols: () => 'binary' })
  wss.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const [mode, size] = JSON.parse(data.toString()) as ['paced' | 'burst', number]
      const frame = (): Buffer => {
        const bytes = Buffer.alloc(size)
        bytes.writeDoubleLE(performance.now(), 0)
        return bytes
      }
      if (mode === 'paced') {
        let sent = 0
        const timer = setInterval(() => {
          socket.send(frame())
          if (++sent >= RATE * SECONDS) clearInterval(timer)
        }, 1_000 / RATE)
      } else {
        const until = performance.now() + BURST_MS
        const pump = (): void => {
          while (socket.bufferedAmount < 4 * 1024 * 1024 && performance.now() < until)
            socket.send(frame())
          if (performance.now() < until) setImmediate(pump)
        }
        pump()
      }
    })
  })
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  const { port } = http.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}/api/consoles/bench`,
    close: () =>
      new Promise((r) => {
        for (const c of wss.clients) c.terminate()
        wss.close()
        http.close(() => r())
      }),
  }
}

interface Run {
  latencies: number[]
  bytes: number
  ms: number
}

/** Frames through main's relay, read on the far end of a MessageChannel. */
async function throughRelay(url: string, mode: 'paced' | 'burst', size: number): Promise<Run> {
  const channel = new MessageChannel()
  const port: ConsolePort = {
    post: (m) => channel.port1.postMessage(m),
    onMessage: (l) => void channel.port1.on('message', l),
    onClose: (l) => void channel.port1.on('close', l),
    close: () => channel.port1.close(),
  }
  const socket = new UndiciWebSocket(url, { protocols: ['binary'] })
  socket.binaryType = 'arraybuffer'
  relayConsole(socket, port, { viewOnly: false, onEnd: () => undefined })
  const run: Run = { latencies: [], bytes: 0, ms: 0 }
  const started = performance.now()
  const done = collect(run, mode, started, (listener) =>
    channel.port2.on('message', (m: unknown) => {
      if (m instanceof ArrayBuffer) listener(new Uint8Array(m))
    }),
  )
  await new Promise<void>((r) => socket.addEventListener('open', () => r()))
  channel.port2.postMessage(new TextEncoder().encode(JSON.stringify([mode, size])).buffer)
  await done
  socket.close()
  channel.port2.close()
  return run
}

/** The baseline: the same frames read straight off a `ws` client socket. */
async function direct(url: string, mode: 'paced' | 'burst', size: number): Promise<Run> {
  const socket = new WebSocket(url, 'binary')
  const run: Run = { latencies: [], bytes: 0, ms: 0 }
  await new Promise<void>((r) => socket.once('open', () => r()))
  const started = performance.now()
  const done = collect(run, mode, started, (listener) =>
    socket.on('message', (data: Buffer) => listener(data)),
  )
  socket.send(JSON.stringify([mode, size]))
  await done
  socket.close()
  return run
}

function collect(
  run: Run,
  mode: 'paced' | 'burst',
  started: number,
  on: (listener: (bytes: Uint8Array) => void) => void,
): Promise<void> {
  return new Promise((resolve) => {
    const frames = mode === 'paced' ? RATE * SECONDS : Number.POSITIVE_INFINITY
    let idle: ReturnType<typeof setTimeout> | undefined
    on((bytes) => {
      const now = performance.now()
      run.latencies.push(now - new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true))
      run.bytes += bytes.length
      run.ms = now - started
      clearTimeout(idle)
      if (run.latencies.length >= frames) return resolve()
      // A burst ends when the server stops sending.
      if (mode === 'burst') idle = setTimeout(resolve, 300)
    })
  })
}

export async function benchConsoleRelay(): Promise<string[]> {
  const server = await frameServer()
  const lines: string[] = []
  try {
    const ms = (v: number): string => `${v.toFixed(2)} ms`
    for (const size of SIZES) {
      const relay = await throughRelay(server.url, 'paced', size)
      const base = await direct(server.url, 'paced', size)
      const [p50, p99] = [quantile(relay.latencies, 0.5), quantile(relay.latencies, 0.99)]
      const [b50, b99] = [quantile(base.latencies, 0.5), quantile(base.latencies, 0.99)]
      lines.push(
        `${size / 1024} KB frames at ${RATE}/s for ${SECONDS} s (${relay.latencies.length} frames): XO socket → main relay → port p50 ${ms(p50)}, p99 ${ms(p99)}; baseline (a ws client on the same server) p50 ${ms(b50)}, p99 ${ms(b99)}; the relay adds ${ms(p50 - b50)} at the median (${(p50 / b50).toFixed(2)}×)`,
      )
    }
    const relay = await throughRelay(server.url, 'burst', BURST_BYTES)
    const base = await direct(server.url, 'burst', BURST_BYTES)
    const mbps = (r: Run): number => r.bytes / 1024 ** 2 / (r.ms / 1_000)
    lines.push(
      `throughput, ${BURST_BYTES / 1024} KB frames as fast as they go for ${BURST_MS / 1_000} s: through the relay ${mbps(relay).toFixed(0)} MiB/s, baseline ${mbps(base).toFixed(0)} MiB/s (${((mbps(relay) / mbps(base)) * 100).toFixed(0)} % of it)`,
    )
  } finally {
    await server.close()
  }
  return lines
}
