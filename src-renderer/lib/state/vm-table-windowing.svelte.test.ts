// The VM table's windowing, through its public API, with main's answers held back and released
// in the order each test chooses. The five defect tests (older answer, offset before rows, end
// of the list, sort value changed, a request per key) failed on the table before WindowedList
// (src-renderer/lib/state/vm-table.svelte.ts at commit ed01cc3); the other two guard what worked.
// The four on reading ahead, changes outside the window, the window a reload reads and tall
// screens failed on WindowedList before the VM view benchmark's fixes (docs/benchmarks.md).
import type { InventoryDiff, InventoryObject, XoBridge } from '@contract'
import { describe, expect, it } from 'vitest'
import { VmTable } from './vm-table.svelte'
import { EDGE, OFFSCREEN_RELOAD_MS } from './windowed-list.svelte'

interface Asked {
  offset: number
  limit: number
  answer(page: { offset?: number; items: InventoryObject[]; total: number }): void
}

const vm = (i: number, name = `vm-${String(i).padStart(5, '0')}`): InventoryObject => ({
  id: `id-${i}`,
  name_label: name,
})
const range = (from: number, to: number): InventoryObject[] =>
  Array.from({ length: Math.max(0, to - from) }, (_, k) => vm(from + k))

/** A bridge whose VM pages wait for the test; names (pools, hosts) answer at once, empty. */
function heldBridge() {
  const asked: Asked[] = []
  const diffs: ((d: InventoryDiff) => void)[] = []
  const bridge = {
    invoke: (method: string, input: { collection: string; offset: number; limit: number }) => {
      if (method !== 'inventory.page' || input.collection !== 'vms')
        return Promise.resolve({
          ok: true,
          value: { collection: input.collection, offset: 0, items: [], total: 0 },
        })
      return new Promise((resolve) =>
        asked.push({
          offset: input.offset,
          limit: input.limit,
          answer: (page) =>
            resolve({
              ok: true,
              value: { collection: 'vms', offset: page.offset ?? input.offset, ...page },
            }),
        }),
      )
    },
    on: (event: string, listener: (d: InventoryDiff) => void) => {
      if (event === 'inventory.diff') diffs.push(listener)
      return () => undefined
    },
  } as unknown as XoBridge
  const emit = (diff: Omit<InventoryDiff, 'instanceId' | 'collection'>): void =>
    diffs.forEach((d) => d({ instanceId: 'lab', collection: 'vms', ...diff }))
  return { bridge, asked, emit }
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

/** A table on instance `lab` showing rows 0–199 of `total`. */
async function openTable(total = 10_000) {
  const held = heldBridge()
  const table = new VmTable(held.bridge)
  const opened = table.open('lab')
  await settle()
  held.asked.shift()?.answer({ items: range(0, Math.min(200, total)), total })
  await opened
  return { table, ...held }
}

describe('VM table windowing', () => {
  it('an older page arriving after a newer one does not replace the newer rows', async () => {
    const { table, asked } = await openTable()
    table.scrolledTo(5_000, 20)
    table.scrolledTo(8_000, 20)
    await settle()
    const [older, newer] = [asked[0], asked[1]]
    expect(newer?.offset).toBeGreaterThan(7_000)
    newer?.answer({ items: range(newer.offset, newer.offset + 200), total: 10_000 })
    await settle()
    older?.answer({ items: range(older.offset, older.offset + 200), total: 10_000 })
    await settle()
    expect(table.offset).toBe(newer?.offset)
    expect(table.rows[0]?.id).toBe(`id-${newer?.offset}`)
  })

  it('keeps the rows at their own positions until the next page arrives, then takes its offset', async () => {
    const { table, asked } = await openTable()
    table.scrolledTo(5_000, 20)
    await settle()
    // Still the first window, drawn where it belongs.
    expect(table.offset).toBe(0)
    expect(table.rows[0]?.id).toBe('id-0')
    // Main answers from another offset than asked (the list shrank): its offset is the truth.
    asked[0]?.answer({ offset: 4_800, items: range(4_800, 5_000), total: 5_000 })
    await settle()
    expect(table.offset).toBe(4_800)
    expect(table.rows[0]?.id).toBe('id-4800')
  })

  it('at the end of the list, scrolling asks for nothing more', async () => {
    const { table, asked } = await openTable(250)
    table.scrolledTo(225, 30)
    await settle()
    const end = asked.shift()
    expect(end).toBeDefined()
    end?.answer({ items: range(end.offset, 250), total: 250 })
    await settle()
    expect(table.rows.at(-1)?.id).toBe('id-249')
    for (let first = 225; first <= 240; first++) table.scrolledTo(first, 30)
    await settle()
    expect(asked).toHaveLength(0)
  })

  it('scrolling inside the window being read asks once', async () => {
    const { table, asked } = await openTable()
    for (let first = 5_000; first < 5_040; first += 4) table.scrolledTo(first, 20)
    await settle()
    expect(asked).toHaveLength(1)
  })

  it('a row on screen whose sort value changes is re-read in order, not patched in place', async () => {
    const { table, asked, emit } = await openTable(200)
    emit({ upserts: [vm(1, 'zzz-renamed')], removals: [], total: 200 })
    await settle()
    // The window is read again, so the renamed VM moves to where the sort puts it.
    expect(asked).toHaveLength(1)
    const rows = [...range(0, 200).filter((r) => r.id !== 'id-1'), vm(1, 'zzz-renamed')]
    asked.shift()?.answer({ items: rows, total: 200 })
    await settle()
    expect(table.rows.at(-1)?.['name_label']).toBe('zzz-renamed')
  })

  it('a row on screen whose other fields change is patched in place, without a request', async () => {
    const { table, asked, emit } = await openTable(200)
    emit({
      upserts: [{ ...vm(1), power_state: 'Running' }],
      removals: [],
      total: 200,
    })
    await settle()
    expect(asked).toHaveLength(0)
    expect(table.rows[1]?.['power_state']).toBe('Running')
  })

  it('changes to rows outside the window read it again once, later; rows in it are patched at once', async () => {
    const { table, asked, emit } = await openTable()
    // A VM far down the list renamed so it sorts into the window: the diff cannot say so.
    emit({ upserts: [vm(5_000, 'vm-00002a')], removals: [], total: 10_000 })
    for (let k = 1; k < 10; k++)
      emit({ upserts: [{ ...vm(5_000 + k), power_state: 'Running' }], removals: [], total: 10_000 })
    emit({ upserts: [{ ...vm(3), power_state: 'Running' }], removals: [], total: 10_000 })
    await settle()
    expect(asked).toHaveLength(0)
    expect(table.rows[3]?.['power_state']).toBe('Running')
    await new Promise((r) => setTimeout(r, OFFSCREEN_RELOAD_MS + 50))
    expect(asked).toHaveLength(1)
    const rows = [...range(0, 3), vm(5_000, 'vm-00002a'), ...range(3, 199)]
    asked.shift()?.answer({ items: rows, total: 10_000 })
    await settle()
    expect(table.rows[3]?.['name_label']).toBe('vm-00002a')
    expect(asked).toHaveLength(0)
  })

  it('a change while another window is read reloads that window, not the one scrolled away from', async () => {
    const { table, asked, emit } = await openTable()
    table.scrolledTo(5_000, 20)
    await settle()
    emit({ upserts: [], removals: ['id-7'], total: 9_999 })
    await settle()
    expect(asked).toHaveLength(2)
    const reload = asked[1]
    expect(reload?.offset).toBe(asked[0]?.offset)
    reload?.answer({ items: range(reload.offset, reload.offset + 200), total: 9_999 })
    await settle()
    expect(table.offset).toBe(reload?.offset)
    expect(table.rows[0]?.id).toBe(`id-${reload?.offset}`)
  })

  it('nearing the end of the loaded rows reads the next window once, before they run out', async () => {
    const { table, asked } = await openTable()
    table.scrolledTo(150, 27)
    for (let first = 151; first <= 160; first++) table.scrolledTo(first, 27)
    await settle()
    expect(asked).toHaveLength(1)
    const next = asked.shift()
    expect(next?.offset).toBeLessThanOrEqual(150 - EDGE)
    expect((next?.offset ?? 0) + (next?.limit ?? 0)).toBeGreaterThanOrEqual(187 + EDGE)
    // Meanwhile the loaded rows stay where they are.
    expect(table.offset).toBe(0)
    next?.answer({ items: range(next.offset, next.offset + 200), total: 10_000 })
    await settle()
    expect(table.offset).toBe(next?.offset)
    // Back and forth around there asks for nothing more.
    for (let first = 160; first >= 140; first--) table.scrolledTo(first, 27)
    await settle()
    expect(asked).toHaveLength(0)
  })

  it('scrolling down steadily reads the next window ahead of the rows shown, not around them', async () => {
    const { table, asked } = await openTable()
    // Rows 0–199 are loaded: at 125 the rows shown come within EDGE of their end.
    for (let first = 100; first <= 125; first += 5) table.scrolledTo(first, 27)
    await settle()
    expect(asked).toHaveLength(1)
    const next = asked.shift()
    if (!next) throw new Error('no window read')
    const first = 125
    const behind = first - next.offset
    const ahead = next.offset + next.limit - (first + 27)
    expect(ahead).toBeGreaterThan(behind)
    // Still enough behind that going back a few rows reads nothing.
    expect(behind).toBeGreaterThan(EDGE)
  })

  it('on a screen nearly as tall as the window, scrolling asks once per window, not per event', async () => {
    const { table, asked } = await openTable()
    table.scrolledTo(18, 180)
    await settle()
    const next = asked.shift()
    expect(next).toBeDefined()
    next?.answer({ items: range(next.offset, next.offset + 200), total: 10_000 })
    await settle()
    for (let first = 18; first <= 22; first++) table.scrolledTo(first, 180)
    await settle()
    expect(asked).toHaveLength(0)
    expect(table.rows[0]?.id).toBe(`id-${next?.offset}`)
  })

  it('typing a filter asks once, when typing pauses, with the whole filter', async () => {
    const { table, asked } = await openTable()
    for (const end of [1, 5, 10, 15, 18]) table.setFilter('power_state:Halted'.slice(0, end))
    await settle()
    expect(asked).toHaveLength(0)
    await new Promise((r) => setTimeout(r, 200))
    expect(asked).toHaveLength(1)
    expect(table.filter).toBe('power_state:Halted')
  })
})
