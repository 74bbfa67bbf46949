/** Who sent an IPC message, reduced to what the trust check needs. */
export interface IpcSender {
  webContentsId: number
  /** True when the message comes from the window's top frame, not an iframe. */
  isMainFrame: boolean
  /** URL of the sending frame. */
  frameUrl: string
}

/**
 * Accept IPC only from a window XO Desk created, from its main frame, showing the app's own
 * page (Electron checklist: validate the sender of all IPC messages).
 */
export function isTrustedSender(
  sender: IpcSender,
  trustedIds: ReadonlySet<number>,
  appUrlPrefix: string,
): boolean {
  return (
    trustedIds.has(sender.webContentsId) &&
    sender.isMainFrame &&
    sender.frameUrl.startsWith(appUrlPrefix)
  )
}
