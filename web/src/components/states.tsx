// Owns the loading, empty and error states every panel uses, each saying what to do next.
import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api.ts';

export function Loading({ what }: { what: string }) {
  return (
    <p class="state state-loading" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state state-empty">{children}</div>;
}

/** Renders `hint` with `code spans` for the commands it names. */
export function Hint({ text }: { text: string }) {
  const parts = text.split('`');
  return <>{parts.map((p, i) => (i % 2 ? <code key={i}>{p}</code> : p))}</>;
}

export function ErrorBox({ error, retry }: { error: ApiError; retry?: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <p>
        <strong>{error.status === 0 ? 'Offline' : `Error ${error.status}`}</strong>: <Hint text={error.hint} />
      </p>
      {error.status !== 0 && error.message && <p class="muted">Server said: {error.message}</p>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Panel({ title, id, actions, children, updatedAt }: { title: string; id: string; actions?: ComponentChildren; children: ComponentChildren; updatedAt?: number }) {
  return (
    <section class="panel" aria-labelledby={`${id}-title`} id={id}>
      <header class="panel-head">
        <h2 id={`${id}-title`}>{title}</h2>
        <div class="panel-actions">{actions}</div>
      </header>
      {children}
      {updatedAt !== undefined && <p class="updated muted">Updated {new Date(updatedAt).toLocaleTimeString()}</p>}
    </section>
  );
}
