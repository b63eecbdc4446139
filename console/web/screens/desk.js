// The reseller desk: the channel's orders of a trade date, with their
// confirmations.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad } from '../lib/ui.js';
import { chinaDate } from '../lib/format.js';
import { query, session } from '../lib/api.js';
import { orderColumns, Statement } from './investor.js';

export function Desk({ clock, tick }) {
  const org = session.identity.org;
  const [picked, setDate] = useState('');
  const date = picked || (clock ? chinaDate(clock.business_time) : '');
  const load = useLoad(() => (/^\d{4}-\d{2}-\d{2}$/.test(date) ? Promise.all([query('fund', `channel-orders/${org}/${date}`, { limit: 100000 }), query('fund', 'calendar')]) : new Promise(() => {})), [org, date, tick]);
  const [orders, cal] = load.data || [];
  return html`<section>
    <h2>Orders of ${org}</h2>
    <div class="row">
      <${Field} label="Trade date" id="trade-date"><input id="trade-date" placeholder="YYYY-MM-DD" pattern="\\d{4}-\\d{2}-\\d{2}" inputmode="numeric" size="11" value=${date} onInput=${(e) => setDate(e.target.value)} /><//>
    </div>
    <${Loading} load=${load}>
      ${orders && html`<${Table} name=${'orders-' + org + '-' + date} rows=${orders.items} truncated=${orders.truncated}
        columns=${[{ key: 'investor', label: 'Investor' }, ...orderColumns(cal)]}
        filters=${[{ key: 'status', label: 'Status', options: ['pending', 'confirmed', 'failed', 'cancelled'] }, { key: 'fund', label: 'Fund', options: [...new Set(orders.items.map((o) => o.fund))] }]}
        empty="No order on this trade date." />`}
    <//>
  </section>`;
}

export function InvestorLookup({ tick }) {
  const [id, setId] = useState('');
  const [shown, setShown] = useState('');
  return html`<section>
    <h2>Investor</h2>
    <form class="row" onSubmit=${(e) => { e.preventDefault(); setShown(id.trim()); }}>
      <${Field} label="Investor number" id="lookup-investor"><input id="lookup-investor" required value=${id} onInput=${(e) => setId(e.target.value)} /><//>
      <button type="submit">Show</button>
    </form>
    ${shown && html`<${Statement} id=${shown} tick=${tick} />`}
  </section>`;
}
