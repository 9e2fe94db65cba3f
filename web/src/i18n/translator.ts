export type MessageVars = Record<string, string | number>;

export type Translate<K extends string> = (key: K, vars?: MessageVars) => string;

/**
 * A typed `t(key, vars)` over one catalog. Each area of the app (report, account, …) has
 * its own catalog beside the common one, so a page ships only the strings it can show.
 */
export function translator<const M extends Record<string, string>>(messages: M): Translate<Extract<keyof M, string>> {
  return (key, vars) => {
    const template: string = messages[key] ?? key;
    if (!vars) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = vars[name];
      if (value === undefined) return whole;
      return typeof value === "number" ? formatNumber(value) : value;
    });
  };
}

export function formatNumber(value: number, fractionDigits?: number): string {
  return new Intl.NumberFormat("en", {
    maximumFractionDigits: fractionDigits ?? 2,
    minimumFractionDigits: fractionDigits ?? 0,
  }).format(value);
}
