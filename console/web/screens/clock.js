// The business-time banner. On a simulated network (otc dev, a sandbox)
// it says so and lets the permitted roles move the clock forward.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { chinaTime } from '../lib/format.js';
import { ErrorBox, Busy } from '../lib/ui.js';
import { submit, session } from '../lib/api.js';

export function ClockBanner({ clock, onAdvanced }) {
  const [stage, setStage] = useState('');
  const [error, setError] = useState(null);
  if (!clock) return null;
  const role = session.identity && session.identity.role;
  const may = clock.simulated && (clock.roles || []).includes(role);
  const advance = async (next) => {
    setError(null);
    try {
      await submit([{ type: 'clock/advance', value: { next } }], { onStage: setStage });
      onAdvanced();
    } catch (e) {
      setError(e);
    } finally {
      setStage('');
    }
  };
  return html`<div class=${'clock ' + (clock.simulated ? 'simulated' : '')} id="clock">
    <span class="label">${clock.simulated ? 'SIMULATED business time' : 'Business time'}</span>
    <strong id="business-time">${chinaTime(clock.business_time)}</strong>
    ${clock.simulated && clock.offset_seconds > 0 && html`<span class="muted">block time ${chinaTime(clock.block_time)}</span>`}
    ${may && html`<span class="actions">
      <button class="secondary" id="next-cutoff" disabled=${!!stage} onClick=${() => advance('cutoff')}>Next cut-off (15:00)</button>
      <button class="secondary" id="next-trading-day" disabled=${!!stage} onClick=${() => advance('trading_day')}>Next trading day</button>
    </span>`}
    <${Busy} stage=${stage} />
    <${ErrorBox} error=${error} onClose=${() => setError(null)} />
  </div>`;
}
