import { describe, expect, it } from 'vitest'
import { actionsFor, pendingLabel } from './vm-actions'

describe('VM actions offered', () => {
  it('offers Start only for a halted VM', () => {
    expect(actionsFor('Halted').map((a) => a.action)).toEqual(['start'])
  })

  it('offers a clean shut down and reboot for a running VM', () => {
    expect(actionsFor('Running').map((a) => a.label)).toEqual(['Shut down', 'Reboot'])
  })

  it('resumes a paused VM with unpause and a suspended one with resume, as XAPI requires', () => {
    expect(actionsFor('Paused')[0]?.action).toBe('unpause')
    expect(actionsFor('Suspended')[0]?.action).toBe('resume')
  })

  it('names what a running task does', () => {
    expect(pendingLabel('start')).toBe('Starting…')
  })
})
