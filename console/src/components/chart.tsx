import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const palette = ['#2563eb', '#d97706', '#059669', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];

export interface ChartProps {
  id: string;
  title: string;
  x: number[];
  lines: { label: string; values: (number | null)[] }[];
  /** How a value reads in the legend, the axis and the summary. */
  format: (value: number) => string;
  /** Whether a line's total means something (spend, tokens, requests) or not (latency). */
  summable?: boolean;
}

/**
 * A uPlot time chart in a figure: the canvas is described for screen readers
 * by a text summary (each line's total or peak), and uPlot's legend table
 * gives the values under the cursor.
 */
export const Chart = ({ id, title, x, lines, format, summable = true }: ChartProps) => {
  const target = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = target.current;
    if (!element || lines.length === 0) return;
    const plot = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 220,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [{}, { values: (_, ticks) => ticks.map((tick) => format(tick)), size: 84 }],
        series: [{}, ...lines.map((line, index) => ({ label: line.label, stroke: palette[index % palette.length], width: 2, value: (_: uPlot, value: number | null) => (value === null ? '—' : format(value)) }))],
      },
      [x, ...lines.map((line) => line.values)] as uPlot.AlignedData,
      element,
    );
    const resize = () => plot.setSize({ width: Math.max(280, element.clientWidth), height: 220 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [x, lines, format]);

  const summary = lines.map((line) => {
    const present = line.values.filter((value): value is number => value !== null);
    const figure = summable ? present.reduce((sum, value) => sum + value, 0) : Math.max(0, ...present);
    return { label: line.label, text: `${format(figure)} ${summable ? 'total' : 'peak'}` };
  });
  const description = summary.length === 0 ? 'No data in this range.' : summary.map((line) => `${line.label}: ${line.text}`).join('; ');
  return (
    <figure class="chart" id={id} aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {lines.length === 0 ? <p class="muted">No data in this range.</p> : <div ref={target} role="img" aria-label={`${title}. ${description}`} />}
      <ul class="chart-summary" aria-label={`${title}: totals`}>
        {summary.map((line) => (
          <li key={line.label} data-series={line.label}>
            <span class="series-name">{line.label}</span> <span class="series-total">{line.text}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
};
