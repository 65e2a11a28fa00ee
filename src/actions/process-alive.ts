// Is a process still there? Signal 0 checks without sending anything; EPERM means it exists but
// belongs to someone else. Shared by the local target (orphan sweep) and the command target
// (a command its commander left running).
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
