// Owns the latency chart: median and p90 reply time per bucket for one handle, against the policy's target.
import { useMemo, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { getLatency, type Handle } from '../api.ts';
import { formatDuration } from '../format.ts';
import { usePoll } from '../hooks.ts';
import { Chart } from '../components/chart.tsx';
import { Empty, ErrorBox, Loading, Panel } from '../components/states.tsx';

const axisValues = (_u: uPlot, ticks: number[]) => ticks.map((t) => formatDuration(t));
// Tick steps in seconds that read well as durations: 1, 2, 5, 10, 15, 30 minutes, 1, 2, 3, 6, 12 hours, days.
const durationSteps = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800];

export function LatencyPanel({ handles }: { handles: Handle[] }) {
  const [chosen, setChosen] = useState('');
  const handle = chosen || handles[0]?.handle || '';
  const [hours, setHours] = useState(24);
  const [clock, setClock] = useState<'business' | 'wall'>('business');
  const polled = usePoll(() => (handle ? getLatency(handle, hours, clock) : Promise.resolve(undefined)), [handle, hours, clock], 60_000);
  const series = polled.data;
  // The x axis spans the period asked for; read through a ref so a new poll does not rebuild the chart.
  const period = useRef<[number, number] | null>(null);
  period.current = series?.from && series.to ? [series.from, series.to] : null;

  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      scales: { x: { time: true, range: (_u, min, max) => period.current ?? (min === max ? [min - 3600, max + 3600] : [min, max]) }, y: { range: (_u, _min, max) => [0, Math.max(max, (series?.targetSeconds ?? 0) * 1.2, 60)] } },
      axes: [{}, { values: axisValues, size: 70, incrs: durationSteps }],
      series: [
        {},
        { label: 'median', stroke: '#1d4ed8', width: 2, value: (_u, v) => (v == null ? '—' : formatDuration(v)) },
        { label: 'p90', stroke: '#c2410c', width: 2, value: (_u, v) => (v == null ? '—' : formatDuration(v)) },
        { label: 'target', stroke: '#b91c1c', width: 1.5, dash: [6, 4], points: { show: false }, value: (_u, v) => (v == null ? '—' : formatDuration(v)) },
      ],
    }),
    [series?.targetSeconds],
  );

  const data = useMemo<uPlot.AlignedData>(() => {
    const pts = series?.points ?? [];
    return [pts.map((p) => p.t), pts.map((p) => p.median), pts.map((p) => p.p90), pts.map(() => series?.targetSeconds ?? null)];
  }, [series]);

  const actions = (
    <>
      <select value={handle} onChange={(e) => setChosen(e.currentTarget.value)} aria-label="Handle for the latency chart">
        {handles.map((h) => (
          <option value={h.handle} key={h.handle}>
            @{h.handle}
          </option>
        ))}
      </select>
      <select value={hours} onChange={(e) => setHours(Number(e.currentTarget.value))} aria-label="Period">
        <option value={24}>last 24 hours, per hour</option>
        <option value={48}>last 2 days, per hour</option>
        <option value={168}>last 7 days, per day</option>
        <option value={720}>last 30 days, per day</option>
      </select>
      {series?.clockSupported && (
      <div class="toggle" role="group" aria-label="Clock">
        {(['business', 'wall'] as const).map((c) => (
          <button type="button" key={c} aria-pressed={clock === c} onClick={() => setClock(c)}>
            {c === 'business' ? 'Business hours' : 'Wall clock'}
          </button>
        ))}
      </div>
      )}
    </>
  );

  return (
    <Panel title="First reply time" id="latency" actions={actions} updatedAt={polled.updatedAt}>
      {!handle && <Empty>No handles are configured yet: add one to replywatch.config.yaml or through the admin API.</Empty>}
      {polled.error && <ErrorBox error={polled.error} retry={polled.reload} />}
      {handle && !series && polled.loading && <Loading what="latency" />}
      {series && series.points.length === 0 && (
        <Empty>
          <p>No replies from @{handle} in this period yet, so there is nothing to chart.</p>
        </Empty>
      )}
      {series && series.points.length > 0 && (
        <>
          <Chart options={options} data={data} label={`Median and p90 first reply time for @${handle}, ${series.clockSupported ? clock : 'wall'} clock, against a target of ${series.targetSeconds ? formatDuration(series.targetSeconds) : 'none'}`} />
          {series.targetSeconds !== null && (
            <p class="muted small">
              Dashed line: the policy target ({formatDuration(series.targetSeconds)}). Reply times by when the case opened,{' '}
              {series.clockSupported ? (clock === 'business' ? 'counting business hours only' : 'on the wall clock') : 'on the wall clock (this server does not offer business-hour latency yet)'}.
            </p>
          )}
        </>
      )}
    </Panel>
  );
}
