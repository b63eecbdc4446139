// The reseller desk: the channel's orders of a trade date, with their
// confirmations.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad, useAction, Busy, ErrorBox } from '../lib/ui.js';
import { chinaDate, amount, group } from '../lib/format.js';
import { query, submit, session } from '../lib/api.js';
import { orderColumns, Statement, RiskDisclosures, businessNames } from './investor.js';
import { appNo, InvestorSignature, signAsInvestor } from './order.js';

export function Desk({ clock, tick }) {
  const org = session.identity.org;
  const [picked, setDate] = useState('');
  const date = picked || (clock ? chinaDate(clock.business_time) : '');
  const load = useLoad(() => (/^\d{4}-\d{2}-\d{2}$/.test(date) ? Promise.all([query('fund', `channel-orders/${org}/${date}`, { limit: 100000 }), query('fund', 'calendar')]) : new Promise(() => {})), [org, date, tick]);
  const [orders, cal] = load.data || [];
  const [cancelling, setCancelling] = useState(null);
  const today = clock ? chinaDate(clock.business_time) : '';
  const cancelCol = { key: 'cancel', label: '', text: () => '', render: (o) => (o.status === 'pending' && o.trade_date >= today
    ? html`<button class="secondary cancel-order" data-order=${o.id} onClick=${() => setCancelling(o)}>Cancel…</button>` : '') };
  return html`<section>
    <h2>Orders of ${org}</h2>
    <div class="row">
      <${Field} label="Trade date" id="trade-date"><input id="trade-date" placeholder="YYYY-MM-DD" pattern="\\d{4}-\\d{2}-\\d{2}" inputmode="numeric" size="11" value=${date} onInput=${(e) => setDate(e.target.value)} /><//>
    </div>
    ${cancelling && html`<${CancelOrder} order=${cancelling} onClose=${() => setCancelling(null)} onDone=${load.refresh} />`}
    <${Loading} load=${load}>
      ${orders && html`<${Table} name=${'orders-' + org + '-' + date} rows=${orders.items} truncated=${orders.truncated}
        columns=${[{ key: 'investor', label: 'Investor' }, ...orderColumns(cal), cancelCol]}
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
    ${shown && html`<${RiskDisclosures} id=${shown} tick=${tick} />`}
  </section>`;
}

// CancelOrder withdraws a pending order before its cut-off (撤单, 052): a
// cancellation with its own application number; the investor signs it at
// the counter when the fund or the investor requires it.
function CancelOrder({ order, onClose, onDone }) {
  const org = session.identity.org;
  const original = order.id.slice(org.length + 1); // "rs-bank:C0002" -> "C0002"
  const [no, setNo] = useState(appNo());
  const [invSig, setInvSig] = useState(null);
  const sign = useAction();
  const act = useAction();
  const investorSigns = (files, pass) => sign.run(async (stage) => {
    const r = await signAsInvestor(files, pass, stage, { channel: org, type: 'fund/cancel', app_no: no, investor: order.investor, fund: order.fund, quantity: original });
    setInvSig(r);
    return r;
  });
  const go = () => act.run(async (stage) => {
    const value = { app_no: no, original };
    if (invSig) value.investor_sig = invSig.signature;
    const r = await submit([{ type: 'fund/cancel', value }], { onStage: stage });
    onDone();
    return r;
  });
  return html`<div class="card" id="cancel-order">
    <div class="row spread"><h3>Cancel order ${order.id}</h3><button class="secondary" onClick=${onClose}>Close</button></div>
    <p>${businessNames[order.business] || order.business} of fund ${order.fund} for investor ${order.investor}${order.amount ? ', ' + amount(order.amount) + ' CNY' : ''}${order.shares ? ', ' + group(order.shares) + ' shares' : ''}, trade date ${order.trade_date}. A cancellation is accepted until that day's 15:00 China time cut-off.</p>
    <div class="row"><${Field} label="Application no. of the cancellation" id="cancel-appno"><input id="cancel-appno" required value=${no} onInput=${(e) => { setNo(e.target.value); setInvSig(null); }} /><//></div>
    <${InvestorSignature} need=${false} sig=${invSig} action=${sign} onSign=${investorSigns} />
    ${act.result ? html`<div class="ok" role="status" id="cancel-result">Order ${order.id} is cancelled (height ${group(act.result.height)}).</div>`
      : html`<button id="cancel-submit" disabled=${!!act.stage} onClick=${go}>Sign and cancel the order</button>`}
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
  </div>`;
}
