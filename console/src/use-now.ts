/**
 * The time, once a second: countdowns (bake, window, retry, ETA) move between polls. Stopped
 * while the page is hidden (nobody reads it), and brought up to date at once when shown.
 */
import { useEffect, useState } from 'preact/hooks';

export function useNow(everyMs = 1_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const follow = () => {
      clearInterval(timer);
      if (document.hidden) return;
      setNow(new Date());
      timer = setInterval(() => setNow(new Date()), everyMs);
    };
    follow();
    document.addEventListener('visibilitychange', follow);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', follow);
    };
  }, [everyMs]);
  return now;
}
