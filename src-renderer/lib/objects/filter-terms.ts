/**
 * Quick chips edit the search as text, in XO's own syntax, so what a chip does is visible in the
 * filter box and can be saved or copied as curl like anything typed.
 */

/** The filter's terms, split on spaces outside quotes and parentheses. */
export function termsOf(filter: string): string[] {
  const terms: string[] = []
  let current = ''
  let depth = 0
  let quoted = false
  for (const char of filter) {
    if (char === '"') quoted = !quoted
    else if (!quoted && char === '(') depth++
    else if (!quoted && char === ')') depth = Math.max(0, depth - 1)
    if (char === ' ' && !quoted && depth === 0) {
      if (current) terms.push(current)
      current = ''
    } else current += char
  }
  if (current) terms.push(current)
  return terms
}

/** A property's value as a term: quoted when it holds a space or a quote. */
export function term(property: string, value: string): string {
  return /[\s"():|]/.test(value)
    ? `${property}:"${value.replace(/"/g, '\\"')}"`
    : `${property}:${value}`
}

/** Adds the term, or removes it when it is there already. */
export function toggleTerm(filter: string, t: string): string {
  const terms = termsOf(filter)
  return (terms.includes(t) ? terms.filter((x) => x !== t) : [...terms, t]).join(' ')
}

/** Sets one property's term (replacing any other value of it), or removes it with `undefined`. */
export function setProperty(filter: string, property: string, value: string | undefined): string {
  const others = termsOf(filter).filter((t) => !t.startsWith(`${property}:`))
  return (value === undefined ? others : [...others, term(property, value)]).join(' ')
}

/** The value a property has in the filter, if a term sets it. */
export function propertyValue(filter: string, property: string): string | undefined {
  const found = termsOf(filter).find((t) => t.startsWith(`${property}:`))
  return found?.slice(property.length + 1).replace(/^"(.*)"$/, '$1')
}
