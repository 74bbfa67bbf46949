import { afterEach, describe, expect, it, vi } from 'vitest'
import { render, screen, waitFor } from '@testing-library/svelte'
import type { XoBridge } from '@contract'
import { setLocale } from '../paraglide/runtime.js'
import { VmTable } from '../lib/state/vm-table.svelte'
import { BrowserPrefsState } from '../lib/state/browser-prefs.svelte'
import VmsView from './VmsView.svelte'

const VMS = [
  { id: 'vm-1', name_label: 'web-01', power_state: 'Running', memory: { size: 2 ** 32 } },
  { id: 'vm-2', name_label: 'db-01', power_state: 'Halted', memory: { size: 2 ** 31 } },
  { id: 'vm-3', name_label: 'cache-01', power_state: 'Running', CPUs: { number: 2 } },
]

/** A bridge whose instance has three VMs (and no pool or host to name them by). */
const bridge = {
  invoke: vi.fn(async (_method: string, input: { collection?: string }) => ({
    ok: true,
    value:
      input.collection === 'vms'
        ? { collection: 'vms', offset: 0, items: VMS, total: VMS.length }
        : { collection: input.collection, offset: 0, items: [], total: 0 },
  })),
  on: vi.fn(() => () => undefined),
} as unknown as XoBridge

// jsdom measures nothing: the list's height binding only needs the observer to exist.
vi.stubGlobal(
  'ResizeObserver',
  class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  },
)

afterEach(() => void setLocale('en', { reload: false }))

describe('the VM list in French', () => {
  it('shows its header, filters, columns, rows and selection in French only', async () => {
    void setLocale('fr', { reload: false })
    const table = new VmTable(bridge)
    await table.open('lab')
    const { container } = render(VmsView, {
      props: {
        table,
        prefs: new BrowserPrefsState(bridge),
        title: 'Lab',
        url: 'https://xo.lab/rest/v0',
        live: { instanceId: 'lab', state: 'live' },
        production: false,
        onopen: () => undefined,
        onask: () => undefined,
        onmenu: () => undefined,
        onexport: () => undefined,
      },
    })
    await waitFor(() => expect(screen.getByRole('row', { name: 'web-01' })).toBeTruthy())
    table.select(0)
    await waitFor(() => expect(screen.getByText('1 sélectionné')).toBeTruthy())

    expect(screen.getByTestId('vm-count').textContent).toBe('3 VM')
    expect(screen.getByRole('searchbox', { name: 'Filtrer : VM' })).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Colonnes…' })).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Copier en curl…' })).toBeTruthy()
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent?.trim())).toEqual([
      '',
      'Nom',
      'État',
      'Pool',
      'Hôte',
      'CPU',
      'Mémoire',
      'Adresse IP',
      'Tags',
      'Actions',
    ])
    expect(screen.getAllByRole('button', { name: 'Démarrer' })).toHaveLength(1)
    expect(screen.getAllByRole('button', { name: 'Exporter…' })).toHaveLength(3)
    // XO's power states are shown in French in the rows and the quick filters alike.
    expect(screen.getAllByTestId('power-state').map((c) => c.textContent?.trim())).toEqual([
      'Démarrée',
      'Arrêtée',
      'Démarrée',
    ])

    // The search help's examples are XO's own syntax (`power_state:Running`): not words to translate.
    const prose = container.cloneNode(true) as HTMLElement
    for (const code of prose.querySelectorAll('code')) code.remove()
    const text = prose.textContent ?? ''
    const labels = [...container.querySelectorAll('[aria-label], [placeholder], [title]')]
      .flatMap((e) => [
        e.getAttribute('aria-label'),
        e.getAttribute('placeholder'),
        e.getAttribute('title'),
      ])
      .join(' ')
      // The example search is XO's own syntax, and stays so in every language.
      .replace('power_state:Running tags:prod web', '')
    for (const english of [
      'Filter',
      'Columns',
      'Copy as curl',
      'Name',
      'Power state',
      'Memory',
      'IP address',
      'Host',
      'Start',
      'Shut down',
      'Reboot',
      'Export',
      'selected',
      'Clear selection',
      'Running',
      'Halted',
      'Quick filters',
      'Any pool',
      'Save search',
      'Select',
    ]) {
      // As a word: French "Exporter" is not English "Export".
      const word = new RegExp(`\\b${english}\\b`)
      expect(text).not.toMatch(word)
      expect(labels).not.toMatch(word)
    }
  })
})
