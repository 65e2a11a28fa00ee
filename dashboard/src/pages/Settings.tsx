import { useId, useState } from 'react';
import { getApiBase, getApiBaseOverride, getToken, initApiBase, setApiBaseOverride, setToken } from '../lib/api.js';
import { reconnectEvents } from '../lib/events.js';
import { reloadDeployments } from '../lib/deploymentsStore.js';

export default function SettingsPage() {
  const id = useId();
  const [token, setTok] = useState(getToken);
  const [base, setBase] = useState(getApiBaseOverride);
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();

  async function save(e: React.FormEvent) {
    e.preventDefault();
    try {
      setApiBaseOverride(base);
      setToken(token);
      await initApiBase();
      reconnectEvents();
      void reloadDeployments();
      setMsg({ ok: true, text: 'Saved in this browser.' });
    } catch (err) {
      setMsg({ ok: false, text: (err as Error).message });
    }
  }

  return (
    <section aria-labelledby={`${id}-h`}>
      <h1 id={`${id}-h`}>Settings</h1>
      <form className="settings card" onSubmit={(e) => void save(e)}>
        <label htmlFor={`${id}-t`}>Operator token</label>
        <input id={`${id}-t`} type="password" autoComplete="off" value={token} onChange={(e) => setTok(e.target.value)} aria-describedby={`${id}-th`} />
        <p id={`${id}-th`} className="small muted">
          Sent as <code>Authorization: Bearer …</code> on approve, reject and policy changes. Stored only in this browser (localStorage).
        </p>
        <label htmlFor={`${id}-b`}>Commander API URL</label>
        <input id={`${id}-b`} type="url" value={base} onChange={(e) => setBase(e.target.value)} placeholder="same origin" aria-describedby={`${id}-bh`} />
        <p id={`${id}-bh`} className="small muted">
          Leave empty to use the build/runtime setting (now: <code>{getApiBase() || window.location.origin}</code>).
        </p>
        <div className="buttons">
          <button type="submit" className="primary">
            Save
          </button>
        </div>
        {msg && (
          <p className={msg.ok ? 'ok' : 'error'} role={msg.ok ? 'status' : 'alert'}>
            {msg.text}
          </p>
        )}
      </form>
    </section>
  );
}
