// Fund screens: the fund list (every role), a fund's page with its NAV
// history and, for its manager, NAV publication; the custodian's NAV
// review queue.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, ErrorBox, Busy, Field, Loading, useLoad, useAction } from '../lib/ui.js';
import { amount, group, navChange, short } from '../lib/format.js';
import { query, submit, statement, session } from '../lib/api.js';
import { nextTradingDay } from './investor.js';
import { Pending, Holders, Dividends } from './register.js';

const fundCols = [
  { key: 'code', label: 'Code', render: (f) => html`<a href=${'#/funds/' + f.code}>${f.code}</a>` },
  { key: 'name', label: 'Name' },
  { key: 'type', label: 'Type' },
  { key: 'risk', label: 'Risk' },
  { key: 'status', label: 'Status' },
  { key: 'manager', label: 'Manager' },
  { key: 'custodian', label: 'Custodian' },
  { key: 'last_nav_date', label: 'NAV date' },
  { key: 'last_nav', label: 'NAV', num: true },
];

const totalCols = [
  { key: 'shares', label: 'Shares outstanding', num: true, text: (f) => f.totals ? group(f.totals.shares) : '' },
  { key: 'holders', label: 'Holders', num: true, text: (f) => f.totals ? group(f.totals.holders) : '' },
  { key: 'pending', label: 'Pending orders', num: true, text: (f) => f.totals ? group(f.totals.pending_orders) : '' },
];

// Funds lists the funds; mine: those the organisation manages or keeps,
// with their register totals (shares outstanding, holders, orders waiting
// for confirmation).
export function Funds({ mine, tick }) {
  const org = session.identity.org;
  const load = useLoad(async () => {
    const all = await query('fund', 'funds');
    if (!mine) return all;
    const rows = all.filter((f) => f.manager === org || f.custodian === org);
    return Promise.all(rows.map(async (f) => ({ ...f, totals: await query('fund', 'funds/' + f.code + '/totals') })));
  }, [tick]);
  return html`<section>
    <h2>${mine ? (session.identity.role === 'custodian' ? 'Funds in custody' : 'Your funds') : 'Funds'}</h2>
    <${Loading} load=${load}>
      <${Table} name="funds" columns=${mine ? [...fundCols, ...totalCols] : fundCols} rows=${load.data}
        filters=${[{ key: 'status', label: 'Status', options: ['offering', 'open', 'closed', 'suspended', 'failed', 'terminated'] }]} />
    <//>
  </section>`;
}

const navCols = [
  { key: 'date', label: 'Date' },
  { key: 'nav', label: 'NAV', num: true },
  { key: 'change', label: 'Change', num: true },
  { key: 'status', label: 'Status', render: (n) => html`<span class=${'pill ' + n.status}>${n.status === 'final' ? 'final (co-signed)' : 'published, awaiting custodian'}</span>` },
  { key: 'publisher', label: 'Published by', text: (n) => n.publisher, render: (n) => html`<span title=${n.publisher}>${short(n.publisher)}</span>` },
  { key: 'published_at', label: 'Published at height', num: true, text: (n) => n.published_at ? group(n.published_at) : '' },
  { key: 'final_at', label: 'Final at height', num: true, text: (n) => n.final_at ? group(n.final_at) : '' },
  { key: 'custodian', label: 'Co-signed by', text: (n) => n.custodian || '', render: (n) => html`<span title=${n.custodian}>${short(n.custodian)}</span>` },
];

function withChange(items) {
  const out = [];
  let prev = null;
  for (const n of items) {
    out.push({ ...n, change: prev ? navChange(prev.nav, n.nav) : '' });
    if (n.status === 'final') prev = n;
  }
  return out.reverse(); // newest first
}

// NavChart draws the NAV history as an SVG line (newest on the right).
function NavChart({ items }) {
  const pts = items.filter((n) => n.status === 'final').slice(-120);
  if (pts.length < 2) return null;
  const vals = pts.map((n) => Number(n.nav)); // display only: the figures above stay exact
  const lo = Math.min(...vals), hi = Math.max(...vals), span = hi - lo || 1;
  const W = 640, H = 160, P = 28;
  const xy = vals.map((v, i) => [P + (i * (W - 2 * P)) / (vals.length - 1), H - P - ((v - lo) * (H - 2 * P)) / span]);
  return html`<figure class="chart"><svg viewBox=${`0 0 ${W} ${H}`} role="img" aria-label="NAV history">
    <polyline fill="none" stroke="currentColor" stroke-width="2" points=${xy.map((p) => p.join(',')).join(' ')} />
    <text x=${P} y=${H - 6} class="axis">${pts[0].date}</text>
    <text x=${W - P} y=${H - 6} text-anchor="end" class="axis">${pts[pts.length - 1].date}</text>
    <text x="2" y=${P - 8} class="axis">${hi.toFixed(4)}</text>
    <text x="2" y=${H - P + 14} class="axis">${lo.toFixed(4)}</text>
  </svg><figcaption>NAV, last ${pts.length} final values</figcaption></figure>`;
}

export function FundPage({ code, clock, tick }) {
  const fund = useLoad(() => query('fund', 'funds/' + code), [code, tick]);
  const navs = useLoad(() => query('fund', 'funds/' + code + '/navs', { limit: 100000 }), [code, tick]);
  const cal = useLoad(() => query('fund', 'calendar'), []); // read once, for the forms below
  const f = fund.data;
  const isManager = f && f.manager === session.identity.org && session.identity.role === 'fund_manager';
  const isCustodian = f && f.custodian === session.identity.org && session.identity.role === 'custodian';
  return html`<section>
    <p><a href="#/funds">← Funds</a></p>
    <${Loading} load=${fund}>
      ${f && html`<div>
        <h2>${f.code} ${f.name}</h2>
        <dl class="facts">
          <dt>Type</dt><dd>${f.type}, class ${f.share_class}</dd>
          <dt>Risk</dt><dd>${f.risk}</dd>
          <dt>Status</dt><dd>${f.status}</dd>
          <dt>Manager / custodian</dt><dd>${f.manager} / ${f.custodian}</dd>
          <dt>Resellers</dt><dd>${(f.resellers || []).join(', ')}</dd>
          <dt>Offering</dt><dd>${f.offering_start} to ${f.offering_end}</dd>
          <dt>Last NAV</dt><dd>${f.last_nav || '—'} ${f.last_nav_date ? '(' + f.last_nav_date + ')' : ''}</dd>
          <dt>Minimum first / additional purchase</dt><dd>${amount(f.terms.min_first)} / ${amount(f.terms.min_additional)} CNY</dd>
          <dt>Purchase fees</dt><dd>${(f.terms.purchase_fees || []).map((t) => t.fixed ? `fixed ${amount(t.fixed)} CNY` : `${t.rate} up to ${amount(t.up_to)}`).join('; ')}</dd>
        </dl>
        ${isManager && html`<${PublishNAV} fund=${f} cal=${cal.data} navs=${navs.data} onDone=${() => { navs.refresh(); fund.refresh(); }} />`}
        ${(isManager || isCustodian) && html`<${Pending} fund=${f} cal=${cal.data} tick=${tick} />`}
      </div>`}
    <//>
    <h3>NAV history</h3>
    <${Loading} load=${navs}>
      ${navs.data && html`<div>
        <${NavChart} items=${navs.data.items} />
        <${Table} name=${'nav-' + code} columns=${navCols} rows=${withChange(navs.data.items)} truncated=${navs.data.truncated}
          filters=${[{ key: 'status', label: 'Status', options: ['published', 'final'] }]} />
      </div>`}
    <//>
    ${f && html`<${Dividends} fund=${f} cal=${cal.data} isManager=${isManager} tick=${tick} />`}
    ${isManager && html`<${Holders} fund=${f} tick=${tick} />`}
  </section>`;
}

// nextNAVDate is the date a manager publishes next: the trading day after
// the last final NAV, or the one awaiting co-signature.
function nextNAVDate(cal, fund, navs) {
  const items = (navs && navs.items) || [];
  const pending = items.find((n) => n.status === 'published');
  if (pending) return pending.date;
  return nextTradingDay(cal, fund.last_nav_date) || '';
}

function PublishNAV({ fund, cal, navs, onDone }) {
  const [date, setDate] = useState('');
  const [nav, setNav] = useState(fund.last_nav || '');
  const suggested = cal ? nextNAVDate(cal, fund, navs) : '';
  const shownDate = date || suggested;
  const act = useAction();
  const go = (e) => {
    e.preventDefault();
    act.run(async (stage) => {
      stage('signing the NAV statement in your browser');
      const st = await statement({ kind: 'nav', fund: fund.code, date: shownDate, nav });
      const r = await submit([{ type: 'fund/publish_nav', value: { fund: fund.code, date: shownDate, nav: st.nav, signature: st.signature } }], { onStage: stage });
      onDone();
      return { ...r, nav: st.nav, date: shownDate };
    });
  };
  return html`<form class="card" onSubmit=${go}>
    <h3>Publish a NAV</h3>
    <p class="hint">After the 15:00 China time cut-off of the NAV date (a trading day). The custodian co-signs it; then that trade date's orders are confirmed. The date offered is the fund's next NAV date.</p>
    <div class="row">
      <${Field} label="NAV date" id="nav-date"><input id="nav-date" placeholder="YYYY-MM-DD" pattern="\\d{4}-\\d{2}-\\d{2}" inputmode="numeric" size="11" required value=${shownDate} onInput=${(e) => setDate(e.target.value)} /><//>
      <${Field} label="NAV per share (4 decimals)" id="nav-value"><input id="nav-value" inputmode="decimal" required pattern="\\d+(\\.\\d{1,4})?" value=${nav} onInput=${(e) => setNav(e.target.value)} /><//>
      <button id="publish-nav" type="submit" disabled=${!!act.stage}>Sign and publish</button>
    </div>
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
    ${act.result && html`<div class="ok" role="status">Published NAV ${act.result.nav} for ${act.result.date} at height ${group(act.result.height)} (tx <a href=${'#/explorer/' + act.result.hash}>${short(act.result.hash)}</a>).</div>`}
  </form>`;
}

// NavReview is the custodian's queue: NAVs its funds' managers published
// that it has not co-signed, beside the previous final NAV.
export function NavReview({ tick }) {
  const org = session.identity.org;
  const load = useLoad(async () => {
    const funds = (await query('fund', 'funds')).filter((f) => f.custodian === org);
    const rows = [];
    for (const f of funds) {
      const navs = await query('fund', 'funds/' + f.code + '/navs', { limit: 100000 });
      let prev = null;
      for (const n of navs.items) {
        if (n.status === 'published') rows.push({ ...n, name: f.name, manager: f.manager, prev: prev ? prev.nav : '', prev_date: prev ? prev.date : '', change: prev ? navChange(prev.nav, n.nav) : '' });
        if (n.status === 'final') prev = n;
      }
    }
    return rows;
  }, [tick]);
  const act = useAction();
  const cosign = (n) => act.run(async (stage) => {
    stage('signing the NAV statement in your browser');
    const st = await statement({ kind: 'nav', fund: n.fund, date: n.date, nav: n.nav });
    const r = await submit([{ type: 'fund/cosign_nav', value: { fund: n.fund, date: n.date, nav: st.nav, signature: st.signature } }], { onStage: stage });
    load.refresh();
    return { ...r, what: `${n.fund} ${n.date} NAV ${n.nav}` };
  });
  const cols = [
    { key: 'fund', label: 'Fund' },
    { key: 'name', label: 'Name' },
    { key: 'date', label: 'NAV date' },
    { key: 'nav', label: 'Manager\'s NAV', num: true },
    { key: 'prev', label: 'Previous final NAV', num: true, text: (n) => n.prev ? `${n.prev} (${n.prev_date})` : '—' },
    { key: 'change', label: 'Change', num: true },
    { key: 'manager', label: 'Manager' },
    { key: 'act', label: '', text: () => '', render: (n) => html`<button class="cosign" data-fund=${n.fund} data-date=${n.date} disabled=${!!act.stage} onClick=${() => cosign(n)}>Co-sign</button>` },
  ];
  return html`<section>
    <h2>NAV review</h2>
    <p class="hint">Check each figure against your own valuation before you co-sign: your signature makes the NAV final and starts the confirmations of its trade date. A wrong figure is not co-signed; the manager publishes a corrected one.</p>
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
    ${act.result && html`<div class="ok" role="status">Co-signed ${act.result.what} at height ${group(act.result.height)}.</div>`}
    <${Loading} load=${load}>
      <${Table} name="nav-review" columns=${cols} rows=${load.data} empty="No NAV waits for your co-signature." />
    <//>
  </section>`;
}
