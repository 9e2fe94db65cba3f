"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import type { ReactNode } from "react";

import { api, call, type Schemas } from "@/api/client";
import { asApiError, type ApiError } from "@/api/errors";
import { acceptTokens, forgetTokens, refreshSession, subscribe, hasSession } from "./tokens";

export type Me = Schemas["UserRead"];

export type SessionStatus = "loading" | "signed_in" | "signed_out";

export interface Session {
  status: SessionStatus;
  me: Me | null;
  /** Set when the session could not be restored for a reason other than "not signed in". */
  restoreError: ApiError | null;
  signIn(email: string, password: string): Promise<Me>;
  signOut(): Promise<void>;
  reloadMe(): Promise<Me | null>;
  /** After a password change: the API answered with a new access token. */
  adoptTokens(tokens: { access_token: string; expires_in: number }): void;
  /** After account deletion: nothing to end on the server any more. */
  dropLocally(): void;
  can(entitlement: string): boolean;
}

const SessionContext = createContext<Session | null>(null);

async function fetchMe(): Promise<Me> {
  return call(() => api.GET("/v1/me"));
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>("loading");
  const [me, setMe] = useState<Me | null>(null);
  const [restoreError, setRestoreError] = useState<ApiError | null>(null);
  const started = useRef(false);

  useEffect(() => {
    // Restore once per page load (StrictMode runs effects twice in development).
    if (started.current) return;
    started.current = true;
    (async () => {
      try {
        if (await refreshSession()) {
          setMe(await fetchMe());
          setStatus("signed_in");
          return;
        }
      } catch (error) {
        setRestoreError(asApiError(error));
      }
      setStatus("signed_out");
    })();
  }, []);

  useEffect(
    () =>
      subscribe(() => {
        // A refresh that failed (session ended elsewhere, password changed) signs out here too.
        if (!hasSession()) {
          setMe(null);
          setStatus((previous) => (previous === "loading" ? previous : "signed_out"));
        }
      }),
    [],
  );

  const signIn = useCallback(async (email: string, password: string) => {
    const tokens = await call(() =>
      api.POST("/v1/auth/login", { body: { email, password, cookie: true } }),
    );
    acceptTokens(tokens);
    const profile = await fetchMe();
    setMe(profile);
    setRestoreError(null);
    setStatus("signed_in");
    return profile;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await call(() => api.POST("/v1/auth/logout", { body: {} }));
    } finally {
      forgetTokens();
      setMe(null);
      setStatus("signed_out");
    }
  }, []);

  const reloadMe = useCallback(async () => {
    if (!hasSession()) return null;
    const profile = await fetchMe();
    setMe(profile);
    return profile;
  }, []);

  const adoptTokens = useCallback((tokens: { access_token: string; expires_in: number }) => {
    acceptTokens(tokens);
  }, []);

  const dropLocally = useCallback(() => {
    forgetTokens();
    setMe(null);
    setStatus("signed_out");
  }, []);

  const value = useMemo<Session>(
    () => ({
      status,
      me,
      restoreError,
      signIn,
      signOut,
      reloadMe,
      adoptTokens,
      dropLocally,
      can: (entitlement: string) => Boolean(me?.entitlements.includes(entitlement)),
    }),
    [status, me, restoreError, signIn, signOut, reloadMe, adoptTokens, dropLocally],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
