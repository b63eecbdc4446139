// The investor's console: holdings valued at the latest NAV, orders with
// the expected confirmation date, dividends. The investor number is the
// one the bank gave at account opening; the chain lets this identity read
// only its own.
import { html, useState, useEffect } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad, useAction, Busy, ErrorBox } from '../lib/ui.js';
import { amount, group, short, cents, fromCents } from '../lib/format.js';
import { query, submit, session, toBase64 } from '../lib/api.js';
import { call } from '../lib/signer.js';

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
    { key: 'id', label: 'Order', render: (o) => html`<a href=${'#/explorer/order/' + encodeURIComponent(o.id)} title="The order's lifecycle">${o.id}</a>` },
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
    ${inv && html`<${RiskDisclosures} id=${inv} tick=${tick} />`}
  </section>`;
}

const isText = (f) => /^text\//.test(f.type) || /\.(txt|md)$/i.test(f.name);

// RiskDisclosures lists the risk disclosures (风险揭示书) the investor
// acknowledged and lets the investor's own identity read and sign one: the
// document is opened in this browser, its SHA-256 is computed by the signer
// and recorded on the chain with the investor's signature.
export function RiskDisclosures({ id, tick }) {
  const load = useLoad(() => Promise.all([query('fund', 'investors/' + encodeURIComponent(id) + '/risk-acks'), query('fund', 'funds')]), [id, tick]);
  const [acks, funds] = load.data || [];
  const mine = session.identity.role === 'investor';
  const [fund, setFund] = useState('');
  const [doc, setDoc] = useState(null); // {name, size, hash, text, url}
  const [read, setRead] = useState(false);
  const hashing = useAction();
  const act = useAction();
  useEffect(() => () => doc && URL.revokeObjectURL(doc.url), [doc]);
  const open = (file) => {
    setRead(false);
    setDoc(null);
    if (!file) return;
    hashing.run(async (stage) => {
      stage('computing the document\'s SHA-256');
      const bytes = new Uint8Array(await file.arrayBuffer());
      const h = await call('hash', { algorithm: 'sha256', data: toBase64(bytes) });
      const d = { name: file.name, size: file.size, hash: h.hash || h, text: isText(file) ? await file.text() : '', url: URL.createObjectURL(file) };
      setDoc(d);
      return d;
    });
  };
  const sign = (e) => {
    e.preventDefault();
    act.run(async (stage) => {
      const r = await submit([{ type: 'fund/acknowledge_risk', value: { investor: id, fund, disclosure_hash: doc.hash } }], { onStage: stage });
      load.refresh();
      return { ...r, fund };
    });
  };
  const f = (funds || []).find((x) => x.code === fund);
  return html`<div>
    <h3>Risk disclosures 风险揭示书</h3>
    <${Loading} load=${load}>
      ${acks && html`<${Table} name=${'risk-acks-' + id} rows=${acks} columns=${[
        { key: 'fund', label: 'Fund' },
        { key: 'disclosure_hash', label: 'Document SHA-256', render: (a) => html`<code title=${a.disclosure_hash}>${short(a.disclosure_hash, 16)}</code>` },
        { key: 'signed_by', label: 'Signed by', text: (a) => (a.signed_by === session.identity.id ? 'you' : a.signed_by), render: (a) => html`<span title=${a.signed_by}>${a.signed_by === session.identity.id ? 'you' : short(a.signed_by, 12)}${a.investor_sig ? ' (relayed by the channel)' : ''}</span>` },
        { key: 'height', label: 'Height', num: true, text: (a) => group(a.height) },
      ]} empty="No risk disclosure signed yet." />`}
    <//>
    ${mine && html`<form class="card" id="risk-form" onSubmit=${sign}>
      <h4>Read and sign a fund's risk disclosure</h4>
      <p class="hint">Open the risk disclosure document your bank gave you for the fund. Read it; the chain records its SHA-256 with your signature. A fund riskier than your assessed level needs it before you may buy.</p>
      <div class="row">
        <${Field} label="Fund" id="risk-fund"><select id="risk-fund" required value=${fund} onChange=${(e) => setFund(e.target.value)}>
          <option value="">choose</option>
          ${(funds || []).map((x) => html`<option value=${x.code}>${x.code} ${x.name} (risk ${x.risk})</option>`)}
        </select><//>
        <${Field} label="Risk disclosure document" id="risk-doc"><input id="risk-doc" type="file" required onChange=${(e) => open(e.target.files[0])} /><//>
      </div>
      <${Busy} stage=${hashing.stage} />
      <${ErrorBox} error=${hashing.error} onClose=${hashing.clear} />
      ${doc && html`<div>
        <p>${doc.name}, ${group(doc.size)} bytes, SHA-256 <code id="risk-hash">${doc.hash}</code> · <a href=${doc.url} target="_blank" rel="noopener">open it to read</a></p>
        ${doc.text && html`<pre class="document" tabindex="0" aria-label="The risk disclosure">${doc.text}</pre>`}
        <label class="check"><input type="checkbox" id="risk-read" checked=${read} onChange=${(e) => setRead(e.target.checked)} /> I have read and understood the risk disclosure${f ? ` of ${f.code} ${f.name} (risk ${f.risk})` : ''}.</label>
      </div>`}
      <button type="submit" id="risk-sign" disabled=${!doc || !read || !fund || !!act.stage}>Sign the acknowledgement</button>
      <${Busy} stage=${act.stage} />
      <${ErrorBox} error=${act.error} onClose=${act.clear} />
      ${act.result && html`<div class="ok" role="status" id="risk-result">You signed the risk disclosure of ${act.result.fund} (height ${group(act.result.height)}).</div>`}
    </form>`}
  </div>`;
}

export function Statement({ id, tick }) {
  const load = useLoad(() => Promise.all([query('fund', 'investors/' + encodeURIComponent(id) + '/statement'), query('fund', 'calendar')]), [id, tick]);
  const [st, cal] = load.data || [];
  let total = 0n;
  if (st) for (const h of st.holdings) total += cents(h.value) || 0n;
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

