// Owns the case page (#/cases/<id>): the conversation timeline with each reply's kind, the customer's flags and the reasons.
import { getCase, type CaseDetail } from '../api.ts';
import { formatDateTime, formatDuration, label, relative } from '../format.ts';
import { useNow, usePoll } from '../hooks.ts';
import { ErrorBox, Loading } from '../components/states.tsx';

const DEFLECTIONS = new Set(['channel_redirect', 'team_redirect', 'link_only', 'truncated']);

function Facts({ c }: { c: CaseDetail }) {
  const now = useNow(1000);
  const left = c.dueAt ? (Date.parse(c.dueAt) - now) / 1000 : null;
  return (
    <dl class="facts">
      <div>
        <dt>Handle</dt>
        <dd>{c.handle ? `@${c.handle}` : '—'}</dd>
      </div>
      <div>
        <dt>State</dt>
        <dd>{c.state}</dd>
      </div>
      <div>
        <dt>Opened</dt>
        <dd>{formatDateTime(c.openedAt)}</dd>
      </div>
      <div>
        <dt>First reply</dt>
        <dd>{c.firstResponseSeconds === null ? 'not yet' : `after ${formatDuration(c.firstResponseSeconds)}`}</dd>
      </div>
      <div>
        <dt>Tweets</dt>
        <dd>
          {c.customerTweets} from the customer, {c.brandReplies} {c.brandReplies === 1 ? 'reply' : 'replies'}
          {c.nudges ? `, ${c.nudges} ${c.nudges === 1 ? 'nudge' : 'nudges'}` : ''}
        </dd>
      </div>
      {c.awaitingSince && c.state === 'open' && (
        <div>
          <dt>Customer waiting</dt>
          <dd class={left !== null && left < 0 ? 'over' : ''}>
            {relative(c.awaitingSince, now).replace(' ago', '')}
            {left !== null && (left < 0 ? `, over target by ${formatDuration(-left)}` : `, ${formatDuration(left)} left`)}
          </dd>
        </div>
      )}
      {c.flags.length > 0 && (
        <div>
          <dt>Flags</dt>
          <dd>{c.flags.map(label).join(', ')}</dd>
        </div>
      )}
    </dl>
  );
}

export function CasePage({ id }: { id: string }) {
  const polled = usePoll(() => getCase(id), [id], 15_000);
  const c = polled.data;
  return (
    <main id="main" tabIndex={-1} class="case-page">
      <p>
        <a href="#/">← Back to the dashboard</a>
      </p>
      <h1>
        Case {id}
        {c && <span class="muted"> · {c.customer}</span>}
      </h1>
      {polled.error && <ErrorBox error={polled.error} retry={polled.reload} />}
      {!c && polled.loading && <Loading what="the case" />}
      {c && (
        <>
          <Facts c={c} />
          {c.alerts.length > 0 && (
            <section class="panel">
              <h2>Alerts</h2>
              <ul class="case-alerts">
                {c.alerts.map((a) => (
                  <li key={a.id}>
                    <span class={`badge sev-${a.severity}`}>{a.severity}</span>
                    <span class="badge kind">{label(a.kind)}</span>
                    {a.state !== 'open' && <span class="badge state">{a.state}</span>} {a.title}
                    <span class="muted small"> · {formatDateTime(a.raisedAt)}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {c.breaches.length > 0 && (
            <section class="panel">
              <h2>Missed targets</h2>
              <ul class="breaches">
                {c.breaches.map((b, i) => (
                  <li key={i}>
                    <strong>{label(b.metric)}</strong>: target {formatDuration(b.targetSeconds)}, due {formatDateTime(b.dueAt)}
                    {b.overBySeconds !== null && <>, over by {formatDuration(b.overBySeconds)}</>}
                    {!b.answeredAt && ', still unanswered'}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section class="panel">
            <h2>Conversation</h2>
            {c.timeline.length === 0 && <p class="state state-empty">This case has no tweets stored (they may have been deleted).</p>}
            <ol class="timeline">
              {c.timeline.map((t) => (
                <li key={t.tweetId} class={`tweet role-${t.role}`} data-kind={t.kind ?? ''}>
                  <div class="tweet-head">
                    <strong>{t.author}</strong>
                    <span class="muted small">
                      {t.role === 'brand' ? 'brand reply' : 'customer'} · <time dateTime={t.createdAt}>{formatDateTime(t.createdAt)}</time>
                      {t.waitSeconds !== null && <> · after {formatDuration(t.waitSeconds)}</>}
                    </span>
                  </div>
                  <p class="tweet-text">{t.text}</p>
                  <p class="tags">
                    {t.kind && <span class={`badge kind ${DEFLECTIONS.has(t.kind) ? 'deflection' : ''}`}>{label(t.kind)}</span>}
                    {t.flags.map((f) => (
                      <span class="badge flag" key={f}>
                        {label(f)}
                      </span>
                    ))}
                  </p>
                  {t.reasons.length > 0 && (
                    <ul class="reasons small" aria-label="Reasons">
                      {t.reasons.map((r, i) => (
                        <li key={i}>{r}</li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ol>
          </section>
        </>
      )}
    </main>
  );
}
