import { sep } from 'node:path'

/** Most file systems allow 255 bytes per name; a slug stays well below, leaving room for suffixes. */
const SLUG_MAX_BYTES = 96
/** The longest name of one path component on Linux, macOS and Windows (in bytes of UTF-8, or UTF-16 units). */
const NAME_MAX_BYTES = 255
/** Names Windows reserves for devices, whatever the extension. */
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com\d|lpt\d)$/

/** Eight hex digits of FNV-1a over the exact name: tells apart names whose readable parts are equal. */
function nameHash(name: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0
  return hash.toString(16).padStart(8, '0')
}

/**
 * A directory name from an experiment name: lower case, letters and digits of any script kept
 * (`Тест один` → `тест-один`), runs of other characters as `-`. A name with no letter or digit
 * (`..`) or a Windows device name gets `experiment-<hash>` / `<slug>-<hash>`, and a long name is cut
 * to 96 bytes with a hash of the whole name, so different names of that kind never share a
 * directory. Names that differ only in case or punctuation (`A b`, `a-b`) do share a slug: the
 * storage and the artifacts record the experiment's name and refuse another experiment's directory.
 */
export function experimentSlug(name: string): string {
  const readable = name
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
  if (readable === '') return `experiment-${nameHash(name)}`
  if (WINDOWS_DEVICES.test(readable)) return `${readable}-${nameHash(name)}`
  if (Buffer.byteLength(readable) <= SLUG_MAX_BYTES) return readable
  let cut = ''
  for (const char of readable) {
    if (Buffer.byteLength(cut + char) > SLUG_MAX_BYTES - 9) break
    cut += char
  }
  return `${cut.replace(/-+$/, '')}-${nameHash(name)}`
}

/** Why `path` cannot be a directory on this machine's file systems (a component too long, a NUL byte), or undefined. */
export function pathProblem(path: string): string | undefined {
  if (path.includes('\0')) return 'it contains a NUL character'
  for (const part of path.split(sep)) {
    if (Buffer.byteLength(part) > NAME_MAX_BYTES)
      return `the name "${part.slice(0, 40)}…" is ${Buffer.byteLength(part)} bytes long; file systems allow ${NAME_MAX_BYTES}`
  }
  return undefined
}
