import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** An organisation's CA and a server certificate it signed for 127.0.0.1, made with the real openssl. */
export async function caSignedCertificate(): Promise<{
  caPem: string
  leaf: { cert: string; key: string }
}> {
  const dir = await mkdtemp(join(tmpdir(), 'xo-desk-ca-'))
  try {
    const at = (f: string): string => join(dir, f)
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
    const subj = (cn: string): string[] => ['-subj', `/CN=${cn}`]
    await run('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      at('ca.key'),
      '-out',
      at('ca.pem'),
      ...subj('Lab CA'),
      '-days',
      '2',
    ])
    await run('openssl', [
      'req',
      ...ec,
      '-keyout',
      at('leaf.key'),
      '-out',
      at('leaf.csr'),
      ...subj('xo.lab'),
    ])
    await run('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1' > '${at('ext')}'`])
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      at('leaf.csr'),
      '-CA',
      at('ca.pem'),
      '-CAkey',
      at('ca.key'),
      '-CAcreateserial',
      '-out',
      at('leaf.pem'),
      '-days',
      '2',
      '-extfile',
      at('ext'),
    ])
    return {
      caPem: await readFile(at('ca.pem'), 'utf8'),
      leaf: {
        cert: await readFile(at('leaf.pem'), 'utf8'),
        key: await readFile(at('leaf.key'), 'utf8'),
      },
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
