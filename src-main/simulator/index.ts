/**
 * The simulator's public entry: what the Demo lab and `xo-desk sim` start. Product code outside
 * this folder imports only this file (a lint zone in eslint.config.js); tests may reach further.
 */
export { startSimulator, type RunningSimulator, type SimulatorOptions } from './server'
export { parseFaultSpec, type FaultRule } from './faults'
export { fingerprintOf, generateCertificate, type SelfSignedCertificate } from './tls'
