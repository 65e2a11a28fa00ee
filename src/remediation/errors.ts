// An expected failure of one remediation stage: recorded as `remediation.failed {stage, reason}`
// and shown to the person, never a crash.
export type RemediationStage = 'config' | 'range' | 'revert' | 'agent' | 'judge' | 'push' | 'github' | 'review';

export class RemediationError extends Error {
  constructor(
    readonly stage: RemediationStage,
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
