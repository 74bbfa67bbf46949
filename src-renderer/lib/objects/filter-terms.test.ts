import { describe, expect, it } from 'vitest'
import { propertyValue, setProperty, termsOf, toggleTerm } from './filter-terms'

describe('quick chips edit the search text', () => {
  it('a power-state chip adds its term, and a second click takes it away', () => {
    const on = toggleTerm('web', 'power_state:Running')
    expect(on).toBe('web power_state:Running')
    expect(toggleTerm(on, 'power_state:Running')).toBe('web')
  })

  it('choosing another pool replaces the pool term, keeping the rest', () => {
    const one = setProperty('web tags:prod', '$pool', 'p-1')
    expect(setProperty(one, '$pool', 'p 2')).toBe('web tags:prod $pool:"p 2"')
    expect(propertyValue('web $pool:"p 2"', '$pool')).toBe('p 2')
    expect(setProperty(one, '$pool', undefined)).toBe('web tags:prod')
  })

  it('keeps quoted values and groups as one term', () => {
    expect(termsOf('name_label:"db 01" |(a b) x')).toEqual(['name_label:"db 01"', '|(a b)', 'x'])
  })
})
