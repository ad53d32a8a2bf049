export { startTerminalSim, TERMINAL_PORT, type TerminalSim, type RunningTerminalSim, type TerminalSimOptions } from './sim'
export { SCENARIOS, AMOUNT_RULES, scenarioForAmount, type Scenario } from './scenarios'
export type { ProcessedRecord } from './terminal'
export { createCa, issueServerCert, type Pem } from './certs'
