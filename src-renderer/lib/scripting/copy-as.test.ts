import { describe, expect, it } from 'vitest'
import { actionAsCurl, listAsCli, listAsCurl, shellQuote } from './copy-as'

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

describe('an action as curl', () => {
  const base = 'https://xo.example.net/rest/v0'
  it('is the POST of the action route with its body, the token left to the shell', () => {
    const curl = actionAsCurl(base, {
      method: 'objects.action',
      collection: 'vms',
      action: 'migrate',
      id: 'vm-1',
      params: { hostId: 'h-2' },
    })
    expect(curl).toBe(
      `curl -sS -b "authenticationToken=$XO_TOKEN" -X POST -H 'Content-Type: application/json' -d '{"hostId":"h-2"}' https://xo.example.net/rest/v0/vms/vm-1/actions/migrate`,
    )
  })

  it('adds a tag with PUT on the tag route, its name encoded', () => {
    expect(
      actionAsCurl(base, {
        method: 'objects.tag',
        collection: 'vms',
        id: 'v',
        tag: 'a b',
        present: true,
      }),
    ).toContain(`-X PUT https://xo.example.net/rest/v0/vms/v/tags/a%20b`)
  })
})
