import type {
  AppError,
  ImportInput,
  InstanceSummary,
  LibraryContents,
  TransferView,
  XoBridge,
} from '@contract'
import { loadSrChoices, type SrChoice } from './sr-choices'

/** What is imported: a library file or a dropped one, with what validation read from it. */
export interface ImportSource {
  source: ImportInput['source']
  name: string
  contents: LibraryContents
}

/**
 * The import dialog: which instance, which SR (or VDI), then `transfers.import`. Main validates
 * the file again and checks the target before any byte; this only offers sensible choices.
 */
export class ImportForm {
  instanceId = $state('')
  srs = $state<SrChoice[]>([])
  srId = $state('')
  /** For a disk: a new VDI on the SR, or the content of an existing VDI. */
  diskTarget = $state<'new-vdi' | 'existing-vdi'>('new-vdi')
  vdiName = $state('')
  vdiId = $state('')
  busy = $state(false)
  error = $state<AppError | undefined>()

  readonly #xo: XoBridge
  readonly file: ImportSource
  readonly instances: InstanceSummary[]
  readonly #queued: (view: TransferView) => void

  constructor(
    xo: XoBridge,
    file: ImportSource,
    instances: InstanceSummary[],
    queued: (view: TransferView) => void,
  ) {
    this.#xo = xo
    this.file = file
    this.instances = instances
    this.#queued = queued
    this.vdiName = file.name.replace(/\.[^.]+$/, '')
    const first = instances.find((i) => i.live.state === 'live') ?? instances[0]
    if (first) void this.pick(first.id)
  }

  /** XVA: a VM into a pool; VHD and raw: a disk. OVAs are not imported by XO (main says so). */
  get isVm(): boolean {
    return this.file.contents.kind === 'xva' || this.file.contents.kind === 'ova'
  }

  /** What the image needs on the SR: its disks' virtual sizes. */
  get needed(): number {
    const c = this.file.contents
    if ('disks' in c) return c.disks.reduce((sum, d) => sum + d.virtualSize, 0)
    return 'virtualSize' in c ? c.virtualSize : 0
  }

  async pick(instanceId: string): Promise<void> {
    this.instanceId = instanceId
    this.srs = []
    this.srId = ''
    const res = await loadSrChoices(this.#xo, instanceId)
    if (!res.ok) return void (this.error = res.error)
    this.srs = res.srs
    this.srId = this.srs.find((s) => s.free >= this.needed)?.id ?? this.srs[0]?.id ?? ''
    this.error = undefined
  }

  get ready(): boolean {
    if (this.busy || !this.instanceId) return false
    return this.isVm || this.diskTarget === 'new-vdi' ? this.srId !== '' : this.vdiId.trim() !== ''
  }

  async submit(): Promise<void> {
    if (!this.ready) return
    const target: ImportInput['target'] = this.isVm
      ? { kind: 'vm', sr: this.srId }
      : this.diskTarget === 'new-vdi'
        ? {
            kind: 'new-vdi',
            sr: this.srId,
            ...(this.vdiName.trim() ? { name: this.vdiName.trim() } : {}),
          }
        : { kind: 'existing-vdi', vdi: this.vdiId.trim() }
    this.busy = true
    try {
      const res = await this.#xo.invoke('transfers.import', {
        source: this.file.source,
        instanceId: this.instanceId,
        target,
      })
      if (res.ok) this.#queued(res.value)
      else this.error = res.error
    } finally {
      this.busy = false
    }
  }
}
