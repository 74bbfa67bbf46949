import type { AppError, DroppedFile, XoBridge } from '@contract'
import type { ImportSource } from './import-form.svelte'
import { m } from '../../paraglide/messages.js'

/** What a file dropped on the window turns into: an import to ask about, or why it is refused. */
export type DropOutcome =
  { import: ImportSource } | { refused: { file: DroppedFile | undefined; error: AppError } }

/** Main reads the dropped file first (`library.inspectDropped`); a damaged one is refused here. */
export async function readDroppedFile(xo: XoBridge, file: File): Promise<DropOutcome> {
  const path = xo.pathForFile(file)
  if (!path) {
    return {
      refused: {
        file: undefined,
        error: {
          code: 'invalid-input',
          message: m.app_drop_unreadable({ name: file.name }),
          action: m.app_drop_unreadable_action(),
          retryable: false,
        },
      },
    }
  }
  const res = await xo.invoke('library.inspectDropped', { path })
  if (!res.ok) return { refused: { file: undefined, error: res.error } }
  const dropped = res.value
  if (dropped.invalid || !dropped.contents || dropped.contents.kind === 'log') {
    return {
      refused: {
        file: dropped,
        error: {
          code: 'corrupt-file',
          message: dropped.invalid?.message ?? m.app_drop_no_image({ name: dropped.name }),
          action: dropped.invalid?.action ?? m.app_drop_no_image_action(),
          retryable: false,
        },
      },
    }
  }
  return {
    import: { source: { path: dropped.path }, name: dropped.name, contents: dropped.contents },
  }
}
