"use client";

import { useCallback, useEffect, useRef, useState } from "react";

import { asApiError, type ApiError } from "@/api/errors";

export type Load<T> =
  | { status: "loading"; data: null; error: null }
  | { status: "error"; data: null; error: ApiError }
  | { status: "ready"; data: T; error: null };

/**
 * Loads data once `enabled` is true, and again on `reload()`. Only the newest request may
 * set state, so a slow answer never overwrites a newer one.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], enabled = true) {
  const [state, setState] = useState<Load<T>>({ status: "loading", data: null, error: null });
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(async () => {
    const mine = ++generation.current;
    setState({ status: "loading", data: null, error: null });
    try {
      const data = await loadRef.current();
      if (mine === generation.current) setState({ status: "ready", data, error: null });
    } catch (error) {
      if (mine === generation.current) setState({ status: "error", data: null, error: asApiError(error) });
    }
  }, []);

  useEffect(() => {
    if (enabled) void run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, run, ...deps]);

  const replace = useCallback((data: T) => setState({ status: "ready", data, error: null }), []);

  return { ...state, reload: run, replace } as Load<T> & { reload: () => Promise<void>; replace: (data: T) => void };
}
