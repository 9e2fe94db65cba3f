"use client";

import { useEffect, useState } from "react";

export interface Preloadable<T> {
  start(): Promise<T>;
  get(): T | undefined;
}

/**
 * A module loaded on demand (its own chunk, outside the page's first-load JavaScript) that can
 * be started early and then used without suspending: React.lazy would suspend even when the
 * chunk is already here, and React delays revealing suspended content by up to 300 ms.
 */
export function preloadable<T>(load: () => Promise<T>): Preloadable<T> {
  let value: T | undefined;
  let promise: Promise<T> | undefined;
  return {
    start() {
      promise ??= load().then((loaded) => {
        value = loaded;
        return loaded;
      });
      promise.catch(() => {
        promise = undefined;
      });
      return promise;
    },
    get: () => value,
  };
}

/** The module once loaded (starts loading if needed); undefined until then. */
export function usePreloaded<T>(module: Preloadable<T>, enabled = true): T | undefined {
  const [value, setValue] = useState<T | undefined>(module.get);
  useEffect(() => {
    if (!enabled || value !== undefined) return;
    let live = true;
    module.start().then(
      (loaded) => {
        if (live) setValue(() => loaded);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [module, enabled, value]);
  return value;
}
