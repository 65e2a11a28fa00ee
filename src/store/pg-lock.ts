// A lock shared by every process on one PostgreSQL (session advisory lock), for work that
// reads, changes and writes shared state and must not interleave across workers: learning a
// new policy version from an outcome reads the active model and the version list and writes
// both back, so two workers learning at once would lose one update or clash on the version name.
import pg from 'pg';

export interface SharedLock {
  /** Run `fn` while holding the lock called `name`; waits for other holders first. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createPgLock(url: string): SharedLock {
  // one connection: callers in this process queue for it, and the session lock must be
  // released on the connection that took it
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', () => undefined);
  return {
    async withLock(name, fn) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
        try {
          return await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]).catch(() => {
            broken = true; // drop the connection: closing it releases the lock
          });
        }
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
