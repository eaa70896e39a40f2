// Owns the breach heatmap: breaches over the last weeks counted by hour of the week, to show understaffed or offline hours.
import { useMemo, useState } from 'preact/hooks';
import { listBreaches, type Handle } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { Empty, ErrorBox, Loading, Panel } from '../components/states.tsx';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const RANGES: Record<string, number> = { '7': 7, '28': 28, '90': 90 };

export function HeatmapPanel({ handles }: { handles: Handle[] }) {
  const [days, setDays] = useState('28');
  const [team, setTeam] = useState('');
  const from = useMemo(() => new Date(Date.now() - RANGES[days]! * 86400_000).toISOString(), [days]);
  const polled = usePoll(() => listBreaches(from), [from], 120_000);
  const teams = [...new Set(handles.map((h) => h.team).filter((t): t is string => !!t))].sort();

  const grid = useMemo(() => {
    const cells = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    for (const b of polled.data?.breaches ?? []) {
      if (team && b.team !== team) continue;
      const d = new Date(b.dueAt);
      if (Number.isNaN(d.getTime())) continue;
      cells[(d.getDay() + 6) % 7]![d.getHours()]!++;
    }
    return cells;
  }, [polled.data, team]);
  const max = Math.max(1, ...grid.flat());
  const total = grid.flat().reduce((a, b) => a + b, 0);

  const actions = (
    <>
      <select value={team} onChange={(e) => setTeam(e.currentTarget.value)} aria-label="Team for the heatmap">
        <option value="">All teams</option>
        {teams.map((t) => (
          <option value={t} key={t}>
            {t}
          </option>
        ))}
      </select>
      <select value={days} onChange={(e) => setDays(e.currentTarget.value)} aria-label="Period for the heatmap">
        <option value="7">last 7 days</option>
        <option value="28">last 4 weeks</option>
        <option value="90">last 90 days</option>
      </select>
    </>
  );

  return (
    <Panel title={`Breaches by hour of week${total ? ` · ${total}` : ''}`} id="heatmap" actions={actions} updatedAt={polled.updatedAt}>
      {polled.error && <ErrorBox error={polled.error} retry={polled.reload} />}
      {!polled.data && polled.loading && <Loading what="breaches" />}
      {polled.data && total === 0 && (
        <Empty>
          <p>No missed targets in this period{team ? ` for ${team}` : ''}. Dark cells would show the hours when replies come late.</p>
        </Empty>
      )}
      {polled.data && total > 0 && (
        <div class="heatmap-wrap">
          <table class="heatmap">
            <caption class="sr-only">Breaches per weekday and hour ({Intl.DateTimeFormat().resolvedOptions().timeZone} time)</caption>
            <thead>
              <tr>
                <td />
                {Array.from({ length: 24 }, (_, h) => (
                  <th scope="col" key={h}>
                    {h % 3 === 0 ? String(h).padStart(2, '0') : ''}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {grid.map((row, d) => (
                <tr key={d}>
                  <th scope="row">{DAYS[d]}</th>
                  {row.map((n, h) => (
                    <td key={h} title={`${DAYS[d]} ${String(h).padStart(2, '0')}:00 — ${n} breach${n === 1 ? '' : 'es'}`} style={{ '--v': n / max } as Record<string, number>} class={n ? 'hit' : ''}>
                      <span class="sr-only">{n}</span>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted small">
            Hours in your browser's time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone}). Darker = more breaches, up to {max} in one hour.
            {polled.data.truncated && ' Only the most recent 5,000 breaches are counted.'}
          </p>
        </div>
      )}
    </Panel>
  );
}
