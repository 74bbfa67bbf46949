/**
 * XAPI (XenServer/XCP-ng) failures in words. XO passes them through: as a sync 500 whose `error` is
 * `CODE(param, …)` with `info` (docs/xo-rest-api.md#errors), or as a failed task's `result`
 * `{code, params}` (docs/xo-rest-api.md#actions-and-tasks).
 */

export interface XapiFailure {
  code: string
  params: string[]
}

export interface Explained {
  message: string
  action: string
  retryable: boolean
}

/** `VM_BAD_POWER_STATE(OpaqueRef:…, halted, running)` → code and params. */
export function parseXapiMessage(message: string): XapiFailure | undefined {
  const m = /^([A-Z][A-Z0-9_]+)(?:\((.*)\))?$/s.exec(message.trim())
  if (!m?.[1]) return undefined
  const inner = m[2]?.trim() ?? ''
  return { code: m[1], params: inner === '' ? [] : inner.split(/,\s*/) }
}

function bytes(text: string | undefined): string {
  const n = Number(text)
  if (!Number.isFinite(n)) return String(text)
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(n / 1024 ** 2)} MiB`
}

type Rule = (params: string[], subject: string) => Explained

const REFRESH = 'Check its current state, then choose an action that fits it.'

const RULES: Record<string, Rule> = {
  // params: [ref, expected, actual]
  VM_BAD_POWER_STATE: ([, expected, actual], subject) => ({
    message: `${subject} is ${actual ?? 'in another state'}, but this needs it ${expected ?? 'in another state'}.`,
    action: REFRESH,
    retryable: false,
  }),
  HOST_OFFLINE: () => ({
    message: 'The host is offline.',
    action: 'Start the host, or choose another one.',
    retryable: false,
  }),
  OPERATION_NOT_ALLOWED: ([reason]) => ({
    message: `XAPI does not allow this now${reason ? `: ${reason}` : ''}.`,
    action: REFRESH,
    retryable: false,
  }),
  OTHER_OPERATION_IN_PROGRESS: ([, , operation], subject) => ({
    message: `Another operation${operation ? ` (${operation})` : ''} is running on ${subject}.`,
    action: 'Wait for it to finish, then try again.',
    retryable: true,
  }),
  VM_MISSING_PV_DRIVERS: (_, subject) => ({
    message: `${subject} has no running guest tools, so it cannot be shut down or rebooted cleanly.`,
    action: 'Use a hard shutdown or reboot, or install the guest tools in the VM.',
    retryable: false,
  }),
  NO_HOSTS_AVAILABLE: () => ({
    message: 'No host of the pool can take it (not enough free memory or CPU, or no host up).',
    action: 'Free some resources or start a host, then try again.',
    retryable: false,
  }),
  HOST_NOT_ENOUGH_FREE_MEMORY: ([needed, available]) => ({
    message: `The host lacks free memory (needs ${bytes(needed)}, has ${bytes(available)}).`,
    action: 'Stop another VM or choose another host.',
    retryable: false,
  }),
  SR_FULL: ([requested, max]) => ({
    message: `The storage repository is full (asked for ${bytes(requested)}, room for ${bytes(max)}).`,
    action: 'Free space on it or choose another storage repository.',
    retryable: false,
  }),
  VDI_IN_USE: () => ({
    message: 'The disk is in use by a VM or another operation.',
    action: 'Detach it or wait for the other operation, then try again.',
    retryable: true,
  }),
  HANDLE_INVALID: ([kind]) => ({
    message: `The ${kind ?? 'object'} no longer exists.`,
    action: 'It was probably deleted meanwhile: check in XO that it still exists.',
    retryable: false,
  }),
  VDI_IO_ERROR: ([detail]) => ({
    message: `A disk read or write failed on the storage${detail ? ` (${detail})` : ''}.`,
    action: 'Check the storage repository in XO, then try again.',
    retryable: true,
  }),
  IMPORT_ERROR: ([detail]) => ({
    message: `XAPI could not import the file${detail ? `: ${detail}` : ''}.`,
    action: 'Check that the file is a complete XVA or VHD, then try again.',
    retryable: false,
  }),
  VM_IS_TEMPLATE: (_, subject) => ({
    message: `${subject} is a template, which cannot do this.`,
    action: 'Create a VM from the template first.',
    retryable: false,
  }),
  LICENCE_RESTRICTION: ([feature]) => ({
    message: `The pool's licence does not allow this${feature ? ` (${feature})` : ''}.`,
    action: 'Check the pool licence in XO.',
    retryable: false,
  }),
}

const FEATURE = /^VM_LACKS_FEATURE/
const BACKEND = /^SR_BACKEND_FAILURE/

/** A readable explanation of an XAPI failure; `subject` names the object ("web-01", "The VM"). */
export function explainXapi(failure: XapiFailure, subject: string): Explained {
  const rule =
    RULES[failure.code] ?? (FEATURE.test(failure.code) ? RULES['VM_MISSING_PV_DRIVERS'] : undefined)
  if (rule) return rule(failure.params, subject)
  if (BACKEND.test(failure.code)) {
    const detail = failure.params.filter((p) => p !== '').join(' ')
    return {
      message: `The storage backend failed${detail ? `: ${detail}` : ''}.`,
      action: 'Check the storage repository in XO, then try again.',
      retryable: false,
    }
  }
  return {
    message: `XAPI refused it: ${failure.code}${failure.params.length > 0 ? ` (${failure.params.join(', ')})` : ''}.`,
    action: 'Check the object in XO, then try again.',
    retryable: false,
  }
}
