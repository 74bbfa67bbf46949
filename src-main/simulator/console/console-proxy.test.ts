// XO's console proxy as a VNC viewer meets it: a WebSocket on /api/consoles/<vm id> authenticated
// by the `token` cookie, silent refusals, and one shared RFB screen per running VM.
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { XoRecord } from '../lab/types'
import { startSimulator, type RunningSimulator } from '../server'
import {
  RGB565,
  ByteQueue,
  cropRgba,
  expectedPixels,
  firstDifference,
  nativeToRgba,
  RfbTestClient,
} from './rfb-test-client'

const FULL = { x: 0, y: 0, width: 800, height: 600 }
const CONTROL_L = 0xffe3
const ALT_L = 0xffe9
const DELETE = 0xffff

let sim: RunningSimulator
let origin: string
/** Running VMs, one for each test that needs its own console. */
let running: XoRecord[]
beforeAll(async () => {
  sim = await startSimulator({ seed: 'consoles', life: false, actionDelayMs: 0 })
  origin = sim.url.replace(/\/rest\/v0$/, '')
  running = [...sim.lab.store.list('vms')].filter((vm) => vm['power_state'] === 'Running')
})
afterAll(() => sim.close())

function runningVm(index: number): XoRecord {
  const vm = running[index]
  if (!vm) throw new Error(`the lab has fewer than ${index + 1} running VMs`)
  return vm
}

interface Viewer {
  client: RfbTestClient
  ws: WebSocket
  incoming: ByteQueue
}

/** Opens a VM's console as noVNC does; `split` sends every byte in its own WebSocket message. */
async function openConsole(
  vmId: string,
  options: { cookie?: string; split?: boolean; server?: RunningSimulator } = {},
): Promise<Viewer> {
  const base = (options.server?.url ?? sim.url).replace(/^http/, 'ws').replace(/\/rest\/v0$/, '')
  const ws = new WebSocket(`${base}/api/consoles/${vmId}`, 'binary', {
    headers: { cookie: options.cookie ?? `token=${(options.server ?? sim).token}` },
  })
  const incoming = new ByteQueue()
  ws.on('message', (data: Buffer) => incoming.push(data))
  ws.on('close', () => incoming.end())
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const client = new RfbTestClient((bytes) => {
    if (!options.split) ws.send(bytes)
    else for (const byte of bytes) ws.send(Uint8Array.of(byte))
  }, incoming)
  return { client, ws, incoming }
}

/** A raw upgrade request: what the server wrote back before it ended the socket (or 1 s passed). */
async function rawUpgrade(
  path: string,
  cookie: string,
): Promise<{ answer: string; ended: boolean }> {
  const { hostname, port } = new URL(origin)
  const socket = connect(Number(port), hostname)
  socket.write(
    [
      `GET ${path} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Protocol: binary',
      `Cookie: ${cookie}`,
      '',
      '',
    ].join('\r\n'),
  )
  let answer = ''
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')))
  return new Promise((resolve) => {
    // An accepted upgrade keeps the socket open: its answer is enough.
    const accepted = setTimeout(() => {
      socket.destroy()
      resolve({ answer, ended: false })
    }, 1000)
    socket.on('data', () => {
      if (!answer.includes('\r\n\r\n')) return
      clearTimeout(accepted)
      socket.destroy()
      resolve({ answer, ended: false })
    })
    socket.on('close', () => {
      clearTimeout(accepted)
      resolve({ answer, ended: true })
    })
  })
}

async function fullFrame(viewer: Viewer): Promise<Uint8Array> {
  viewer.client.requestUpdate(false, FULL)
  const [rect] = await viewer.client.readUpdate()
  return nativeToRgba(rect?.data ?? new Uint8Array())
}

/** The frame's RGBA at one pixel. */
function pixelAt(vmId: string, x: number, y: number): number[] {
  const frame = sim.consoles.frame(vmId)
  const at = (y * (frame?.width ?? 0) + x) * 4
  return [...(frame?.rgba.subarray(at, at + 4) ?? [])]
}

describe('opening a console', () => {
  it('greets a viewer with the token cookie in RFB 3.8 and shows the VM name and whole screen', async () => {
    const vm = runningVm(0)
    const viewer = await openConsole(vm.id)
    expect(viewer.ws.protocol).toBe('binary')
    const init = await viewer.client.handshake()
    expect(init).toMatchObject({
      version: 'RFB 003.008\n',
      name: vm['name_label'],
      width: 800,
      height: 600,
    })
    const frame = sim.consoles.frame(vm.id)
    expect(frame).toMatchObject({ width: 800, height: 600 })
    expect(
      firstDifference(await fullFrame(viewer), frame?.rgba ?? new Uint8Array()),
    ).toBeUndefined()
    expect(sim.consoles.open(vm.id)).toBe(1)
    viewer.ws.close()
  })

  it('answers the upgrade with 101 Switching Protocols for the token cookie', async () => {
    const { answer } = await rawUpgrade(`/api/consoles/${runningVm(1).id}`, `token=${sim.token}`)
    expect(answer).toMatch(/^HTTP\/1\.1 101 /)
    expect(answer).toMatch(/Sec-WebSocket-Protocol: binary/i)
  })

  const refusals: [string, () => [string, string]][] = [
    [
      'the REST cookie authenticationToken alone',
      () => [runningVm(1).id, `authenticationToken=${sim.token}`],
    ],
    ['a wrong token', () => [runningVm(1).id, 'token=not-a-token']],
    ['an unknown VM id', () => ['00000000-0000-4000-8000-000000000000', `token=${sim.token}`]],
    [
      'a halted VM',
      () => {
        const halted = [...sim.lab.store.list('vms')].find((vm) => vm['power_state'] === 'Halted')
        if (!halted) throw new Error('the lab has no halted VM')
        return [halted.id, `token=${sim.token}`]
      },
    ],
  ]
  it.each(refusals)('ends the socket without any answer for %s', async (_, request) => {
    const [vmId, cookie] = request()
    expect(await rawUpgrade(`/api/consoles/${vmId}`, cookie)).toEqual({ answer: '', ended: true })
  })

  it('lets a non-admin open only the consoles of VMs they may operate', async () => {
    const operator = sim.lab.lab.accounts.find((a) => a.permission === 'none')
    if (!operator) throw new Error('the lab has no non-admin account')
    const token = sim.lab.auth.issueToken(operator.userId).id
    const vm = sim.lab.store.update('vms', runningVm(2).id, { tags: ['console-test'] })
    const path = `/api/consoles/${vm.id}`
    expect(await rawUpgrade(path, `token=${token}`)).toEqual({ answer: '', ended: true })
    const role = sim.lab.store.insert('acl-roles', {
      id: 'console-test-role',
      name: 'console operators',
      userIds: [operator.userId],
      groupIds: [],
    })
    sim.lab.store.insert('acl-privileges', {
      id: 'console-test-privilege',
      roleId: role.id,
      resource: 'vm',
      action: 'operate',
      effect: 'allow',
      selector: 'tags:console-test',
    })
    expect((await rawUpgrade(path, `token=${token}`)).answer).toMatch(/^HTTP\/1\.1 101 /)
  })

  it("opens a host's control domain console", async () => {
    const host = sim.lab.store.list('hosts').next().value
    const dom0 = sim.lab.store.get('vm-controllers', String(host?.['controlDomain']))
    if (!dom0) throw new Error('the first host has no control domain')
    const viewer = await openConsole(dom0.id)
    expect((await viewer.client.handshake()).name).toBe(dom0['name_label'])
    viewer.ws.close()
  })
})

describe('using a console', () => {
  it('shows typed keys on the screen and reports them', async () => {
    const vm = runningVm(3)
    const viewer = await openConsole(vm.id)
    await viewer.client.handshake()
    await fullFrame(viewer)
    viewer.client.requestUpdate(true, FULL)
    viewer.client.type('root')
    const [changed] = await viewer.client.readUpdate()
    if (!changed) throw new Error('no rectangle')
    expect(sim.consoles.report(vm.id).typed).toMatch(/^r/) // the first key made the update
    const frame = sim.consoles.frame(vm.id)
    if (!frame) throw new Error('no frame')
    // The update is the first key's change; the whole screen now shows all four.
    expect(changed.width).toBeLessThan(800)
    expect(firstDifference(await fullFrame(viewer), frame.rgba)).toBeUndefined()
    expect(sim.consoles.report(vm.id)).toMatchObject({ typed: 'root', sessions: 1 })
    viewer.ws.close()
  })

  it('reports Ctrl+Alt+Del and shows that it was received', async () => {
    const vm = runningVm(4)
    const viewer = await openConsole(vm.id)
    await viewer.client.handshake()
    await fullFrame(viewer)
    viewer.client.requestUpdate(true, FULL)
    for (const key of [CONTROL_L, ALT_L, DELETE]) viewer.client.key(true, key)
    for (const key of [DELETE, ALT_L, CONTROL_L]) viewer.client.key(false, key)
    const [changed] = await viewer.client.readUpdate()
    expect(changed?.height).toBeGreaterThan(0)
    expect(sim.consoles.report(vm.id)).toMatchObject({
      combos: ['Ctrl+Alt+Del'],
      keys: [CONTROL_L, ALT_L, DELETE],
      typed: '',
    })
    viewer.ws.close()
  })

  it('counts a click and draws a marker where it landed', async () => {
    const vm = runningVm(5)
    const viewer = await openConsole(vm.id)
    await viewer.client.handshake()
    const before = pixelAt(vm.id, 400, 300)
    viewer.client.requestUpdate(false, FULL)
    await viewer.client.readUpdate()
    viewer.client.pointer(0, 400, 300) // a move alone is no click
    viewer.client.click(400, 300)
    viewer.client.requestUpdate(false, { x: 400, y: 300, width: 1, height: 1 })
    const [marker] = await viewer.client.readUpdate()
    expect(sim.consoles.report(vm.id).clicks).toBe(1)
    expect(pixelAt(vm.id, 400, 300)).not.toEqual(before)
    expect(nativeToRgba(marker?.data ?? new Uint8Array())).toEqual(
      Uint8Array.from(pixelAt(vm.id, 400, 300)),
    )
    viewer.ws.close()
  })

  it('records clipboard text sent by the viewer', async () => {
    const vm = runningVm(5)
    const viewer = await openConsole(vm.id)
    await viewer.client.handshake()
    viewer.client.cutText('secret passphrase')
    viewer.client.requestUpdate(false, { x: 0, y: 0, width: 1, height: 1 })
    await viewer.client.readUpdate() // answered after the cut text was handled
    expect(sim.consoles.report(vm.id).cutText).toEqual(['secret passphrase'])
    viewer.ws.close()
  })

  it('sends pixels converted to a 16-bit big-endian format the viewer asked for', async () => {
    const vm = runningVm(6)
    const viewer = await openConsole(vm.id)
    await viewer.client.handshake()
    viewer.client.setPixelFormat(RGB565)
    viewer.client.requestUpdate(false, FULL)
    const [rect] = await viewer.client.readUpdate()
    const frame = sim.consoles.frame(vm.id)
    expect(rect?.data.length).toBe(800 * 600 * 2)
    expect(
      firstDifference(
        rect?.data ?? new Uint8Array(),
        expectedPixels(frame?.rgba ?? new Uint8Array(), RGB565),
      ),
    ).toBeUndefined()
    viewer.ws.close()
  })

  it('understands a viewer that sends one byte per WebSocket message', async () => {
    const vm = runningVm(7)
    const viewer = await openConsole(vm.id, { split: true })
    expect((await viewer.client.handshake()).name).toBe(vm['name_label'])
    viewer.client.setEncodings([0, -223])
    viewer.client.type('abc')
    viewer.client.click(10, 10)
    const frame = await fullFrame(viewer)
    expect(sim.consoles.report(vm.id)).toMatchObject({ typed: 'abc', clicks: 1 })
    expect(
      firstDifference(frame, sim.consoles.frame(vm.id)?.rgba ?? new Uint8Array()),
    ).toBeUndefined()
    viewer.ws.close()
  })

  it('shows two viewers of a VM the same screen: one types, the other sees it', async () => {
    const vm = runningVm(8)
    const [a, b] = [await openConsole(vm.id), await openConsole(vm.id)]
    await a.client.handshake()
    await b.client.handshake()
    await fullFrame(b)
    b.client.requestUpdate(true, FULL)
    a.client.type('z')
    const [seen] = await b.client.readUpdate()
    if (!seen) throw new Error('no rectangle')
    const frame = sim.consoles.frame(vm.id)
    if (!frame) throw new Error('no frame')
    expect(firstDifference(nativeToRgba(seen.data), cropRgba(frame, seen))).toBeUndefined()
    expect(sim.consoles.report(vm.id)).toMatchObject({ typed: 'z', sessions: 2 })
    expect(sim.consoles.open(vm.id)).toBe(2)
    a.ws.close()
    b.ws.close()
  })
})

describe('console sessions ending', () => {
  it("closes a VM's sessions when it stops, and its console is gone", async () => {
    const vm = runningVm(9)
    const viewers = [await openConsole(vm.id), await openConsole(vm.id)]
    for (const v of viewers) await v.client.handshake()
    expect(sim.consoles.open(vm.id)).toBe(2)
    sim.lab.store.update('vms', vm.id, { power_state: 'Halted' })
    for (const v of viewers) await v.incoming.closed()
    expect(sim.consoles.open(vm.id)).toBe(0)
    expect(sim.consoles.frame(vm.id)).toBeUndefined()
  })

  it('ends sessions on closeAll, as a reboot does, and a viewer reconnects to the same screen', async () => {
    const vm = runningVm(10)
    const first = await openConsole(vm.id)
    await first.client.handshake()
    first.client.type('before')
    await fullFrame(first)
    sim.consoles.closeAll(vm.id)
    await first.incoming.closed()
    expect(sim.consoles.open(vm.id)).toBe(0)
    const again = await openConsole(vm.id)
    await again.client.handshake()
    expect(
      firstDifference(await fullFrame(again), sim.consoles.frame(vm.id)?.rgba ?? new Uint8Array()),
    ).toBeUndefined()
    expect(sim.consoles.report(vm.id)).toMatchObject({ typed: 'before', sessions: 2 })
    again.ws.close()
  })

  it("ends console sockets when the server's connections drop", async () => {
    const other = await startSimulator({
      seed: 'consoles-drop',
      vms: 5,
      life: false,
      actionDelayMs: 0,
    })
    try {
      const vm = [...other.lab.store.list('vms')].find((v) => v['power_state'] === 'Running')
      if (!vm) throw new Error('no running VM')
      const viewer = await openConsole(vm.id, { server: other })
      await viewer.client.handshake()
      other.dropConnections()
      await viewer.incoming.closed()
      expect(other.consoles.open(vm.id)).toBe(0)
    } finally {
      await other.close()
    }
  })
})
