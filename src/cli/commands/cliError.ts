/**
 * An error a command reports to the operator as it is (no stack): bad arguments, an instance that
 * does not answer, a refused token. `exitCode` 2 = usage or configuration, 1 = the operation failed.
 */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
