// The stamp an actuator leaves on a Kubernetes object it changed (a Deployment, an Argo
// Rollout): which action did it and what it intended. Written in the same patch as the change,
// so the stamp is on the object exactly when the change is, and read back to answer "was this
// action already done?" after a crash. Two annotations: the id alone (easy to grep with kubectl),
// and the intent as JSON (revisions or replicas, for the reconciled result).
import type { ActionCheck, ActionRequest, ActionResult } from '../core/types.js';
import { TemplateError } from './safe-values.js';
export const ACTION_ID_ANNOTATION = 'devops-commander.io/action-id';
export const ACTION_ANNOTATION = 'devops-commander.io/action';

export interface ActionStamp {
  id: string;
  action: string;
  /** ISO time of the change */
  at: string;
  [detail: string]: unknown;
}

export function stampAnnotations(stamp: ActionStamp): Record<string, string> {
  return { [ACTION_ID_ANNOTATION]: stamp.id, [ACTION_ANNOTATION]: JSON.stringify(stamp) };
}

/** The stamp on an object's annotations; the id alone if the JSON was edited away. */
export function readStamp(annotations: Record<string, string> | undefined): ActionStamp | undefined {
  const id = annotations?.[ACTION_ID_ANNOTATION];
  if (!id) return undefined;
  try {
    const s = JSON.parse(annotations?.[ACTION_ANNOTATION] ?? '') as ActionStamp;
    if (s && s.id === id) return s;
  } catch {
    // hand-edited or truncated: the id still says who acted
  }
  return { id, action: 'unknown', at: 'unknown time' };
}

/**
 * "Was this action done?" for a stamped object: yes when it carries the action's stamp (the
 * result is what `done` reports), no when it does not (the patch that carries the stamp never
 * applied). A name refused by validation, or an escalation, never reached the cluster.
 */
export async function checkByStamp(
  req: ActionRequest,
  what: string,
  target: () => { namespace: string; name: string },
  annotationsOf: (namespace: string, name: string) => Promise<Record<string, string> | undefined>,
  done: (namespace: string, name: string, stamp: ActionStamp) => Promise<ActionResult> | ActionResult,
): Promise<ActionCheck> {
  let t: { namespace: string; name: string };
  try {
    t = target();
  } catch (e) {
    if (e instanceof TemplateError) return { state: 'not_done', evidence: `refused before any request (${e.message})` };
    throw e;
  }
  if (req.action === 'escalate') return { state: 'not_done', evidence: 'an escalation changes nothing on the cluster' };
  const stamp = readStamp(await annotationsOf(t.namespace, t.name));
  if (stamp?.id !== req.id)
    return { state: 'not_done', evidence: `${what} ${t.namespace}/${t.name} carries no stamp of ${req.id} (its last stamp: ${stamp?.id ?? 'none'}), so the patch that carries it never applied` };
  return { state: 'done', result: await done(t.namespace, t.name, stamp) };
}
