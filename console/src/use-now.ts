/** The time, once a second: countdowns (bake, window, retry, ETA) move between polls. */
import { useEffect, useState } from 'preact/hooks';

export function useNow(everyMs = 1_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
