/**
 * Colour scales for the heatmaps, as RGB bytes. Sequential values use viridis
 * (perceptually uniform, readable for colour-blind users, and it keeps its
 * contrast on light and dark themes); differences use a blue–white–red
 * diverging scale centred on 0. NaN and ±Inf get colours neither scale uses.
 * Pure functions.
 */

export type Rgb = readonly [number, number, number];

/** Viridis at 9 evenly spaced stops. */
const VIRIDIS: readonly Rgb[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];
const DIVERGING: readonly Rgb[] = [[33, 102, 172], [103, 169, 207], [247, 247, 247], [239, 138, 98], [178, 24, 43]];

export const NAN_COLOR: Rgb = [255, 0, 255];
export const POS_INF_COLOR: Rgb = [255, 32, 32];
export const NEG_INF_COLOR: Rgb = [255, 255, 255];

function ramp(stops: readonly Rgb[], t: number): Rgb {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** The scale a heatmap uses. */
export type Scale = 'sequential' | 'diverging';

/** Colour of `v` on a scale over `[min, max]` (diverging scales are symmetric around 0). */
export function colorOf(v: number, min: number, max: number, scale: Scale): Rgb {
  if (Number.isNaN(v)) return NAN_COLOR;
  if (v === Infinity) return POS_INF_COLOR;
  if (v === -Infinity) return NEG_INF_COLOR;
  if (scale === 'diverging') {
    const m = Math.max(Math.abs(min), Math.abs(max));
    return ramp(DIVERGING, m > 0 ? 0.5 + v / (2 * m) : 0.5);
  }
  return ramp(VIRIDIS, max > min ? (v - min) / (max - min) : 0.5);
}

/** `[min, max]` over the finite values, or `[0, 0]` when there are none. */
export function finiteRange(values: ArrayLike<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? [min, max] : [0, 0];
}

/** CSS `rgb()` of a colour. */
export function css(c: Rgb): string {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}
