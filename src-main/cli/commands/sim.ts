import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { fingerprintOf, generateCertificate, parseFaultSpec, startSimulator } from '../../simulator'
import type { CliIo } from '../run'

export const SIM_USAGE = `Usage: xo-desk sim [options]

Runs a local Xen Orchestra simulator (REST API 0.39.0) until Ctrl+C.

Options:
  --port N            Port to listen on (default: a free one)
  --host ADDRESS      Address to bind (default 127.0.0.1; anything else exposes the lab to your network)
  --token T           Use this admin token instead of a generated one
  --seed S            Same seed, same lab (default "xo-desk")
  --vms N             Number of VMs (default ~150)
  --tls               Serve HTTPS with a certificate generated now (prints its SHA-256 fingerprint)
  --cert FILE --key FILE   Serve HTTPS with this certificate and key (PEM)
  --fault SPEC        Inject a fault, e.g. 'GET /vms/*.xva:drop-after=10MB' (repeatable)
  --action-delay MS   How long actions take (default 1500)
  --no-life           No background activity (metrics drift, colleagues starting VMs)
  --bench-disk SIZE   Add VDIs bench-disk (SIZE of non-zero data) and bench-sparse (same size,
                      1/16 data) on the first pool's default SR, e.g. 4G, 512M (binary units)
`

const BINARY_UNITS: Record<string, number> = {
  '': 1,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
}

/** `4G`, `512MiB`, `1073741824`: bytes, binary units; undefined unless a positive multiple of 512. */
export function parseBenchDiskSize(text: string): number | undefined {
  const m = /^(\d+)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim())
  const unit = m ? BINARY_UNITS[(m[2] ?? '').toUpperCase()] : undefined
  if (!m || unit === undefined) return undefined
  const bytes = Number(m[1]) * unit
  return Number.isSafeInteger(bytes) && bytes > 0 && bytes % 512 === 0 ? bytes : undefined
}

function fail(io: CliIo, message: string): number {
  io.stderr(`xo-desk sim: ${message}\nRun \`xo-desk sim --help\` for the options.\n`)
  return 2
}

/** `xo-desk sim`: prints the URL and token, then serves until the process is interrupted. */
export async function simCommand(
  argv: string[],
  io: CliIo,
  until: Promise<unknown>,
): Promise<number> {
  let values
  try {
    values = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
        seed: { type: 'string' },
        vms: { type: 'string' },
        tls: { type: 'boolean' },
        cert: { type: 'string' },
        key: { type: 'string' },
        fault: { type: 'string', multiple: true },
        'action-delay': { type: 'string' },
        'no-life': { type: 'boolean' },
        'bench-disk': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values
  } catch (err) {
    return fail(io, err instanceof Error ? err.message : String(err))
  }
  if (values.help) {
    io.stdout(SIM_USAGE)
    return 0
  }
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return fail(io, `--port must be a port number, not "${values.port}"`)
  const vms = values.vms === undefined ? undefined : Number(values.vms)
  if (vms !== undefined && (!Number.isInteger(vms) || vms < 0))
    return fail(io, `--vms must be a whole number, not "${values.vms}"`)
  const benchDisk =
    values['bench-disk'] === undefined ? undefined : parseBenchDiskSize(values['bench-disk'])
  if (values['bench-disk'] !== undefined && benchDisk === undefined)
    return fail(
      io,
      `--bench-disk must be a size such as 4G or 512M (a multiple of 512 bytes), not "${values['bench-disk']}"`,
    )
  if ((values.cert === undefined) !== (values.key === undefined))
    return fail(io, '--cert and --key go together')

  let faults
  try {
    faults = (values.fault ?? []).map(parseFaultSpec)
  } catch (err) {
    return fail(io, err instanceof Error ? err.message : String(err))
  }

  let tls: { cert: string; key: string; fingerprint256: string } | undefined
  if (values.cert !== undefined && values.key !== undefined) {
    try {
      const [cert, key] = await Promise.all([
        readFile(values.cert, 'utf8'),
        readFile(values.key, 'utf8'),
      ])
      tls = { cert, key, fingerprint256: fingerprintOf(cert) }
    } catch (err) {
      return fail(
        io,
        `cannot read the certificate or key: ${err instanceof Error ? err.message : String(err)}`,
      )
    }
  } else if (values.tls) tls = await generateCertificate(values.host)

  let sim
  try {
    sim = await startSimulator({
      port,
      ...(values.host ? { host: values.host } : {}),
      ...(values.token ? { token: values.token } : {}),
      ...(values.seed ? { seed: values.seed } : {}),
      ...(vms !== undefined ? { vms } : {}),
      ...(values['action-delay'] ? { actionDelayMs: Number(values['action-delay']) } : {}),
      life: !values['no-life'],
      ...(benchDisk !== undefined ? { benchDisk } : {}),
      ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    })
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'EADDRINUSE')
      return fail(io, `port ${port} is already in use; pick another with --port, or omit it`)
    if (code === 'EADDRNOTAVAIL')
      return fail(io, `this machine has no address ${values.host ?? ''}`)
    return fail(io, err instanceof Error ? err.message : String(err))
  }
  for (const fault of faults) sim.faults.add(fault)

  const vmCount = sim.lab.store.count('vms')
  io.stdout(`XO simulator (REST API 0.39.0) with ${vmCount} VMs is listening.\n`)
  io.stdout(`URL:   ${sim.url}\n`)
  io.stdout(`Token: ${sim.token}\n`)
  const bench = sim.lab.benchDisks
  if (bench) {
    io.stdout(`Bench disk (${String(bench.disk['size'])} bytes of data): ${bench.disk.id}\n`)
    io.stdout(`Bench sparse disk (1/16 data): ${bench.sparse.id}\n`)
  }
  if (tls) io.stdout(`TLS certificate SHA-256 fingerprint: ${tls.fingerprint256}\n`)
  for (const fault of faults)
    io.stdout(`Fault: ${fault.method ?? '*'} ${fault.path} → ${fault.fault.kind}\n`)
  io.stdout(
    `Try:   curl -b authenticationToken=${sim.token} "${sim.url}/vms?fields=name_label,power_state&filter=power_state:Running"\n`,
  )
  io.stdout('Press Ctrl+C to stop.\n')
  await until
  await sim.close()
  return 0
}
