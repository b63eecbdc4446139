// The investor's console: holdings valued at the latest NAV, orders with
// the expected confirmation date, dividends. The investor number is the
// one the bank gave at account opening; the chain lets this identity read
// only its own.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad } from '../lib/ui.js';
import { amount, group } from '../lib/format.js';
import { query, session } from '../lib/api.js';

export const businessNames = { '020': 'subscription', '022': 'purchase', '024': 'redemption', '029': 'dividend method', '052': 'cancellation' };

// nextTradingDay is the first trading day after d in the chain's calendar
// (the confirmation date of an order of trade date d).
export function nextTradingDay(cal, d) {
  if (!cal || !d) return '';
  for (const x of cal.days) if (x > d) return x;
  return '';
}

const storeKey = () => 'otc-investor-' + session.identity.id;

export function orderColumns(cal) {
  return [
    { key: 'id', label: 'Order' },
    { key: 'business', label: 'Type', text: (o) => businessNames[o.business] || o.business },
    { key: 'fund', label: 'Fund' },
    { key: 'amount', label: 'Amount (CNY)', num: true, text: (o) => amount(o.amount) },
    { key: 'shares', label: 'Shares', num: true, text: (o) => group(o.shares) },
    { key: 'trade_date', label: 'Trade date' },
    { key: 'status', label: 'Status', render: (o) => html`<span class=${'pill ' + o.status}>${o.status}</span>` },
    { key: 'confirm', label: 'Confirmation date', text: (o) => o.confirmation ? o.confirmation.date : (o.status === 'pending' ? nextTradingDay(cal, o.trade_date) + ' (expected)' : '') },
    { key: 'result', label: 'Confirmed', num: true, text: (o) => {
      const c = o.confirmation;
      if (!c) return '';
      if (c.return_code !== '0000') return c.reason || c.return_code;
      return c.shares ? group(c.shares) + ' shares' : (c.amount ? amount(c.amount) + ' CNY' : '');
    } },
  ];
}

export function Investor({ tick }) {
  const [inv, setInv] = useState(localStorage.getItem(storeKey()) || '');
  const [draft, setDraft] = useState(inv);
  const choose = (e) => {
    e.preventDefault();
    localStorage.setItem(storeKey(), draft.trim());
    setInv(draft.trim());
  };
  return html`<section>
    <h2>Your holdings and orders</h2>
    <form class="row" onSubmit=${choose}>
      <${Field} label="Investor number" id="investor-no" hint="The number your bank or broker gave you when it registered you (e.g. INV001).">
        <input id="investor-no" required value=${draft} onInput=${(e) => setDraft(e.target.value)} />
      <//>
      <button type="submit">Show</button>
    </form>
    ${inv && html`<${Statement} id=${inv} tick=${tick} />`}
  </section>`;
}

export function Statement({ id, tick }) {
  const load = useLoad(() => Promise.all([query('fund', 'investors/' + encodeURIComponent(id) + '/statement'), query('fund', 'calendar')]), [id, tick]);
  const [st, cal] = load.data || [];
  let total = 0n;
  if (st) for (const h of st.holdings) total += cents(h.value);
  return html`<${Loading} load=${load}>
    ${st && html`<div>
      <p>Investor <strong>${st.investor.id}</strong> (${st.investor.type}, risk level ${st.investor.risk_level || st.investor.risk || ''}), channel ${st.investor.channel}.</p>
      <h3>Holdings</h3>
      <p class="total">Market value at the latest NAV: <strong id="market-value">${amount(fromCents(total))} CNY</strong></p>
      <${Table} name=${'holdings-' + id} rows=${st.holdings} columns=${[
        { key: 'fund', label: 'Fund', render: (h) => html`<a href=${'#/funds/' + h.fund}>${h.fund}</a>` },
        { key: 'shares', label: 'Shares', num: true, text: (h) => group(h.shares) },
        { key: 'pending', label: 'Pending redemption', num: true, text: (h) => group(h.pending) },
        { key: 'frozen', label: 'Frozen', num: true, text: (h) => group(h.frozen) },
        { key: 'nav', label: 'NAV', num: true, text: (h) => `${h.nav} (${h.nav_date})` },
        { key: 'value', label: 'Market value (CNY)', num: true, text: (h) => amount(h.value) },
        { key: 'dividend_method', label: 'Dividends' },
      ]} empty="No holding yet." />
      <h3>Orders</h3>
      <${Table} name=${'orders-' + id} rows=${[...st.orders].reverse()} columns=${orderColumns(cal)}
        filters=${[{ key: 'status', label: 'Status', options: ['pending', 'confirmed', 'failed', 'cancelled'] }]} empty="No order yet." />
      <h3>Dividends</h3>
      <${Table} name=${'dividends-' + id} rows=${st.dividends} columns=${[
        { key: 'fund', label: 'Fund' }, { key: 'ex_date', label: 'Ex-date' }, { key: 'method', label: 'Method' },
        { key: 'cash', label: 'Cash (CNY)', num: true, text: (p) => amount(p.cash) },
        { key: 'shares', label: 'Reinvested shares', num: true, text: (p) => group(p.shares) },
      ]} empty="No dividend paid to you yet." />
    </div>`}
  <//>`;
}

function cents(s) {
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(String(s || '0'));
  return m ? BigInt(m[1]) * 100n + BigInt(((m[2] || '') + '00').slice(0, 2)) : 0n;
}
function fromCents(c) {
  return `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;
}
