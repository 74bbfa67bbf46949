import { describe, expect, it, vi } from 'vitest'
import { fireEvent, render, screen } from '@testing-library/svelte'
import ErrorNotice from './ErrorNotice.svelte'

const error = {
  code: 'unreachable' as const,
  message: 'Could not reach xo.lab.local:443.',
  action: 'Check the address, or that the XO server is running.',
  retryable: true,
}

describe('ErrorNotice', () => {
  it('shows what happened and what to do next, as an alert', () => {
    render(ErrorNotice, { props: { error } })
    const alert = screen.getByRole('alert')
    expect(alert.textContent).toContain(error.message)
    expect(alert.textContent).toContain(error.action)
  })

  it('offers "Try again" for a retryable error and calls back when clicked', async () => {
    const onretry = vi.fn()
    render(ErrorNotice, { props: { error, onretry } })
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(onretry).toHaveBeenCalledOnce()
  })

  it('offers no "Try again" when retrying cannot help', () => {
    render(ErrorNotice, { props: { error: { ...error, retryable: false }, onretry: vi.fn() } })
    expect(screen.queryByRole('button')).toBeNull()
  })
})
