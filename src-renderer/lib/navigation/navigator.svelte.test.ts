import { describe, expect, it } from 'vitest'
import { Navigator } from './navigator.svelte'

const vms = { kind: 'list', instanceId: 'a', collection: 'vms' } as const
const hosts = { kind: 'list', instanceId: 'a', collection: 'hosts' } as const
const vm = { kind: 'object', instanceId: 'a', collection: 'vms', id: 'vm-1' } as const

describe('Navigator', () => {
  it('goes back to the list a VM was opened from, then forward to the VM again', () => {
    const nav = new Navigator()
    nav.go(vms)
    nav.go(vm)
    nav.back()
    expect(nav.place).toEqual(vms)
    nav.forward()
    expect(nav.place).toEqual(vm)
    expect(nav.canGoForward).toBe(false)
  })

  it('opening a new place after going back drops the forward history', () => {
    const nav = new Navigator()
    nav.go(vms)
    nav.go(vm)
    nav.back()
    nav.go(hosts)
    expect(nav.canGoForward).toBe(false)
    nav.back()
    expect(nav.place).toEqual(vms)
  })

  it('opening the place already shown adds no step', () => {
    const nav = new Navigator()
    nav.go(vms)
    nav.go({ ...vms })
    nav.back()
    expect(nav.place).toEqual({ kind: 'home' })
    expect(nav.canGoBack).toBe(false)
  })

  it('forgets the places of a removed instance', () => {
    const nav = new Navigator()
    nav.go(vms)
    nav.go({ kind: 'panel', panel: 'audit' })
    nav.go(vm)
    nav.forget('a')
    expect(nav.place).toEqual({ kind: 'home' })
    nav.back()
    expect(nav.place).toEqual({ kind: 'panel', panel: 'audit' })
  })
})
