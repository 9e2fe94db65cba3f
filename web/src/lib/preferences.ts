"use client";

import { useCallback, useEffect, useState } from "react";

// The only thing this app keeps in localStorage: UI preferences, never answers or tokens.
const NUMBER_KEYS = "insight-atlas.number-keys";

export function useNumberKeysPreference(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(true);
  useEffect(() => {
    try {
      setOn(window.localStorage.getItem(NUMBER_KEYS) !== "off");
    } catch {
      // Storage may be blocked; the default stays.
    }
  }, []);
  const update = useCallback((value: boolean) => {
    setOn(value);
    try {
      window.localStorage.setItem(NUMBER_KEYS, value ? "on" : "off");
    } catch {
      // Not remembered, still applied for this page.
    }
  }, []);
  return [on, update];
}
