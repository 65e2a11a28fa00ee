// The stamp an actuator leaves on a Kubernetes object it changed (a Deployment, an Argo
// Rollout): which action did it and what it intended. Written in the same patch as the change,
// so the stamp is on the object exactly when the change is, and read back to answer "was this
// action already done?" after a crash. Two annotations: the id alone (easy to grep with kubectl),
// and the intent as JSON (revisions or replicas, for the reconciled result).
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
