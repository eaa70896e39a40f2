// Owns the handle review table: clarity & efficiency, speed and personality per handle, with the grade.
import { useState } from 'preact/hooks';
import { getScorecard, type Criterion, type Handle, type Scorecard } from '../api.ts';
import { relative } from '../format.ts';
import { useNow, usePoll } from '../hooks.ts';
import { Empty, ErrorBox, Loading, Panel } from '../components/states.tsx';

function CriterionCell({ c }: { c: Criterion }) {
  return (
    <>
      {c.score !== null && (
        <div class="score">
          <meter min={0} max={100} low={50} high={75} optimum={100} value={c.score} aria-hidden="true" />
          <strong>{Math.round(c.score)}</strong>
        </div>
      )}
      <dl class="figures">
        {c.figures.map((f) => (
          <div key={f.label}>
            <dt>{f.label}</dt>
            <dd>{f.value}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

export function ReviewPanel({ handles }: { handles: Handle[] }) {
  const [days, setDays] = useState(7);
  const polled = usePoll(
    () => Promise.all(handles.map((h) => getScorecard(h.handle, days).then((s): [Handle, Scorecard] => [h, s]))),
    [handles.map((h) => h.handle).join(','), days],
    5 * 60_000,
  );
  const now = useNow(30_000);
  // Best first: the table is a ranking; handles with no cases (no grade) go last.
  const rows = [...(polled.data ?? [])].sort(([, a], [, b]) => (b.overall ?? -1) - (a.overall ?? -1));

  const actions = (
    <select value={days} onChange={(e) => setDays(Number(e.currentTarget.value))} aria-label="Review period">
      <option value={1}>last day</option>
      <option value={7}>last 7 days</option>
      <option value={30}>last 30 days</option>
    </select>
  );

  return (
    <Panel title="Handle review" id="review" actions={actions} updatedAt={polled.updatedAt}>
      <p class="muted small">
        Cases opened in the period. Grade = 40% speed (share of due cases answered within target, on the policy’s clock) + 40% clarity &amp; efficiency (replied, not deflected, resolved) + 20% personality (signed, uses the name, empathy, not canned); A ≥ 80, B ≥ 65, C ≥ 50, D ≥ 35. “Why?” under each grade shows the figures behind it.
      </p>
      {handles.length === 0 && <Empty>No handles are configured yet: add one to replywatch.config.yaml or through the admin API.</Empty>}
      {polled.error && <ErrorBox error={polled.error} retry={polled.reload} />}
      {handles.length > 0 && !polled.data && polled.loading && <Loading what="scorecards" />}
      {rows.length > 0 && (
        <div class="table-scroll">
          <table class="review">
            <thead>
              <tr>
                <th scope="col">Handle</th>
                <th scope="col">Grade</th>
                <th scope="col">Clarity &amp; efficiency</th>
                <th scope="col">Speed</th>
                <th scope="col">Personality</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([h, s]) => (
                <tr key={h.handle}>
                  <th scope="row" data-label="Handle">
                    @{h.handle}
                    {h.team && <div class="muted small">{h.team}</div>}
                    {s.cases !== null && <div class="muted small">{s.cases} cases</div>}
                  </th>
                  <td data-label="Grade" class="grade-cell">
                    <span class={`grade grade-${(s.grade ?? 'none').charAt(0).toLowerCase()}`} aria-label={s.grade ? `grade ${s.grade}` : 'no grade: no cases'} title={s.reasons.join('\n')}>
                      {s.grade ?? '—'}
                    </span>
                    {s.overall !== null && <div class="muted small">{s.overall} / 100</div>}
                    {s.reasons.length > 0 && (
                      <details class="grade-reasons">
                        <summary>Why {s.grade ?? 'no grade'}?</summary>
                        <ul>
                          {s.reasons.map((r) => (
                            <li key={r}>{r}</li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </td>
                  <td data-label="Clarity & efficiency">
                    <CriterionCell c={s.clarity} />
                  </td>
                  <td data-label="Speed">
                    <CriterionCell c={s.speed} />
                  </td>
                  <td data-label="Personality">
                    <CriterionCell c={s.personality} />
                  </td>
                  <td data-label="Status">
                    <span class={`badge health-${h.health}`}>{h.health}</span>
                    {h.healthDetail && <div class="muted small">{h.healthDetail}</div>}
                    {h.lastPolledAt && <div class="muted small">polled {relative(h.lastPolledAt, now)}</div>}
                    {h.openCases !== null && <div class="muted small">{h.openCases} open cases</div>}
                    {h.waiting !== null && h.waiting > 0 && <div class="muted small">{h.waiting} waiting now</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
