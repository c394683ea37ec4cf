/** Times and durations as an operator reads them: short, absolute where it matters, in local time. */

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** `in 4m 10s` or `2m 05s ago`, from `now`. */
export function relative(at: string | Date, now: Date): string {
  const seconds = (new Date(at).getTime() - now.getTime()) / 1000;
  return seconds >= 0 ? `in ${duration(seconds)}` : `${duration(-seconds)} ago`;
}

export function clock(at: string | Date): string {
  return new Date(at).toLocaleTimeString(undefined, { hour12: false });
}

export function dateTime(at: string | Date): string {
  return new Date(at).toLocaleString(undefined, { hour12: false });
}
