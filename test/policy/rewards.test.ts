import { describe, expect, it } from 'vitest';
import { bestAction, outcomeReward, reward, rewardVector } from '../../src/policy/rewards.js';

const sit = (cause: Parameters<typeof reward>[1]['cause'], minutesSinceOnset = 1, pastDeadline = false) => ({ cause, minutesSinceOnset, pastDeadline });

describe('reward table', () => {
  it('makes the right action best for every cause', () => {
    expect(bestAction(sit('none', 0))).toBe('continue');
    expect(bestAction(sit('deploy_regression'))).toBe('rollback');
    expect(bestAction(sit('load_surge'))).toBe('scale_up');
    expect(bestAction(sit('dependency_outage'))).toBe('escalate');
    expect(bestAction(sit('no_data'))).toBe('escalate');
  });

  it('charges a false rollback the most, and waiting during a regression per minute', () => {
    for (const c of ['none', 'load_surge', 'dependency_outage', 'no_data'] as const) {
      const r = rewardVector(sit(c));
      expect(r.rollback).toBeLessThanOrEqual(Math.min(r.continue, r.scale_up, r.escalate));
    }
    expect(reward('continue', sit('deploy_regression', 5))).toBeLessThan(reward('continue', sit('deploy_regression', 1)));
    expect(reward('continue', sit('deploy_regression', 60))).toBe(-1);
    expect(reward('rollback', sit('deploy_regression', 1))).toBeGreaterThan(reward('rollback', sit('deploy_regression', 10)));
  });

  it('makes every action poor after the deadline', () => {
    const r = rewardVector(sit('deploy_regression', 30, true));
    expect(Math.max(...Object.values(r))).toBeLessThan(0);
  });

  it('turns verified outcomes into rewards', () => {
    expect(outcomeReward({ action: 'rollback', recovered: true })).toBe(1);
    expect(outcomeReward({ action: 'rollback', recovered: false })).toBeLessThan(0);
    expect(outcomeReward({ action: 'continue', recovered: true })).toBeGreaterThan(0);
    expect(outcomeReward({ action: 'continue', recovered: false, minutesWaited: 10 })).toBeLessThan(outcomeReward({ action: 'continue', recovered: false, minutesWaited: 1 }));
  });
});
