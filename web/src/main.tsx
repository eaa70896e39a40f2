// Owns the dashboard shell: sign-in with an API token (session storage), the hash router and the page layout.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, listHandles, tokenStore, unauthorized } from './api.ts';
import { usePoll } from './hooks.ts';
import { ErrorBox, Hint } from './components/states.tsx';
import { AlertsPanel } from './views/alerts.tsx';
import { WaitingPanel } from './views/waiting.tsx';
import { LatencyPanel } from './views/latency.tsx';
import { HeatmapPanel } from './views/heatmap.tsx';
import { ReviewPanel } from './views/review.tsx';
import { CasePage } from './views/case-page.tsx';
import './styles.css';

type Route = { page: 'overview' } | { page: 'review' } | { page: 'case'; id: string };

function parseRoute(hash: string): Route {
  const m = /^#\/cases\/([^/?#]+)/.exec(hash);
  if (m) return { page: 'case', id: decodeURIComponent(m[1]!) };
  if (hash.startsWith('#/review')) return { page: 'review' };
  return { page: 'overview' };
}

function useRoute(): Route {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const on = () => {
      setRoute(parseRoute(location.hash));
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

function SignIn({ onSignedIn, refused }: { onSignedIn: () => void; refused: ApiError | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError | null>(refused);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const t = token.trim();
    if (!t) return;
    setBusy(true);
    tokenStore.set(t);
    try {
      await listHandles();
      onSignedIn();
    } catch (err) {
      tokenStore.clear();
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" tabIndex={-1} class="signin">
      <h1>replywatch</h1>
      <p>Sign in with an API token to watch your support handles.</p>
      <form onSubmit={submit}>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellcheck={false} value={token} onInput={(e) => setToken(e.currentTarget.value)} required autoFocus />
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      {error && (
        <div class="state state-error" role="alert">
          <p>
            <Hint text={error.status === 401 ? 'Your token was refused: create one with `replywatch token create --scope read` and paste it here.' : error.hint} />
          </p>
        </div>
      )}
      <div class="muted small help">
        <p>
          Create a token on the server with <code>replywatch token create --scope write</code> (or <code>--scope read</code> to only look). The demo started by <code>npm start</code> prints an admin token once and keeps it in <code>.replywatch/admin-token</code>.
        </p>
        <p>The token stays in this browser tab only (session storage) and is sent as a bearer token to the API.</p>
      </div>
    </main>
  );
}

function Overview() {
  const handles = usePoll(() => listHandles(), [], 60_000);
  const list = handles.data ?? [];
  return (
    <main id="main" tabIndex={-1} class="grid">
      {handles.error && !handles.data && (
        <div class="wide">
          <ErrorBox error={handles.error} retry={handles.reload} />
        </div>
      )}
      <AlertsPanel handles={list} />
      <WaitingPanel />
      <div class="wide">
        <LatencyPanel handles={list} />
      </div>
      <div class="wide">
        <HeatmapPanel handles={list} />
      </div>
    </main>
  );
}

function ReviewPage() {
  const handles = usePoll(() => listHandles(), [], 60_000);
  return (
    <main id="main" tabIndex={-1}>
      {handles.error && <ErrorBox error={handles.error} retry={handles.reload} />}
      {handles.data && <ReviewPanel handles={handles.data} />}
    </main>
  );
}

function App() {
  const [signedIn, setSignedIn] = useState(!!tokenStore.get());
  const [refused, setRefused] = useState<ApiError | null>(null);
  const route = useRoute();

  useEffect(() => {
    const on = (e: Event) => {
      tokenStore.clear();
      setRefused((e as CustomEvent<ApiError>).detail);
      setSignedIn(false);
    };
    unauthorized.addEventListener('unauthorized', on);
    return () => unauthorized.removeEventListener('unauthorized', on);
  }, []);

  if (!signedIn)
    return (
      <SignIn
        refused={refused}
        onSignedIn={() => {
          setRefused(null);
          setSignedIn(true);
        }}
      />
    );

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          replywatch
        </a>
        <nav aria-label="Pages">
          <a href="#/" aria-current={route.page === 'overview' ? 'page' : undefined}>
            Live
          </a>
          <a href="#/review" aria-current={route.page === 'review' ? 'page' : undefined}>
            Review
          </a>
        </nav>
        <button
          type="button"
          class="secondary signout"
          onClick={() => {
            tokenStore.clear();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      {route.page === 'overview' && <Overview />}
      {route.page === 'review' && <ReviewPage />}
      {route.page === 'case' && <CasePage id={route.id} />}
    </>
  );
}

render(<App />, document.getElementById('app')!);
