// Owns the small hooks the views share: polling an API call, and a ticking clock for countdowns.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

export interface Polled<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  /** When the last successful load finished (ms). */
  updatedAt?: number;
  reload(): void;
}

/** Calls `load` now, whenever `deps` change, and every `intervalMs` while the tab is visible. */
export function usePoll<T>(load: () => Promise<T>, deps: unknown[], intervalMs?: number): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean; updatedAt?: number }>({ loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, loading: false, updatedAt: Date.now() }),
      (err: unknown) => {
        if (mine !== generation.current) return;
        const error = err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err), 'Reload the page; if it keeps failing, the browser console has details.');
        // Keep the last good data on screen: a failed poll should not blank the page.
        setState((s) => ({ ...s, error, loading: false }));
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  useEffect(() => {
    setState({ loading: true });
    run();
    if (!intervalMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') run();
    }, intervalMs);
    const onVisible = () => document.visibilityState === 'visible' && run();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
      generation.current++;
    };
  }, [run, intervalMs]);

  return { ...state, reload: run };
}

/** The current time, updated every `ms`. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
