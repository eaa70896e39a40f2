// Owns the uPlot wrapper: creates the chart once, feeds it new data, and keeps it as wide as its container.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function Chart({ options, data, label }: { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current!;
    const size = () => ({ width: Math.max(280, el.clientWidth), height: el.clientWidth < 500 ? 220 : 280 });
    plot.current = new uPlot({ ...options, ...size() }, data, el);
    const ro = new ResizeObserver(() => plot.current?.setSize(size()));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Series layout changes rebuild the chart; data changes only call setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [options]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div class="chart" ref={box} role="img" aria-label={label} />;
}
