// A second process saving to the same instance list, for the concurrent-save test:
// node --import tsx config-writer.ts DIR PREFIX COUNT
import { ConfigStore } from '../instances/config-store'

const [dir, prefix, count] = process.argv.slice(2)
if (!dir || !prefix || !count) throw new Error('usage: config-writer DIR PREFIX COUNT')
const store = new ConfigStore(dir)
// Start only when the test says so, so that both writers really run at the same time.
await new Promise<void>((resolve) => {
  process.once('message', () => resolve())
  process.send?.('ready')
})
for (let i = 0; i < Number(count); i++) {
  await store.update((c) => ({
    ...c,
    instances: [
      ...c.instances,
      {
        id: `${prefix}-${i}`,
        name: `${prefix} ${i}`,
        url: `https://${prefix}${i}.example.net/rest/v0`,
        color: '#123456',
        environment: 'lab',
        signIn: { method: 'token' },
        readOnly: false,
        trust: { kind: 'system' },
        tokenStorage: 'keychain',
      },
    ],
  }))
}
process.disconnect?.()
