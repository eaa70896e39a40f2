// Owns the live alerts panel: polls /v1/alerts, marks new arrivals, and acks or resolves from the page.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ackAlert, ApiError, listAlerts, resolveAlert, type Alert, type Handle } from '../api.ts';
import { label, relative } from '../format.ts';
import { useNow, usePoll } from '../hooks.ts';
import { Empty, ErrorBox, Hint, Loading, Panel } from '../components/states.tsx';

const POLL_MS = 3000;

export function AlertsPanel({ handles }: { handles: Handle[] }) {
  const [handle, setHandle] = useState('');
  const [severity, setSeverity] = useState('');
  const [showResolved, setShowResolved] = useState(false);
  const polled = usePoll(() => listAlerts({ handle, severity }), [handle, severity], POLL_MS);
  const now = useNow(5000);
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);

  // Highlight alerts that arrived after the first load, so a new one catches the eye.
  useEffect(() => {
    if (!polled.data) return;
    if (seen.current === null) {
      seen.current = new Set(polled.data.alerts.map((a) => a.id));
      return;
    }
    const arrived = polled.data.alerts.filter((a) => !seen.current!.has(a.id)).map((a) => a.id);
    arrived.forEach((id) => seen.current!.add(id));
    if (arrived.length) setFresh((f) => new Set([...f, ...arrived]));
  }, [polled.data]);

  useEffect(() => {
    seen.current = null;
  }, [handle, severity]);

  const alerts = (polled.data?.alerts ?? []).filter((a) => showResolved || a.state !== 'resolved');
  const open = alerts.filter((a) => a.state === 'open').length;

  useEffect(() => {
    document.title = open ? `(${open}) replywatch` : 'replywatch';
  }, [open]);

  async function act(alert: Alert, action: 'ack' | 'resolve') {
    setBusy(alert.id + action);
    setActionError(null);
    try {
      await (action === 'ack' ? ackAlert(alert.id) : resolveAlert(alert.id));
      polled.reload();
    } catch (err) {
      setActionError(err as ApiError);
    } finally {
      setBusy(null);
    }
  }

  const actions = (
    <>
      <label>
        <span class="sr-only">Handle</span>
        <select value={handle} onChange={(e) => setHandle(e.currentTarget.value)} aria-label="Filter alerts by handle">
          <option value="">All handles</option>
          {handles.map((h) => (
            <option value={h.handle} key={h.handle}>
              @{h.handle}
            </option>
          ))}
        </select>
      </label>
      <select value={severity} onChange={(e) => setSeverity(e.currentTarget.value)} aria-label="Filter alerts by severity">
        <option value="">Any severity</option>
        <option value="critical">Critical</option>
        <option value="warning">Warning</option>
        <option value="info">Info</option>
      </select>
      <label class="check">
        <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.currentTarget.checked)} /> resolved
      </label>
    </>
  );

  return (
    <Panel title={`Live alerts${open ? ` · ${open}${polled.data?.more ? '+' : ''} open` : ''}`} id="alerts" actions={actions} updatedAt={polled.updatedAt}>
      {polled.error && <ErrorBox error={polled.error} retry={polled.reload} />}
      {actionError && (
        <p class="state state-error" role="alert">
          <Hint text={actionError.hint} />
        </p>
      )}
      {!polled.data && polled.loading && <Loading what="alerts" />}
      {polled.data && alerts.length === 0 && (
        <Empty>
          <p>No {showResolved ? '' : 'unresolved '}alerts{handle ? ` for @${handle}` : ''}. New ones appear here within a few seconds.</p>
          <p class="muted">Alerts are raised when a case nears or misses its response target, a handle goes silent, or a customer threatens to leave.</p>
        </Empty>
      )}
      {alerts.length > 0 && (
        <ul class="alerts" aria-live="polite" aria-relevant="additions">
          {alerts.map((a) => (
            <li key={a.id} class={`alert sev-${a.severity} state-${a.state}${fresh.has(a.id) ? ' fresh' : ''}`} data-alert-id={a.id}>
              <div class="alert-main">
                <span class={`badge sev-${a.severity}`}>{a.severity}</span>
                <span class="badge kind">{label(a.kind)}</span>
                {a.state !== 'open' && <span class="badge state">{a.state}</span>}
                <p class="alert-title">{a.title}</p>
                <p class="muted small">
                  {a.handle && <>@{a.handle} · </>}
                  {a.team && <>{a.team} · </>}
                  raised <time dateTime={a.raisedAt}>{relative(a.raisedAt, now)}</time>
                  {a.caseId && (
                    <>
                      {' · '}
                      <a href={`#/cases/${a.caseId}`}>case {a.caseId}</a>
                    </>
                  )}
                </p>
                {a.reasons.length > 0 && <p class="reasons small">{a.reasons.join(' · ')}</p>}
              </div>
              <div class="alert-actions">
                {a.state === 'open' && (
                  <button type="button" onClick={() => act(a, 'ack')} disabled={busy !== null} aria-label={`Acknowledge: ${a.title}`}>
                    {busy === a.id + 'ack' ? 'Acking…' : 'Ack'}
                  </button>
                )}
                {a.state !== 'resolved' && (
                  <button type="button" class="secondary" onClick={() => act(a, 'resolve')} disabled={busy !== null} aria-label={`Resolve: ${a.title}`}>
                    {busy === a.id + 'resolve' ? 'Resolving…' : 'Resolve'}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
