export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <circle cx="16" cy="16" r="14.5" fill="none" stroke="currentColor" strokeWidth="2" opacity="0.35" />
      <path d="M16 3.5 L19 16 L16 28.5 L13 16 Z" fill="var(--accent)" />
      <path d="M3.5 16 L16 13 L28.5 16 L16 19 Z" fill="currentColor" opacity="0.75" />
      <circle cx="16" cy="16" r="2.4" fill="var(--surface)" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
