import { describe, expect, it } from 'vitest'
import { listAsCli, listAsCurl, shellQuote } from './copy-as'

// Run for real against the simulator in e2e/copy-as-curl.harness.spec.ts.
describe('copy as curl or CLI', () => {
  it('quotes what the shell would otherwise read', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`)
    expect(
      listAsCli({
        url: 'https://xo/rest/v0',
        instance: 'Demo lab',
        collection: 'vms',
        fields: ['name_label'],
        filter: 'name_label:"web 01"',
      }),
    ).toBe(
      `xo-desk ls vms --instance 'Demo lab' --fields name_label --filter 'name_label:"web 01"' --json`,
    )
  })

  it('leaves the token to the shell: $XO_TOKEN, never a value', () => {
    const command = listAsCurl({
      url: 'https://xo.example/rest/v0/',
      instance: 'Prod',
      collection: 'vms',
      fields: ['id', 'name_label'],
      filter: 'power_state:Running',
    })
    expect(command).toBe(
      `curl -sS -b "authenticationToken=$XO_TOKEN" 'https://xo.example/rest/v0/vms?fields=id%2Cname_label&filter=power_state%3ARunning'`,
    )
  })
})
