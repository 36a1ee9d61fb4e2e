/**
 * Charts drawn as SVG on the server: no script, no library, nothing for the CSP to allow, the same
 * picture on Node and Workers and with JavaScript off. Each chart is an image with a title and a
 * description that says what it shows in words; the numbers are also in a table beside it.
 * Colours come from admin.css classes; series also differ by dash pattern, not by colour alone.
 */

export type Series = { label: string; values: number[]; tone: 'a' | 'b' | 'c' | 'd' | 'e' };

const W = 400;
const H = 170;
const PAD = { left: 34, right: 8, top: 10, bottom: 22 };
const DASH: Record<Series['tone'], string | undefined> = { a: undefined, b: '6 3', c: undefined, d: '2 3', e: '8 3 2 3' };

/** A round number at least `max` (1, 2, 5 times a power of ten), so the axis reads well. */
export function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 5, 10].find((m) => m * power >= max)!;
  return step * power;
}

/** Polyline points for `values` in a box of `w` x `h` whose top is `max`. */
function points(values: number[], max: number, box: { x: number; y: number; w: number; h: number }): string {
  const step = values.length > 1 ? box.w / (values.length - 1) : 0;
  return values.map((v, i) => `${(box.x + i * step).toFixed(1)},${(box.y + box.h - (v / max) * box.h).toFixed(1)}`).join(' ');
}

/** A line chart of daily values with a y axis (0, half, top) and the first and last date under it. */
export function LineChart(props: { id: string; title: string; desc: string; dates: string[]; series: Series[] }) {
  const max = niceCeiling(Math.max(0, ...props.series.flatMap((s) => s.values)));
  const box = { x: PAD.left, y: PAD.top, w: W - PAD.left - PAD.right, h: H - PAD.top - PAD.bottom };
  const first = props.dates[0]?.slice(5) ?? '';
  const last = props.dates[props.dates.length - 1]?.slice(5) ?? '';
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${props.id}-title ${props.id}-desc`} focusable="false">
        <title id={`${props.id}-title`}>{props.title}</title>
        <desc id={`${props.id}-desc`}>{props.desc}</desc>
        {[0, 0.5, 1].map((f) => {
          const y = box.y + box.h - f * box.h;
          return (
            <g>
              <line class="grid" x1={box.x} x2={box.x + box.w} y1={y} y2={y} />
              <text class="axis" x={box.x - 4} y={y + 4} text-anchor="end">
                {String(f * max)}
              </text>
            </g>
          );
        })}
        <text class="axis" x={box.x} y={H - 4}>
          {first}
        </text>
        <text class="axis" x={box.x + box.w} y={H - 4} text-anchor="end">
          {last}
        </text>
        {props.series.map((s) => (
          <polyline class={`line tone-${s.tone}`} points={points(s.values, max, box)} stroke-dasharray={DASH[s.tone]} />
        ))}
      </svg>
      <figcaption>
        <ul class="legend">
          {props.series.map((s) => (
            <li>
              <svg viewBox="0 0 24 8" aria-hidden="true" focusable="false">
                <line class={`line tone-${s.tone}`} x1="0" x2="24" y1="4" y2="4" stroke-dasharray={DASH[s.tone]} />
              </svg>
              {s.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

/** A small line of daily values for the overview; `label` says in words what it shows. */
export function Sparkline(props: { values: number[]; label: string }) {
  const max = Math.max(1, ...props.values);
  return (
    <svg class="spark" viewBox="0 0 120 28" preserveAspectRatio="none" role="img" aria-label={props.label} focusable="false">
      <title>{props.label}</title>
      <polyline class="line tone-a" points={points(props.values, max, { x: 1, y: 2, w: 118, h: 24 })} vector-effect="non-scaling-stroke" />
    </svg>
  );
}
