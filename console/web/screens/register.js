// A fund's register for its manager (and, where the chain lets it, its
// custodian): the orders waiting for confirmation by trade date and
// channel, the holders with their lots, and the dividends with the
// manager's declaration form.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad, useAction, Busy, ErrorBox } from '../lib/ui.js';
import { amount, group, valueAt } from '../lib/format.js';
import { query, submit } from '../lib/api.js';
import { nextTradingDay } from './investor.js';

// Pending lists the orders waiting for confirmation (fund/funds/{code}/pending).
export function Pending({ fund, cal, tick }) {
  const load = useLoad(() => query('fund', `funds/${fund.code}/pending`), [fund.code, tick]);
  const p = load.data;
  return html`<div>
    <h3>Waiting for confirmation</h3>
    <${Loading} load=${load}>
      ${p && html`<div>
        <p class="total" id="pending-total">${group(String(p.orders))} ${p.orders === 1 ? 'order waits' : 'orders wait'} for confirmation.</p>
        <${Table} name=${'pending-' + fund.code} rows=${p.days}
          columns=${[
            { key: 'date', label: 'Trade date', text: (d) => d.date || `offering (closes ${fund.offering_end})` },
            { key: 'nav', label: 'Confirmed with the NAV of', text: (d) => d.date || fund.offering_end },
            { key: 'confirm', label: 'Confirmation date (expected)', text: (d) => (d.date ? nextTradingDay(cal, d.date) : '') },
            { key: 'channel', label: 'Channel' },
            { key: 'orders', label: 'Orders', num: true, text: (d) => group(String(d.orders)) },
            { key: 'purchases', label: 'Purchases', num: true, text: (d) => (d.purchases ? `${group(String(d.purchases))} · ${amount(d.purchase_amount)} CNY` : '') },
            { key: 'redemptions', label: 'Redemptions', num: true, text: (d) => (d.redemptions ? `${group(String(d.redemptions))} · ${group(d.redemption_shares)} shares` : '') },
            { key: 'subscriptions', label: 'Subscriptions', num: true, text: (d) => (d.subscriptions ? `${group(String(d.subscriptions))} · ${amount(d.subscription_amount)} CNY` : '') },
            { key: 'other', label: 'Other', num: true, text: (d) => (d.other ? group(String(d.other)) : '') },
          ]}
          filters=${[{ key: 'channel', label: 'Channel', options: [...new Set(p.days.map((d) => d.channel))] }]}
          empty="Nothing waits: every order is confirmed." />
      </div>`}
    <//>
  </div>`;
}

// Holders is the register: every holding of the fund with its value at
// the last NAV (fund/funds/{code}/holders, the manager only).
export function Holders({ fund, tick }) {
  const load = useLoad(() => query('fund', `funds/${fund.code}/holders`, { limit: 100000 }), [fund.code, tick]);
  const rows = load.data ? load.data.items.filter((h) => h.shares !== '0.00') : [];
  return html`<div>
    <h3>Register 份额登记</h3>
    <${Loading} load=${load}>
      <${Table} name=${'register-' + fund.code} rows=${rows} truncated=${load.data && load.data.truncated}
        columns=${[
          { key: 'investor', label: 'Investor' }, { key: 'channel', label: 'Channel' }, { key: 'ta_account', label: 'TA account' },
          { key: 'shares', label: 'Shares', num: true, text: (h) => group(h.shares) },
          { key: 'pending', label: 'Pending redemption', num: true, text: (h) => group(h.pending) },
          { key: 'frozen', label: 'Frozen', num: true, text: (h) => group(h.frozen) },
          { key: 'lots', label: 'Lots', num: true, text: (h) => group(String((h.lots || []).length)) },
          { key: 'value', label: `Value at ${fund.last_nav || '—'} (CNY)`, num: true, text: (h) => (fund.last_nav ? amount(valueAt(h.shares, fund.last_nav)) : '') },
          { key: 'dividend_method', label: 'Dividends' },
        ]}
        filters=${[{ key: 'channel', label: 'Channel', options: [...new Set(rows.map((h) => h.channel))] }]}
        empty="No one holds shares of this fund yet." />
    <//>
  </div>`;
}

// Dividends lists the fund's dividends (public) and lets its manager
// declare one (fund/declare_dividend): the chain pays it out by itself
// after the ex-date's NAV is final.
export function Dividends({ fund, cal, isManager, tick }) {
  const load = useLoad(() => query('fund', `funds/${fund.code}/dividends`, { limit: 100000 }), [fund.code, tick]);
  const [form, setForm] = useState({ per_share: '', record_date: '', ex_date: '', pay_date: '' });
  const act = useAction();
  const ex = form.ex_date || (cal ? nextTradingDay(cal, fund.last_nav_date) : '');
  const rec = form.record_date || ex;
  const pay = form.pay_date || (cal && ex ? nextTradingDay(cal, ex) : '');
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const declare = (e) => {
    e.preventDefault();
    act.run(async (stage) => {
      const r = await submit([{ type: 'fund/declare_dividend', value: { fund: fund.code, per_share: form.per_share, record_date: rec, ex_date: ex, pay_date: pay } }], { onStage: stage });
      load.refresh();
      return { ...r, ex };
    });
  };
  const rows = load.data ? [...load.data.items].reverse() : [];
  return html`<div>
    <h3>Dividends 分红</h3>
    ${isManager && html`<form class="card" id="dividend-form" onSubmit=${declare}>
      <h4>Declare a cash dividend</h4>
      <p class="hint">Per share in CNY (up to 4 decimals). The ex-date must be a trading day after the last final NAV (${fund.last_nav_date || '—'}); the holders of the record date are paid, in cash or reinvested at the ex-date's NAV as each holder chose, once that NAV is final.</p>
      <div class="row">
        <${Field} label="Per share (CNY)" id="div-per-share"><input id="div-per-share" required inputmode="decimal" pattern="\\d+(\\.\\d{1,4})?" value=${form.per_share} onInput=${set('per_share')} /><//>
        <${Field} label="Record date" id="div-record"><input id="div-record" required pattern="\\d{4}-\\d{2}-\\d{2}" size="11" value=${rec} onInput=${set('record_date')} /><//>
        <${Field} label="Ex-date" id="div-ex"><input id="div-ex" required pattern="\\d{4}-\\d{2}-\\d{2}" size="11" value=${ex} onInput=${set('ex_date')} /><//>
        <${Field} label="Pay date" id="div-pay"><input id="div-pay" required pattern="\\d{4}-\\d{2}-\\d{2}" size="11" value=${pay} onInput=${set('pay_date')} /><//>
        <button id="div-submit" type="submit" disabled=${!!act.stage}>Sign and declare</button>
      </div>
      <${Busy} stage=${act.stage} />
      <${ErrorBox} error=${act.error} onClose=${act.clear} />
      ${act.result && html`<div class="ok" role="status" id="div-result">Dividend with ex-date ${act.result.ex} declared (height ${group(act.result.height)}).</div>`}
    </form>`}
    <${Loading} load=${load}>
      <${Table} name=${'dividends-' + fund.code} rows=${rows} truncated=${load.data && load.data.truncated}
        columns=${[
          { key: 'ex_date', label: 'Ex-date' }, { key: 'record_date', label: 'Record date' }, { key: 'pay_date', label: 'Pay date' },
          { key: 'per_share', label: 'Per share (CNY)', num: true },
          { key: 'status', label: 'Status', render: (d) => html`<span class=${'pill ' + (d.status === 'paid' ? 'confirmed' : 'pending')}>${d.status}</span>` },
          { key: 'holders', label: 'Holders paid', num: true, text: (d) => (d.holders ? group(String(d.holders)) : '') },
          { key: 'cash', label: 'Cash (CNY)', num: true, text: (d) => amount(d.cash) },
          { key: 'reinvested', label: 'Reinvested (CNY)', num: true, text: (d) => amount(d.reinvested) },
          { key: 'new_shares', label: 'New shares', num: true, text: (d) => group(d.new_shares) },
        ]}
        empty="No dividend declared." />
    <//>
  </div>`;
}
