import type { ReactNode } from "react";

/**
 * A wide table's frame. On a narrow screen it scrolls sideways, so it is a named region that
 * takes the keyboard focus (arrow keys scroll it).
 */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
