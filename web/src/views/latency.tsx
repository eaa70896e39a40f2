// Owns the latency chart: median and p90 reply time per bucket for one handle, against the policy's target, on business or wall clock.
import { useMemo, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { getLatency, type Clock, type Handle, type LatencySeries } from '../api.ts';
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
  // null until the user picks one: the server then answers on the policy's own clock and says which.
  const [chosenClock, setClock] = useState<Clock | null>(null);
  const polled = usePoll(() => (handle ? getLatency(handle, hours, chosenClock ?? undefined) : Promise.resolve(undefined)), [handle, hours, chosenClock], 60_000);
  const series = polled.data;
  const clock = chosenClock ?? series?.clock ?? null;
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
      <div class="toggle" role="group" aria-label="Clock for reply times">
        {(['business', 'wall'] as const).map((c) => (
          <button
            type="button"
            key={c}
            aria-pressed={clock === c}
            onClick={() => setClock(c)}
            title={c === 'business' ? 'Count only the hours the handle’s calendar is open' : 'Count every second the customer waited'}
          >
            {c === 'business' ? 'Business hours' : 'Wall clock'}
            {series?.policyClock === c && <span class="sr-only"> (the policy’s clock)</span>}
          </button>
        ))}
      </div>
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
          <Chart options={options} data={data} label={`Median and p90 first reply time for @${handle}, ${clockWords(series.clock)}, against a target of ${series.targetSeconds ? formatDuration(series.targetSeconds) : 'none'}`} />
          <LatencySummary series={series} />
        </>
      )}
    </Panel>
  );
}

const clockWords = (c: Clock) => (c === 'business' ? 'counting business hours only' : 'on the wall clock');

/** The whole period in one line, on the clock shown, so switching clocks visibly changes the figures. */
function LatencySummary({ series }: { series: LatencySeries }) {
  const s = series.summary;
  const d = (v: number | null) => (v === null ? '—' : formatDuration(v));
  const target = series.targetSeconds !== null ? formatDuration(series.targetSeconds) : null;
  return (
    <div class="latency-summary" aria-live="polite" data-clock={series.clock}>
      <p>
        <strong>{series.clock === 'business' ? 'Business hours' : 'Wall clock'}</strong> over the period: median <strong>{d(s.median)}</strong>, p90 <strong>{d(s.p90)}</strong>
        {s.withinTarget !== null && target && (
          <>
            , <strong>{Math.round(s.withinTarget * 100)}%</strong> of {s.answered} answered within {target}
          </>
        )}
        {s.cases > s.answered && <> ({s.cases - s.answered} not answered yet)</>}.
      </p>
      <p class="muted small">
        Reply times by when the case opened, {clockWords(series.clock)}.
        {target && <> Dashed line: the policy target ({target}).</>}
        {series.policyClock && series.policyClock !== series.clock && <> The policy measures its target {clockWords(series.policyClock)}, so this view is for comparison.</>}
      </p>
    </div>
  );
}
