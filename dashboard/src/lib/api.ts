// Browser side of the API: base URL, operator token, fetch helpers with readable errors.
import { resolveApiBase, validApiBase } from './config.js';

const TOKEN_KEY = 'commander.token';
const BASE_KEY = 'commander.apiBase';

let apiBase = '';

function stored(key: string): string {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return ''; // storage disabled (private mode): behave as unset
  }
}

function store(key: string, value: string): void {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    /* storage disabled: the setting lasts for this page only */
  }
}

async function configJsonBase(): Promise<string | undefined> {
  try {
    const r = await fetch('./config.json', { cache: 'no-store' });
    if (!r.ok) return undefined;
    const j = (await r.json()) as { apiBase?: unknown };
    return typeof j.apiBase === 'string' ? j.apiBase : undefined;
  } catch {
    return undefined;
  }
}

/** Called once at start-up, before the first request. */
export async function initApiBase(): Promise<string> {
  const override = stored(BASE_KEY);
  const fromWindow = typeof window.COMMANDER_API === 'string' ? window.COMMANDER_API : undefined;
  const fromFile = override || fromWindow ? undefined : await configJsonBase();
  apiBase = resolveApiBase([override, fromWindow, fromFile, import.meta.env.VITE_COMMANDER_API]);
  return apiBase;
}

export function getApiBase(): string {
  return apiBase;
}

/** Save (or clear with '') the browser override of the API base; call initApiBase() after. */
export function setApiBaseOverride(base: string): void {
  if (!validApiBase(base.trim())) throw new Error('API URL must start with http:// or https://');
  store(BASE_KEY, base.trim());
}

export function getApiBaseOverride(): string {
  return stored(BASE_KEY);
}

export function getToken(): string {
  return stored(TOKEN_KEY);
}

export function setToken(token: string): void {
  store(TOKEN_KEY, token.trim());
}

export function apiUrl(path: string): string {
  return `${apiBase}${path}`;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(apiUrl(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, `Cannot reach the commander API at ${apiBase || window.location.origin}`);
  }
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    /* non-JSON body: reported below by status */
  }
  if (!res.ok) {
    const reason = (json as { error?: string } | undefined)?.error ?? (res.statusText || 'request failed');
    if (res.status === 401 || res.status === 403) {
      throw new ApiError(res.status, `${reason} — paste an operator token in Settings`);
    }
    throw new ApiError(res.status, `${res.status}: ${reason}`);
  }
  return json as T;
}

export function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  return request<T>('GET', path, undefined, signal);
}

export function apiPost<T>(path: string, body: unknown): Promise<T> {
  return request<T>('POST', path, body);
}
