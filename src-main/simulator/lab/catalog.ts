/**
 * Static facts the lab draws from: server hardware, guest operating systems, XCP-ng's default
 * templates, the roles VMs play in a small company, storage drivers and ISO images. Values follow
 * what XCP-ng 8.3 reports (as in @xen-orchestra/rest-api 0.39.0, dist/open-api/oa-examples/); the
 * texts are our own. Long lists are kept as text tables.
 * Everything is frozen: records share these objects (os_version, features…).
 */
import { deepFreeze } from './common'

/** Rows of a `|`-separated text table, cells trimmed, blank lines skipped. */
function rows(table: string): string[][] {
  return table
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('|').map((cell) => cell.trim()))
}

/** Space-separated words of a cell; `-` is an empty list. */
function words(cell: string | undefined): string[] {
  return cell === undefined || cell === '-' ? [] : cell.split(/\s+/)
}

function numbers(cell: string | undefined): number[] {
  return words(cell).map(Number)
}

/** `key=value; key=value` cells. */
function pairs(cell: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of (cell ?? '').split(';')) {
    const at = pair.indexOf('=')
    if (at > 0) out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim()
  }
  return out
}

function cell(row: string[], index: number): string {
  return row[index] ?? ''
}

export interface PciDevice {
  slot: string
  className: string
  deviceName: string
}

function pciTable(table: string): PciDevice[] {
  return rows(table).map((row) => ({
    slot: cell(row, 0),
    className: cell(row, 1),
    deviceName: cell(row, 2),
  }))
}

export interface HardwareModel {
  manufacturer: string
  product: string
  biosVendor: string
  biosVersion: string
  cpuModel: string
  cpuVendor: 'GenuineIntel' | 'AuthenticAMD'
  cpuFamily: string
  cpuModelNumber: string
  cpuStepping: string
  cpuSpeed: string
  sockets: number
  coresPerSocket: number
  memoryGiB: readonly number[]
  localDiskGiB: number
  nicName: string
  /** PCI functions of the board; the VGA one backs the host's PGPU. */
  pci: readonly PciDevice[]
}

export const HARDWARE: readonly HardwareModel[] = deepFreeze([
  {
    manufacturer: 'Dell Inc.',
    product: 'PowerEdge R650',
    biosVendor: 'Dell Inc.',
    biosVersion: '1.13.2',
    cpuModel: 'Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz',
    cpuVendor: 'GenuineIntel',
    cpuFamily: '6',
    cpuModelNumber: '106',
    cpuStepping: '6',
    cpuSpeed: '2394.374',
    sockets: 2,
    coresPerSocket: 16,
    memoryGiB: [256, 384, 512],
    localDiskGiB: 1788,
    nicName: 'Ethernet Controller X710 for 10GbE SFP+',
    pci: pciTable(`
      0000:00:00.0 | Host bridge               | Ice Lake Memory Map/VT-d
      0000:03:00.0 | VGA compatible controller | Integrated Matrox G200eW3 Graphics Controller
      0000:31:00.0 | Ethernet controller       | Ethernet Controller X710 for 10GbE SFP+
      0000:31:00.1 | Ethernet controller       | Ethernet Controller X710 for 10GbE SFP+
      0000:4b:00.0 | RAID bus controller       | PERC H755 Front
      0000:00:14.0 | USB controller            | Ice Lake-SP USB 3.0 xHCI Host Controller`),
  },
  {
    manufacturer: 'HPE',
    product: 'ProLiant DL360 Gen10',
    biosVendor: 'HPE',
    biosVersion: 'U32',
    cpuModel: 'Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz',
    cpuVendor: 'GenuineIntel',
    cpuFamily: '6',
    cpuModelNumber: '85',
    cpuStepping: '7',
    cpuSpeed: '2095.078',
    sockets: 2,
    coresPerSocket: 20,
    memoryGiB: [384, 512, 768],
    localDiskGiB: 1676,
    nicName: 'BCM57414 NetXtreme-E 10Gb/25Gb RDMA Ethernet Controller',
    pci: pciTable(`
      0000:00:00.0 | Host bridge                     | Sky Lake-E DMI3 Registers
      0000:01:00.1 | VGA compatible controller       | MGA G200eH3
      0000:12:00.0 | Ethernet controller             | BCM57414 NetXtreme-E 10Gb/25Gb RDMA Ethernet Controller
      0000:12:00.1 | Ethernet controller             | BCM57414 NetXtreme-E 10Gb/25Gb RDMA Ethernet Controller
      0000:5c:00.0 | Serial Attached SCSI controller | Smart Storage PQI 12G SAS/PCIe 3
      0000:00:14.0 | USB controller                  | C620 Series Chipset Family USB 3.0 xHCI Controller`),
  },
  {
    manufacturer: 'Supermicro',
    product: 'AS -1114S-WTRT',
    biosVendor: 'American Megatrends International, LLC.',
    biosVersion: '2.6',
    cpuModel: 'AMD EPYC 7313P 16-Core Processor',
    cpuVendor: 'AuthenticAMD',
    cpuFamily: '25',
    cpuModelNumber: '1',
    cpuStepping: '1',
    cpuSpeed: '2999.998',
    sockets: 1,
    coresPerSocket: 16,
    memoryGiB: [128, 256],
    localDiskGiB: 894,
    nicName: 'MT27710 Family [ConnectX-4 Lx]',
    pci: pciTable(`
      0000:00:00.0 | Host bridge                    | Starship/Matisse Root Complex
      0000:03:00.0 | VGA compatible controller      | ASPEED Graphics Family
      0000:41:00.0 | Ethernet controller            | MT27710 Family [ConnectX-4 Lx]
      0000:41:00.1 | Ethernet controller            | MT27710 Family [ConnectX-4 Lx]
      0000:c1:00.0 | Non-Volatile memory controller | NVMe SSD Controller PM9A1/PM9A3/980PRO
      0000:05:00.3 | USB controller                 | Starship USB 3.0 Host Controller`),
  },
])

/** A GPU some production hosts carry for passthrough (a second PGPU, not the console). */
export const PASSTHROUGH_GPU: PciDevice = deepFreeze({
  slot: '0000:ca:00.0',
  className: '3D controller',
  deviceName: 'TU104GL [Tesla T4]',
})

export interface PvDriversVersion {
  major: string
  minor: string
  micro: string
  build: string
}

export interface OsProfile {
  key: string
  family: 'linux' | 'windows' | 'bsd'
  /** Name of the default template a VM of this OS is created from. */
  template: string
  /** `os_version` as the guest agent reports it (XAPI guest metrics, via xapi-object-to-xo.mjs). */
  osVersion: Readonly<Record<string, string>>
  tools: PvDriversVersion | null
  firmware: 'bios' | 'uefi'
  secureBoot: boolean
  vtpm: boolean
}

const LINUX_TOOLS: PvDriversVersion = { major: '8', minor: '4', micro: '0', build: '1' }
const WINDOWS_TOOLS: PvDriversVersion = { major: '9', minor: '4', micro: '0', build: '146' }
/** Windows PV drivers older than the XSA-468 fix. */
export const OLD_WINDOWS_TOOLS: PvDriversVersion = {
  major: '9',
  minor: '0',
  micro: '9030',
  build: '1',
}

/** Windows reports `name|windir|boot partition`; `;` below stands for that `|`. */
const OS_TABLE = `
debian12   | linux   | Debian Bookworm 12           | bios | -      | name=Debian GNU/Linux 12 (bookworm); uname=6.1.0-26-amd64; distro=debian; major=12; minor=7
debian11   | linux   | Debian Bullseye 11           | bios | -      | name=Debian GNU/Linux 11 (bullseye); uname=5.10.0-32-amd64; distro=debian; major=11; minor=11
ubuntu2404 | linux   | Ubuntu Noble Numbat 24.04    | uefi | -      | name=Ubuntu 24.04.1 LTS; uname=6.8.0-45-generic; distro=ubuntu; major=24; minor=04
ubuntu2204 | linux   | Ubuntu Jammy Jellyfish 22.04 | bios | -      | name=Ubuntu 22.04.5 LTS; uname=5.15.0-122-generic; distro=ubuntu; major=22; minor=04
alma9      | linux   | AlmaLinux 9                  | uefi | -      | name=AlmaLinux 9.4 (Seafoam Ocelot); uname=5.14.0-427.37.1.el9_4.x86_64; distro=almalinux; major=9; minor=4
rocky8     | linux   | Rocky Linux 8                | bios | -      | name=Rocky Linux 8.10 (Green Obsidian); uname=4.18.0-553.16.1.el8_10.x86_64; distro=rocky; major=8; minor=10
ws2022     | windows | Windows Server 2022 (64-bit) | uefi | sb     | name=Microsoft Windows Server 2022 Standard^C:\\Windows^\\Device\\Harddisk0\\Partition2; distro=windows; major=10; minor=0; spmajor=0; spminor=0
ws2019     | windows | Windows Server 2019 (64-bit) | bios | -      | name=Microsoft Windows Server 2019 Standard^C:\\Windows^\\Device\\Harddisk0\\Partition2; distro=windows; major=10; minor=0; spmajor=0; spminor=0
win11      | windows | Windows 11                   | uefi | sb tpm | name=Microsoft Windows 11 Pro^C:\\Windows^\\Device\\Harddisk0\\Partition3; distro=windows; major=10; minor=0; spmajor=0; spminor=0
freebsd14  | bsd     | Other install media          | bios | -      | name=FreeBSD 14.1-RELEASE-p5; uname=14.1-RELEASE-p5; distro=freebsd; major=14; minor=1`

export const OPERATING_SYSTEMS: readonly OsProfile[] = deepFreeze(
  rows(OS_TABLE).map((row) => {
    const family = cell(row, 1) as OsProfile['family']
    const flags = words(row[4])
    const osVersion = pairs(row[5])
    if (osVersion.name) osVersion.name = osVersion.name.replaceAll('^', '|')
    return {
      key: cell(row, 0),
      family,
      template: cell(row, 2),
      osVersion,
      // pfSense/FreeBSD ships no XAPI guest agent.
      tools: family === 'linux' ? LINUX_TOOLS : family === 'windows' ? WINDOWS_TOOLS : null,
      firmware: cell(row, 3) === 'uefi' ? 'uefi' : 'bios',
      secureBoot: flags.includes('sb'),
      vtpm: flags.includes('tpm'),
    }
  }),
)

export interface DefaultTemplate {
  name: string
  description: string
  family: 'linux' | 'windows' | 'other'
  installMethods: readonly string[]
  /** Size of the template's provisioned system disk; none for "Other install media". */
  diskGiB: number | null
  memoryGiB: number
  cpus: number
  firmware: 'bios' | 'uefi'
  vtpm: boolean
}

const TEMPLATE_TABLE = `
Debian Bookworm 12           | linux   | cdrom nfs http ftp | 10 | 2 | 1 | bios | -   | Installs Debian 12 from an ISO or a network mirror.
Debian Bullseye 11           | linux   | cdrom nfs http ftp | 10 | 2 | 1 | bios | -   | Installs Debian 11 from an ISO or a network mirror.
Ubuntu Noble Numbat 24.04    | linux   | cdrom              | 10 | 2 | 1 | uefi | -   | Installs Ubuntu 24.04 LTS from an ISO.
Ubuntu Jammy Jellyfish 22.04 | linux   | cdrom              | 10 | 2 | 1 | bios | -   | Installs Ubuntu 22.04 LTS from an ISO.
AlmaLinux 9                  | linux   | cdrom nfs http ftp | 10 | 2 | 1 | uefi | -   | Installs AlmaLinux 9 from an ISO or a network repository.
Rocky Linux 8                | linux   | cdrom nfs http ftp | 10 | 2 | 1 | bios | -   | Installs Rocky Linux 8 from an ISO or a network repository.
Rocky Linux 9                | linux   | cdrom nfs http ftp | 10 | 2 | 1 | uefi | -   | Installs Rocky Linux 9 from an ISO or a network repository.
Windows Server 2022 (64-bit) | windows | cdrom              | 32 | 4 | 2 | uefi | -   | Installs Windows Server 2022 from an ISO; add the guest tools afterwards.
Windows Server 2019 (64-bit) | windows | cdrom              | 32 | 4 | 2 | bios | -   | Installs Windows Server 2019 from an ISO; add the guest tools afterwards.
Windows 11                   | windows | cdrom              | 64 | 4 | 2 | uefi | tpm | Installs Windows 11 from an ISO (UEFI with a virtual TPM).
Windows 10 (64-bit)          | windows | cdrom              | 32 | 4 | 2 | bios | -   | Installs Windows 10 from an ISO.
Other install media          | other   | cdrom              | -  | 1 | 1 | bios | -   | Boots any installer ISO; add disks yourself.`

export const DEFAULT_TEMPLATES: readonly DefaultTemplate[] = deepFreeze(
  rows(TEMPLATE_TABLE).map((row) => ({
    name: cell(row, 0),
    family: cell(row, 1) as DefaultTemplate['family'],
    installMethods: words(row[2]),
    diskGiB: cell(row, 3) === '-' ? null : Number(cell(row, 3)),
    memoryGiB: Number(cell(row, 4)),
    cpus: Number(cell(row, 5)),
    firmware: cell(row, 6) === 'uefi' ? 'uefi' : 'bios',
    vtpm: cell(row, 7) === 'tpm',
    description: cell(row, 8),
  })),
)

export type Environment = 'prod' | 'staging' | 'dev'

export interface VmRole {
  /** Name prefix: `db` gives `db-prod-01`, or `dc-01` when the role has no environment. */
  prefix: string
  description: string
  os: readonly string[]
  /** Whether the name and tags carry an environment (`prod`/`staging`/`dev`). */
  perEnvironment: boolean
  cpus: readonly number[]
  memoryGiB: readonly number[]
  systemDiskGiB: readonly number[]
  /** Sizes for an optional data disk; empty when the role has none. */
  dataDiskGiB: readonly number[]
  /** Exposed to the internet: gets a second NIC on the DMZ VLAN. */
  dmz: boolean
  weight: number
}

// prefix | description | OS keys | flags (env, dmz) | vCPUs | memory GiB | system disk GiB | data disk GiB | weight
const ROLE_TABLE = `
web        | nginx front end                    | debian12 ubuntu2404 ubuntu2204 | env dmz | 2 4   | 2 4   | 20 32 | -         | 10
app        | Java application server            | debian12 alma9 ubuntu2204      | env     | 2 4 8 | 4 8 16| 32 40 | -         | 10
db         | PostgreSQL 16                      | debian12 alma9 rocky8          | env     | 4 8   | 16 32 | 40    | 200 500   | 6
redis      | Redis cache                        | debian12 ubuntu2404            | env     | 2     | 4 8   | 20    | -         | 3
k8s-worker | Kubernetes worker node             | ubuntu2204 ubuntu2404          | env     | 4 8   | 16 32 | 50    | 100       | 8
k8s-cp     | Kubernetes control plane           | ubuntu2204 ubuntu2404          | env     | 2 4   | 4 8   | 40    | -         | 3
sql        | SQL Server 2022                    | ws2022                         | env     | 4 8   | 16 32 | 80    | 250 500   | 3
rds        | Remote Desktop Session Host        | ws2022 ws2019                  | -       | 4 8   | 16 32 | 100   | -         | 3
dc         | Active Directory domain controller | ws2022 ws2019                  | -       | 2     | 4 8   | 60    | -         | 2
files      | File server (SMB shares)           | ws2022 debian12                | -       | 2 4   | 8     | 60    | 1024 2048 | 2
mail       | Postfix and Dovecot                | debian12                       | dmz     | 2 4   | 4 8   | 40    | 200       | 1
gitlab     | GitLab CE                          | ubuntu2204 debian12            | -       | 8     | 16    | 50    | 300       | 1
ci-runner  | GitLab CI runner                   | debian12 ubuntu2404            | -       | 4 8   | 8 16  | 80    | -         | 4
monitoring | Prometheus and Grafana             | debian12                       | -       | 4     | 8     | 40    | 250       | 1
logs       | OpenSearch log collector           | debian12 alma9                 | -       | 4 8   | 16    | 40    | 500       | 1
dns        | Unbound resolver                   | debian12 debian11              | -       | 1 2   | 1 2   | 10    | -         | 2
vpn        | WireGuard gateway                  | debian12                       | dmz     | 2     | 2     | 10    | -         | 1
fw         | pfSense firewall                   | freebsd14                      | dmz     | 2 4   | 2 4   | 16    | -         | 1
win11-dev  | Developer workstation              | win11                          | -       | 4     | 8 16  | 128   | -         | 2
legacy-erp | Old ERP, kept for audits           | ws2019 debian11                | -       | 2     | 8     | 80    | -         | 1`

export const VM_ROLES: readonly VmRole[] = deepFreeze(
  rows(ROLE_TABLE).map((row) => {
    const flags = words(row[3])
    return {
      prefix: cell(row, 0),
      description: cell(row, 1),
      os: words(row[2]),
      perEnvironment: flags.includes('env'),
      dmz: flags.includes('dmz'),
      cpus: numbers(row[4]),
      memoryGiB: numbers(row[5]),
      systemDiskGiB: numbers(row[6]),
      dataDiskGiB: numbers(row[7]),
      weight: Number(cell(row, 8)),
    }
  }),
)

export interface SmDriver {
  type: string
  name: string
  description: string
  vendor: string
  driver: string
  configuration: Readonly<Record<string, string>>
  features: Readonly<Record<string, number>>
  imageFormats: readonly string[]
}

const VDI_FEATURES = words(
  'SR_PROBE SR_SCAN SR_UPDATE VDI_CREATE VDI_DELETE VDI_ATTACH VDI_DETACH VDI_ACTIVATE ' +
    'VDI_DEACTIVATE VDI_SNAPSHOT VDI_CLONE VDI_RESIZE VDI_UPDATE VDI_CONFIG_CBT VDI_MIRROR',
)
const READ_ONLY_FEATURES = words(
  'SR_SCAN VDI_ATTACH VDI_DETACH VDI_ACTIVATE VDI_DEACTIVATE VDI_INTRODUCE',
)

function features(kind: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const name of kind === 'ro' ? READ_ONLY_FEATURES : VDI_FEATURES) out[name] = 1
  if (kind !== 'ro') out.VDI_RESET_ON_BOOT = 2
  if (kind === 'thin') out.THIN_PROVISIONING = 1
  return out
}

// type | name | vendor | driver file | features (thin/thick/ro) | image formats | description | configuration
const SM_TABLE = `
ext        | Local EXT4 VHD and QCOW2 | Citrix | EXTSR        | thin  | vhd qcow2 | Disks as files on a local EXT4 file system. | device=local block device, e.g. /dev/sda3
lvm        | Local LVM                | Citrix | LVMSR        | thick | vhd qcow2 | Disks as logical volumes on a local block device. | device=local block device, e.g. /dev/sda3
nfs        | NFS VHD and QCOW2        | Citrix | NFSSR        | thin  | vhd qcow2 | Disks as files on an NFS export. | server=NFS server; serverpath=exported path; nfsversion=3, 4 or 4.1
lvmoiscsi  | LVM over iSCSI           | Citrix | LVMoISCSISR  | thick | vhd qcow2 | Disks as logical volumes on an iSCSI LUN. | target=portal address; targetIQN=target IQN; SCSIid=LUN SCSI id; port=portal port
lvmohba    | LVM over FC              | Citrix | LVMoHBASR    | thick | vhd qcow2 | Disks as logical volumes on a Fibre Channel LUN. | SCSIid=LUN SCSI id
iso        | ISO                      | Citrix | ISOSR        | ro    | -         | Read-only library of ISO images (local, NFS or SMB). | location=path or share of the ISOs; type=cifs or nfs_iso
udev       | Removable devices        | Citrix | udevSR       | ro    | -         | CD drives and USB disks plugged into the host. | location=udev device directory
smb        | SMB VHD and QCOW2        | Citrix | SMBSR        | thin  | vhd qcow2 | Disks as files on an SMB share. | server=//host/share; username=user name; password=password
zfs        | Local ZFS                | Vates  | ZFSSR        | thin  | vhd qcow2 | Disks as files on a local ZFS dataset. | location=mount point of the dataset
xfs        | Local XFS                | Vates  | XFSSR        | thin  | vhd qcow2 | Disks as files on a local XFS file system. | device=local block device
largeblock | Large block device       | Vates  | LargeBlockSR | thin  | vhd qcow2 | EXT storage on 4 KiB-sector disks. | device=local block device
linstor    | XOSTOR                   | Vates  | LinstorSR    | thick | vhd       | Replicated hyperconverged storage (LINSTOR/DRBD). | group-name=LVM volume group; redundancy=replica count; provisioning=thin or thick
cephfs     | CephFS                   | Vates  | CephFSSR     | thin  | vhd       | Disks as files on a CephFS mount. | server=monitor addresses; serverpath=path in the file system
file       | Local path               | Citrix | FileSR       | thin  | vhd qcow2 | Disks as files in a local directory. | location=local directory`

export const SM_DRIVERS: readonly SmDriver[] = deepFreeze(
  rows(SM_TABLE).map((row) => ({
    type: cell(row, 0),
    name: cell(row, 1),
    vendor: cell(row, 2) === 'Vates' ? 'Vates SAS' : 'Citrix Systems Inc',
    driver: `/opt/xensource/sm/${cell(row, 3)}`,
    features: features(cell(row, 4)),
    imageFormats: words(row[5]),
    description: cell(row, 6),
    configuration: pairs(row[7]),
  })),
)

export interface IsoImage {
  file: string
  sizeBytes: number
}

export const ISO_IMAGES: readonly IsoImage[] = deepFreeze(
  rows(`
  debian-12.7.0-amd64-netinst.iso      | 661651456
  ubuntu-24.04.1-live-server-amd64.iso | 2773874688
  ubuntu-22.04.5-live-server-amd64.iso | 2136926208
  AlmaLinux-9.4-x86_64-dvd.iso         | 10822549504
  Rocky-8.10-x86_64-minimal.iso        | 2694840320
  SERVER_EVAL_x64FRE_en-us.iso         | 5296713728
  Win11_24H2_English_x64.iso           | 5819484160
  pfSense-CE-2.7.2-RELEASE-amd64.iso   | 854528000
  guest-tools.iso                      | 27648000`).map((row) => ({
    file: cell(row, 0),
    sizeBytes: Number(cell(row, 1)),
  })),
)
