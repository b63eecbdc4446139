// The regulator's overview (监管概览): daily order volume per fund and per
// reseller (supervision/report, one period per day), alerts per rule, the
// NAV moves of every fund, and the sandbox entries against their caps.
// Amounts are decimal strings; only the bars' heights use floats.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad } from '../lib/ui.js';
import { amount, chinaDate, group, navChange } from '../lib/format.js';
import { query } from '../lib/api.js';

const palette = ['#0b5cad', '#1b7a3d', '#9a6200', '#7b3fa0', '#b3261e', '#2b8a99', '#5b6675', '#c2185b'];

function daysBack(end, n) {
  const out = [];
  const d = new Date(end + 'T00:00:00Z');
  for (let i = n - 1; i >= 0; i--) out.push(new Date(d.getTime() - i * 86400000).toISOString().slice(0, 10));
  return out;
}

const num = (s) => Number(s || 0); // display only

// StackedBars draws, per day, one bar stacked by key (a fund or a channel).
function StackedBars({ id, days, series, label }) {
  const keys = Object.keys(series);
  const totals = days.map((_, i) => keys.reduce((a, k) => a + num(series[k][i]), 0));
  const max = Math.max(1, ...totals);
  const W = 720, H = 220, P = 40, bw = (W - P - 10) / days.length;
  return html`<figure class="chart" id=${id}>
    <svg viewBox=${`0 0 ${W} ${H + 30}`} role="img" aria-label=${label}>
      <text x="2" y="12" class="axis">${group(String(Math.round(max)))} CNY</text>
      ${days.map((d, i) => {
        let y = H;
        return html`<g>
          ${keys.map((k, j) => {
            const h = (num(series[k][i]) / max) * (H - 20);
            y -= h;
            return h > 0 ? html`<rect x=${P + i * bw + 2} y=${y} width=${bw - 4} height=${h} fill=${palette[j % palette.length]}><title>${k} ${d}: ${amount(series[k][i])} CNY</title></rect>` : '';
          })}
          <text x=${P + i * bw + bw / 2} y=${H + 14} text-anchor="middle" class="axis">${d.slice(5)}</text>
        </g>`;
      })}
    </svg>
    <figcaption>${label}. ${keys.map((k, j) => html`<span class="legend"><span class="swatch" style=${'background:' + palette[j % palette.length]}></span>${k}</span>`)}</figcaption>
  </figure>`;
}

export function Overview({ clock, tick }) {
  const today = clock ? chinaDate(clock.business_time) : '';
  const [n, setN] = useState(10);
  const load = useLoad(async () => {
    if (!today) return new Promise(() => {});
    const days = daysBack(today, n);
    const [reports, period, funds, sandbox] = await Promise.all([
      Promise.all(days.map((d) => query('supervision', 'report', { from: d, to: d }))),
      query('supervision', 'report', { from: days[0], to: today }),
      query('fund', 'funds'),
      query('supervision', 'sandbox'),
    ]);
    const navs = await Promise.all(funds.map((f) => query('fund', `funds/${f.code}/navs`, { limit: 1000 })));
    return { days, reports, period, funds, navs, sandbox };
  }, [today, n, tick]);
  const d = load.data;
  const series = (field) => {
    const out = {};
    if (!d) return out;
    d.reports.forEach((r, i) => {
      for (const v of r[field] || []) {
        if (v.kind === 'redeem') continue; // money in: subscriptions and purchases
        out[v.key] = out[v.key] || d.days.map(() => '0');
        out[v.key][i] = String(num(out[v.key][i]) + num(v.amount));
      }
    });
    return out;
  };
  const moves = d ? d.funds.map((f, i) => {
    const fin = d.navs[i].items.filter((x) => x.status === 'final');
    const a = fin[fin.length - 2], b = fin[fin.length - 1];
    return { fund: f.code, name: f.name, date: b ? b.date : '', nav: b ? b.nav : '', prev: a ? a.nav : '', change: a && b ? navChange(a.nav, b.nav) : '' };
  }) : [];
  return html`<section>
    <h2>Overview 监管概览</h2>
    <div class="row"><${Field} label="Days" id="overview-days"><select id="overview-days" value=${n} onChange=${(e) => setN(Number(e.target.value))}>
      ${[5, 10, 20, 30].map((x) => html`<option value=${x}>${x} days to ${today}</option>`)}
    </select><//></div>
    <${Loading} load=${load}>
      ${d && html`<div>
        <h3>Daily order volume (subscriptions and purchases, CNY)</h3>
        <div class="charts">
          <${StackedBars} id="chart-by-fund" days=${d.days} series=${series('volumes_by_fund')} label="By fund" />
          <${StackedBars} id="chart-by-channel" days=${d.days} series=${series('volumes_by_channel')} label="By reseller (or a manager's direct sales)" />
        </div>
        <${Table} name=${`volumes-${d.days[0]}-${today}`} rows=${[...(d.period.volumes_by_channel || []).map((v) => ({ ...v, by: 'channel' })), ...(d.period.volumes_by_fund || []).map((v) => ({ ...v, by: 'fund' }))]}
          columns=${[{ key: 'by', label: 'By' }, { key: 'key', label: 'Fund or channel' }, { key: 'kind', label: 'Kind' },
            { key: 'orders', label: 'Orders', num: true, text: (v) => group(String(v.orders)) },
            { key: 'amount', label: 'Amount (CNY)', num: true, text: (v) => amount(v.amount) },
            { key: 'shares', label: 'Shares', num: true, text: (v) => group(v.shares) }]}
          filters=${[{ key: 'by', label: 'By', options: ['fund', 'channel'] }, { key: 'kind', label: 'Kind', options: ['subscribe', 'purchase', 'redeem'] }]}
          empty="No accepted order in the period." />
        <h3>Alerts per rule (${d.days[0]} to ${today})</h3>
        <${Table} name="alerts-by-rule" rows=${d.period.alerts_by_rule || []} pageSize=${20}
          columns=${[{ key: 'rule', label: 'Rule' }, { key: 'action', label: 'Action' }, { key: 'status', label: 'Status' },
            { key: 'count', label: 'Alerts', num: true, render: (a) => html`<span class="bar" style=${`width:${Math.min(200, a.count * 20)}px`}></span> ${group(String(a.count))}`, text: (a) => String(a.count) }]}
          empty="No alert in the period." />
        <h3>NAV moves</h3>
        <${Table} name="nav-moves" rows=${moves} pageSize=${50}
          columns=${[{ key: 'fund', label: 'Fund' }, { key: 'name', label: 'Name' }, { key: 'date', label: 'Last final NAV date' },
            { key: 'prev', label: 'Previous', num: true }, { key: 'nav', label: 'Last', num: true },
            { key: 'change', label: 'Change', num: true, render: (m) => html`<span class=${m.change.startsWith('-') ? 'down' : 'up'}>${m.change}</span>` }]} />
        <h3>Sandbox 监管沙盒</h3>
        <${Table} name="sandbox" rows=${d.sandbox || []} pageSize=${20}
          columns=${[{ key: 'id', label: 'Entry' }, { key: 'kind', label: 'Kind', text: (s) => (s.kind === 'fund' ? 'fund ' + s.fund : 'organisation ' + s.org) },
            { key: 'status', label: 'Status', text: (s) => s.status + (s.expired ? ' (past its end date)' : '') },
            { key: 'end_date', label: 'Ends' },
            { key: 'investors', label: 'Investors / cap', num: true, text: (s) => `${group(String(s.activity.investors))} / ${group(String(s.max_investors))}` },
            { key: 'subscribed', label: 'Subscribed / cap (CNY)', num: true, text: (s) => `${amount(s.activity.subscribed)} / ${amount(s.max_subscription)}` },
            { key: 'use', label: 'Cap used', num: true, text: (s) => (num(s.max_subscription) ? Math.round((num(s.activity.subscribed) * 100) / num(s.max_subscription)) + '%' : '') },
            { key: 'refusals', label: 'Refused orders', num: true, text: (s) => group(String(s.activity.refusals)) }]}
          empty="No sandbox entry: admit one with otc supervise sandbox admit." />
      </div>`}
    <//>
  </section>`;
}
