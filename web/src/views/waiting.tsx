// Owns the "waiting now" panel: open cases awaiting a brand reply, soonest breach first, with a live countdown.
import { listWaitingCases } from '../api.ts';
import { formatDuration, relative } from '../format.ts';
import { useNow, usePoll } from '../hooks.ts';
import { Empty, ErrorBox, Loading, Panel } from '../components/states.tsx';

export function WaitingPanel() {
  const polled = usePoll(() => listWaitingCases(), [], 10_000);
  const now = useNow(1000);
  const cases = polled.data?.cases ?? [];

  return (
    <Panel title={`Waiting now${cases.length ? ` · ${cases.length}${polled.data?.more ? '+' : ''}` : ''}`} id="waiting" updatedAt={polled.updatedAt}>
      {polled.error && <ErrorBox error={polled.error} retry={polled.reload} />}
      {!polled.data && polled.loading && <Loading what="waiting cases" />}
      {polled.data && cases.length === 0 && (
        <Empty>
          <p>Nobody is waiting for a reply right now.</p>
          <p class="muted">Cases show up here as soon as a customer writes and the handle has not answered yet.</p>
        </Empty>
      )}
      {cases.length > 0 && (
        <div class="scroll-box">
        <table class="waiting">
          <thead>
            <tr>
              <th scope="col">Time left</th>
              <th scope="col">Customer</th>
              <th scope="col">Handle</th>
              <th scope="col">Waiting</th>
            </tr>
          </thead>
          <tbody>
            {cases.map((c) => {
              const left = c.dueAt ? (Date.parse(c.dueAt) - now) / 1000 : null;
              const cls = left === null ? '' : left < 0 ? 'over' : left < 600 ? 'soon' : 'ok';
              return (
                <tr key={c.id} class={cls}>
                  <td class="countdown" data-label="Time left">
                    {left === null ? '—' : left < 0 ? <span>over by {formatDuration(-left)}</span> : formatDuration(left)}
                  </td>
                  <td data-label="Customer">
                    <a href={`#/cases/${c.id}`}>{c.customer}</a>
                    {c.nudges > 0 && <span class="badge warn" title="customer chased the reply">{c.nudges}× nudged</span>}
                    {c.flags.includes('churn_threat') && <span class="badge sev-critical">churn threat</span>}
                  </td>
                  <td data-label="Handle">{c.handle ? `@${c.handle}` : '—'}</td>
                  <td data-label="Waiting">{c.awaitingSince ? relative(c.awaitingSince, now).replace(' ago', '') : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      )}
    </Panel>
  );
}
