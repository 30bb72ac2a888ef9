// The architecture a container records: the host's, in Debian's names where Node's differ.
const ARCH_NAMES: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'armhf', ia32: 'i386' };

export const hostArch = (): string => ARCH_NAMES[process.arch] ?? process.arch;
