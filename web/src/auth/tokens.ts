/**
 * The access token lives here, in memory only: never in storage, gone with the tab. The
 * refresh token is an HttpOnly cookie the page cannot read; `refreshSession` trades it
 * for a new access token (and a rotated cookie).
 */
import { errorFromResponse } from "@/api/errors";

interface TokenState {
  token: string;
  expiresAt: number;
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
}

type Listener = () => void;

let state: TokenState | null = null;
let inFlight: Promise<boolean> | null = null;
const listeners = new Set<Listener>();
// Refresh this long before expiry so no request goes out with a token about to lapse.
const EARLY_REFRESH_MS = 60_000;
const LOCK_NAME = "insight-atlas-session-refresh";

function apiBase(): string {
  return (process.env.NEXT_PUBLIC_API_BASE ?? "").replace(/\/+$/, "");
}

function emit(): void {
  for (const listener of listeners) listener();
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function hasSession(): boolean {
  return state !== null;
}

export function currentAccessToken(): string | null {
  return state?.token ?? null;
}

export function acceptTokens(response: TokenResponse): void {
  state = { token: response.access_token, expiresAt: Date.now() + response.expires_in * 1000 };
  emit();
}

export function forgetTokens(): void {
  if (state === null) return;
  state = null;
  emit();
}

/**
 * Trades the refresh cookie for a new access token. Concurrent callers share one request,
 * and tabs take turns (Web Locks): the cookie rotates on every use, and presenting a
 * rotated one ends the whole sign-in, so two tabs must never send the same cookie at once.
 * Resolves false when there is no valid sign-in; throws on network or server trouble.
 */
export function refreshSession(): Promise<boolean> {
  if (inFlight) return inFlight;
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  const run: Promise<boolean> = locks ? ((locks.request(LOCK_NAME, () => refreshNow()) as unknown as Promise<boolean>)) : refreshNow();
  const shared = run.finally(() => {
    inFlight = null;
  });
  inFlight = shared;
  return shared;
}

async function refreshNow(): Promise<boolean> {
  const base = apiBase();
  const response = await fetch(`${base}/v1/auth/refresh`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
    credentials: base ? "include" : "same-origin",
  });
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) {
    acceptTokens(body as TokenResponse);
    return true;
  }
  if (response.status === 401 || response.status === 403) {
    forgetTokens();
    return false;
  }
  throw errorFromResponse(response, body);
}

/** Refreshes first when the token is close to expiry (other tabs may have rotated the cookie). */
export async function ensureFreshToken(): Promise<void> {
  if (state && state.expiresAt - Date.now() < EARLY_REFRESH_MS) {
    await refreshSession().catch(() => false);
  }
}
