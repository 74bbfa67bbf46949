import type { ConsoleNotice } from '@contract'

/**
 * Main's end of one console's pipe to the renderer: Electron's MessagePortMain in the app, a
 * Playwright binding in the e2e harness. RFB bytes go as ArrayBuffers both ways; main also posts
 * notices (open, ended and why).
 */
export interface ConsolePort {
  post(message: ArrayBuffer | ConsoleNotice): void
  onMessage(listener: (data: unknown) => void): void
  onClose(listener: () => void): void
  close(): void
}
