// The time slider under a graph: two handles (from, to) over the days the drawn transfers span, a
// Play button that moves the window forward a day at a time, and the range in words. Relations with
// no transfer in the range are hidden and their accounts faded (GraphView.setTimeRange), so a fall and
// a rise — an account going quiet while a fresh one takes its counterparties over — can be watched.
import type { GraphView } from './graph-view.js';
import { h } from './ui.js';

const DAY = 86_400_000;

/** "3 March 2026": dates in UTC, as the rest of the console shows them. */
export function dayWords(day: number): string {
  return new Date(day * DAY).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

export interface TimeSlider {
  el: HTMLElement;
  /** Call after the graph gained nodes or edges: the span may have grown. */
  refresh(): void;
  dispose(): void;
}

/**
 * Slider values are UTC day numbers (days since 1970-01-01), so `From date` = 20500 means the whole
 * of that day. Play steps one day every `tickMs` (more than one day per tick for spans above 120 days).
 */
export function timeSlider(view: GraphView, opts: { tickMs?: number } = {}): TimeSlider {
  const tickMs = opts.tickMs ?? 300;
  const from = h('input', { type: 'range', 'aria-label': 'From date', step: 1 });
  const to = h('input', { type: 'range', 'aria-label': 'To date', step: 1 });
  const fromText = h('span', { class: 'time-end', 'aria-hidden': 'true' });
  const toText = h('span', { class: 'time-end', 'aria-hidden': 'true' });
  const status = h('p', { class: 'time-status', role: 'status', 'aria-live': 'polite' });
  const play = h('button', { type: 'button', class: 'time-play', text: 'Play' });
  const whole = h('button', { type: 'button', text: 'Whole period' });
  const el = h(
    'fieldset',
    { class: 'time-slider' },
    h('legend', { text: 'Time' }),
    h('label', { class: 'time-handle' }, h('span', { text: 'From' }), from, fromText),
    h('label', { class: 'time-handle' }, h('span', { text: 'To' }), to, toText),
    play,
    whole,
    status,
  );
  let first = 0;
  let last = 0;
  let timer: number | undefined;
  let shown = false;

  const value = (input: HTMLInputElement) => Number(input.value);
  const full = () => value(from) === first && value(to) === last;

  const apply = () => {
    const a = value(from);
    const b = value(to);
    from.setAttribute('aria-valuetext', dayWords(a));
    to.setAttribute('aria-valuetext', dayWords(b));
    fromText.textContent = dayWords(a);
    toText.textContent = dayWords(b);
    view.setTimeRange(full() ? null : { from: a * DAY, to: (b + 1) * DAY - 1 });
    const c = view.rangeCounts();
    const days = b - a + 1;
    status.textContent =
      `${full() ? 'All transfers' : 'Transfers'} from ${dayWords(a)} to ${dayWords(b)} (${days} day${days === 1 ? '' : 's'}): ` +
      `${c.edgesInRange} of ${c.edges} relations and ${c.nodesInRange} of ${c.nodes} accounts active.`;
  };

  const stop = () => {
    window.clearInterval(timer);
    timer = undefined;
    play.textContent = 'Play';
    play.setAttribute('aria-pressed', 'false');
  };

  const tick = () => {
    const step = Math.max(1, Math.ceil((last - first) / 120));
    const move = Math.min(step, last - value(to));
    if (move <= 0) return stop();
    from.value = String(value(from) + move);
    to.value = String(value(to) + move);
    apply();
    if (value(to) >= last) stop();
  };

  play.addEventListener('click', () => {
    if (timer !== undefined) return stop();
    // From the whole period (or a window already at the end), play a sixth of it from the start.
    if (full() || value(to) >= last) {
      const width = Math.max(0, Math.min(last - first, Math.max(6, Math.round((last - first) / 6))));
      from.value = String(first);
      to.value = String(first + width);
      apply();
    }
    play.textContent = 'Pause';
    play.setAttribute('aria-pressed', 'true');
    timer = window.setInterval(tick, tickMs);
  });
  whole.addEventListener('click', () => {
    stop();
    from.value = String(first);
    to.value = String(last);
    apply();
  });
  // The handles never cross: moving one past the other pushes it along.
  from.addEventListener('input', () => {
    stop();
    if (value(from) > value(to)) to.value = from.value;
    apply();
  });
  to.addEventListener('input', () => {
    stop();
    if (value(to) < value(from)) from.value = to.value;
    apply();
  });

  const refresh = () => {
    const span = view.timeSpan();
    el.hidden = span === null;
    if (!span) return;
    const wasFull = !shown || full();
    shown = true;
    const a = Math.max(first, value(from));
    const b = Math.min(last, value(to));
    first = Math.floor(span.from / DAY);
    last = Math.floor(span.to / DAY);
    for (const input of [from, to]) {
      input.min = String(first);
      input.max = String(last);
    }
    from.value = String(wasFull ? first : Math.max(first, a));
    to.value = String(wasFull ? last : Math.min(last, Math.max(b, value(from))));
    apply();
  };

  refresh();
  return { el, refresh, dispose: stop };
}
