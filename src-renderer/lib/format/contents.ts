import type { LibraryContents } from '@contract'
import { m } from '../../paraglide/messages.js'
import { formatBytes } from './bytes'

/** One line of what validation read from an image: `VM web-01 · 2 vCPUs · 4 GiB · 2 disks (10 GiB, 20 GiB)`. */
export function describeContents(c: LibraryContents): string {
  switch (c.kind) {
    case 'xva':
    case 'ova': {
      const facts: string[] = [m.format_vm({ name: c.vm.name })]
      if (c.vm.CPUs !== undefined) facts.push(m.format_cpus({ count: c.vm.CPUs }))
      if (c.vm.memory !== undefined) facts.push(m.format_ram({ size: formatBytes(c.vm.memory) }))
      const sizes = c.disks.map((d) => formatBytes(d.virtualSize)).join(', ')
      facts.push(`${m.format_disks({ count: c.disks.length })}${sizes ? ` (${sizes})` : ''}`)
      if (c.compression !== 'none') facts.push(c.compression)
      return facts.join(' · ')
    }
    case 'vhd':
      return m.format_vhd({ type: c.diskType, size: formatBytes(c.virtualSize) })
    case 'raw':
      return m.format_raw({ size: formatBytes(c.virtualSize) })
    case 'log':
      return m.format_log()
  }
}
