import createClient, { type Middleware } from "openapi-fetch";

import { errorFromResponse, networkError } from "./errors";
import type { components, paths } from "./schema";
import { currentAccessToken, ensureFreshToken, refreshSession, hasSession } from "@/auth/tokens";

export type Schemas = components["schemas"];

/** Empty: same origin (the API serves the site; Vercel rewrites /v1/*). */
export const API_BASE = (process.env.NEXT_PUBLIC_API_BASE ?? "").replace(/\/+$/, "");
// The refresh cookie travels only to the API's origin; across origins fetch needs "include".
export const CREDENTIALS: RequestCredentials = API_BASE ? "include" : "same-origin";

const authMiddleware: Middleware = {
  async onRequest({ request }) {
    // Auth endpoints run on the cookie (or a password); everything else on the bearer token.
    if (new URL(request.url).pathname.startsWith("/v1/auth/") && !request.url.includes("/password/change")) {
      return request;
    }
    await ensureFreshToken();
    const token = currentAccessToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: API_BASE, credentials: CREDENTIALS });
api.use(authMiddleware);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Runs an API call and returns its data or throws an ApiError. When a signed-in call is
 * refused with 401 (the access token lapsed early), the session is refreshed once and the
 * call repeated.
 */
export async function call<T>(request: () => Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await request();
    if (result.response.status === 401 && hasSession()) {
      if (await refreshSession().catch(() => false)) result = await request();
    }
  } catch (cause) {
    throw networkError(cause);
  }
  if (!result.response.ok) throw errorFromResponse(result.response, result.error);
  return result.data as T;
}

/** A raw authenticated fetch (for downloads and untyped JSON bodies), with the same error rules. */
export async function authedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const run = async () => {
    await ensureFreshToken();
    const headers = new Headers(init.headers);
    const token = currentAccessToken();
    if (token) headers.set("Authorization", `Bearer ${token}`);
    return fetch(API_BASE + path, { ...init, headers, credentials: CREDENTIALS });
  };
  let response: Response;
  try {
    response = await run();
    if (response.status === 401 && hasSession()) {
      if (await refreshSession().catch(() => false)) response = await run();
    }
  } catch (cause) {
    throw networkError(cause);
  }
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    throw errorFromResponse(response, body);
  }
  return response;
}
