// noVNC 1.7 exports its RFB class as the package itself; @types/novnc__novnc names it by the
// older path.
declare module '@novnc/novnc' {
  import RFB from '@novnc/novnc/lib/rfb'
  export default RFB
}
