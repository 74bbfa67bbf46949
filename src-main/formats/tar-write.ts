import { Readable } from 'node:stream'
import tar from 'tar-stream'

export type TarPack = tar.Pack

/**
 * A tar stream filled by `produce`. Each entry is awaited: tar-stream calls an entry back only once
 * the pack's reader has taken its bytes, so a slow consumer pauses the producer (constant memory).
 * Producer errors destroy the stream; a consumer that stops early stops the producer.
 */
export function packStream(produce: (pack: TarPack) => Promise<void>): Readable {
  const pack = tar.pack()
  // The consumer sees failures through the iterator below; the listener only keeps a consumer
  // that stops early (an AbortError into the pack) from becoming an uncaught 'error' event.
  pack.on('error', () => {})
  produce(pack).then(
    () => pack.finalize(),
    (e: unknown) => pack.destroy(e instanceof Error ? e : new Error(String(e))),
  )
  return Readable.from(pack, { objectMode: false, highWaterMark: 64 * 1024 })
}

export function addEntry(pack: TarPack, name: string, data: Buffer, mtime: Date): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = pack.entry({ name, size: data.length, mtime }, data, (e) =>
      e ? reject(e) : resolve(),
    )
    // A destroyed pack destroys its current entry with the error, which also reaches the
    // callback; without a listener that 'error' event would be uncaught.
    sink.on('error', () => {})
  })
}

/** An entry whose bytes come from `parts`, which must add up to exactly `size`. */
export async function addStreamEntry(
  pack: TarPack,
  name: string,
  size: number,
  parts: AsyncIterable<Buffer>,
  mtime: Date,
): Promise<void> {
  let settle: (e?: Error | null) => void = () => {}
  const done = new Promise<void>((ok, ko) => {
    settle = (e) => (e ? ko(e) : ok())
  })
  done.catch(() => {}) // awaited below; this only keeps an early failure from being "unhandled"
  const sink = pack.entry({ name, size, mtime }, (e) => settle(e))
  sink.on('error', () => {}) // reported through `settle`, see addEntry
  for await (const part of parts) {
    if (!sink.write(part)) {
      await new Promise<void>((resolve, reject) => {
        const off = (): void => {
          sink.off('drain', onDrain)
          sink.off('close', onClose)
        }
        const onDrain = (): void => {
          off()
          resolve()
        }
        const onClose = (): void => {
          off()
          reject(new Error(`tar entry ${name} closed while writing`))
        }
        sink.on('drain', onDrain)
        sink.on('close', onClose)
      })
    }
  }
  sink.end(undefined) // streamx types want an argument; undefined adds nothing
  await done
}
