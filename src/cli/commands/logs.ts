// PLACEHOLDER (skeleton): implemented by the helper that owns this command.
import { CliError } from '../errors.js';

export async function run(_args: string[]): Promise<number> {
  throw new CliError('logs: not implemented yet');
}
