// The shape of a host's facts (`gitfleet facts --json`, schemaVersion 1; documented in docs/facts.md).

/** A fact that could not be found out in time (or at all) is this literal, never a guess. */
export type Unknown = 'unknown';

/** The literal used for every unknown fact. */
export const UNKNOWN: Unknown = 'unknown';

/** `linux | windows | macos`, or Node's own name for any other platform (e.g. `freebsd`). */
export type Platform = 'linux' | 'windows' | 'macos' | (string & {});

/** `x64 | arm64`, or Node's own name for any other architecture (e.g. `ia32`). */
export type Arch = 'x64' | 'arm64' | (string & {});

export interface OsFacts {
  platform: Platform;
  /** e.g. `Debian GNU/Linux`, `macOS`, `Microsoft Windows 11 Pro`. */
  distro: string | Unknown;
  /** The distribution's version, e.g. `12`, `14.4.1`, `10.0.22631`. */
  release: string | Unknown;
  /** The kernel release as the OS reports it (`uname -r`; Darwin version; Windows NT build). */
  kernel: string;
}

export interface CpuFacts {
  model: string | Unknown;
  /** Logical processors (what the scheduler sees); `cpu.cores>=N` uses this. */
  cores: number | Unknown;
  physicalCores: number | Unknown;
  /** Nominal clock in GHz. */
  speedGHz: number | Unknown;
}

export interface MemoryFacts {
  /** Physical memory the OS manages, in bytes (Linux: MemTotal). */
  totalBytes: number | Unknown;
}

export interface DiskFacts {
  mount: string;
  /** The device or volume, e.g. `/dev/nvme0n1p2`, `C:`. */
  fs: string;
  /** Filesystem type, e.g. `ext4`, `apfs`, `NTFS`. */
  type: string;
  sizeBytes: number;
  /** Bytes available to unprivileged users. */
  freeBytes: number;
}

export interface GpuFacts {
  /** `NVIDIA`, `AMD`, `Intel`, `Apple`, another vendor's name, or `pci:<vendor id>`. */
  vendor: string;
  model: string | Unknown;
  /** Dedicated video memory in MiB. */
  vramMB: number | Unknown;
  /** NVIDIA driver version from nvidia-smi. */
  driver: string | Unknown;
  /** CUDA compute capability `major.minor` from nvidia-smi. */
  computeCapability: string | Unknown;
}

export type RuntimeName = 'docker' | 'podman' | 'wsl';

export interface RuntimeFacts {
  name: RuntimeName;
  /** The executable found on PATH (nothing was spawned to find it). */
  path: string;
}

export type ProbeName = 'os' | 'cpu' | 'memory' | 'disks' | 'gpus' | 'runtimes';

export interface ProbeReport {
  name: ProbeName;
  /** `timeout` and `error` mean the probe's facts are `unknown`. */
  status: 'ok' | 'timeout' | 'error';
  ms: number;
  /** Why something is unknown or partial, e.g. `nvidia-smi exited with 9`. */
  notes: string[];
}

export interface HostFacts {
  schemaVersion: 1;
  collectedAt: string;
  hostname: string;
  arch: Arch;
  os: OsFacts;
  cpu: CpuFacts;
  memory: MemoryFacts;
  disks: DiskFacts[] | Unknown;
  gpus: GpuFacts[] | Unknown;
  runtimes: RuntimeFacts[] | Unknown;
  probes: ProbeReport[];
}
