import type { LibraryContents } from '@contract'
import { formatBytes } from './bytes'

/** One line of what validation read from an image: `VM web-01 · 2 vCPUs · 4 GiB · 2 disks (10 GiB, 20 GiB)`. */
export function describeContents(c: LibraryContents): string {
  switch (c.kind) {
    case 'xva':
    case 'ova': {
      const facts = [`VM ${c.vm.name}`]
      if (c.vm.CPUs !== undefined) facts.push(`${c.vm.CPUs} vCPU${c.vm.CPUs === 1 ? '' : 's'}`)
      if (c.vm.memory !== undefined) facts.push(`${formatBytes(c.vm.memory)} RAM`)
      const sizes = c.disks.map((d) => formatBytes(d.virtualSize)).join(', ')
      facts.push(
        `${c.disks.length} disk${c.disks.length === 1 ? '' : 's'}${sizes ? ` (${sizes})` : ''}`,
      )
      if (c.compression !== 'none') facts.push(c.compression)
      return facts.join(' · ')
    }
    case 'vhd':
      return `${c.diskType} VHD · ${formatBytes(c.virtualSize)} virtual`
    case 'raw':
      return `raw disk · ${formatBytes(c.virtualSize)}`
    case 'log':
      return 'host log'
  }
}
