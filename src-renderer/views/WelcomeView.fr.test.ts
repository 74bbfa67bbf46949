import { afterEach, describe, expect, it, vi } from 'vitest'
import { render, screen } from '@testing-library/svelte'
import type { XoBridge } from '@contract'
import { setLocale } from '../paraglide/runtime.js'
import { AppStatus } from '../lib/state/app-status.svelte'
import { InstancesState } from '../lib/state/instances.svelte'
import WelcomeView from './WelcomeView.svelte'

const bridge = {
  invoke: vi.fn(async () => ({ ok: true, value: [] })),
  on: vi.fn(() => () => undefined),
} as unknown as XoBridge

afterEach(() => void setLocale('en', { reload: false }))

describe('the welcome page in French', () => {
  it('reads in French, with no sentence left in English', () => {
    void setLocale('fr', { reload: false })
    const { container } = render(WelcomeView, {
      props: {
        status: new AppStatus(bridge),
        instances: new InstancesState(bridge),
        onadd: () => undefined,
      },
    })
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Bienvenue dans XO Desk')
    expect(screen.getByRole('button', { name: 'Ouvrir le labo de démo' })).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Ajouter un XO' })).toBeTruthy()
    const text = container.textContent ?? ''
    for (const english of [
      'Welcome',
      'New here',
      'Open the Demo lab',
      'Your own',
      'Add an XO',
      'Show app details',
      'computer',
    ]) {
      expect(text).not.toContain(english)
    }
  })
})
