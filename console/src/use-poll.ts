/**
 * Live data without a reload: loads now, then again `intervalMs` after each answer (never two
 * requests at once), and at once on `reload()`. A failed load keeps the last good data and
 * shows the error beside it, so a blip of the API does not blank the screen at 3 a.m.
 * Data is cleared only when `key` (what is loaded) changes: a new interval (a job that ended
 * polls more slowly) applies from the next tick, without blanking the view. A hidden page does
 * not poll (a fleet poll makes the server read every cluster); it loads at once when shown.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  data?: T;
  error?: Error;
  /** When the data shown was loaded. */
  loadedAt?: Date;
  reload(): void;
}

export function usePoll<T>(load: () => Promise<T>, intervalMs: number, key: string): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loadedAt?: Date }>({});
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const run = useRef<() => void>(() => undefined);
  // Read when the next tick is scheduled, so a change of interval does not restart the poll.
  const interval = useRef(intervalMs);
  interval.current = intervalMs;

  useEffect(() => {
    let live = true;
    setState({});
    const tick = async () => {
      clearTimeout(timer.current);
      try {
        const data = await load();
        if (live) setState({ data, loadedAt: new Date() });
      } catch (error) {
        if (live) setState((previous) => ({ ...previous, error: error as Error }));
      }
      // One timer, whoever schedules it: a tick started by reload() or by the page being shown
      // while another load was in flight must not leave two polls chasing each other.
      clearTimeout(timer.current);
      if (live && !document.hidden) timer.current = setTimeout(tick, interval.current);
    };
    const shown = () => {
      if (document.hidden) clearTimeout(timer.current);
      else void tick();
    };
    run.current = () => void tick();
    document.addEventListener('visibilitychange', shown);
    void tick();
    return () => {
      live = false;
      clearTimeout(timer.current);
      document.removeEventListener('visibilitychange', shown);
    };
    // `key` names what is loaded; `load` is a new closure on every render.
  }, [key]);

  const reload = useCallback(() => run.current(), []);
  return { ...state, reload };
}
