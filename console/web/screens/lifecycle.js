// An order's whole cross-organisation lifecycle: the order as the channel
// sent it, the manager's NAV of its trade date, the custodian's
// co-signature, the chain's confirmation, and (where it happened) its
// cancellation — each hop with its signer, organisation, transaction,
// block time and the receipt that proves it offline. What an identity may
// not read (the order, or the tx) the API refuses and the page says so.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Loading, useLoad, ErrorBox } from '../lib/ui.js';
import { amount, chinaTime, group, short } from '../lib/format.js';
import { get, query, download as downloadPDF } from '../lib/api.js';
import { entryAt } from '../lib/events.js';
import { businessNames } from './investor.js';

const roleNames = { reseller: 'reseller', fund_manager: 'fund manager', custodian: 'custodian', regulator: 'regulator', investor: 'investor', admin: 'admin', seal: 'seal' };

async function who(id) {
  if (!id) return null;
  try {
    return await get('/v1/identities/' + encodeURIComponent(id));
  } catch (e) {
    return { id, name: short(id), org: '', role: '' };
  }
}

// txHop finds the tx of an event at a height and who signed it.
async function txHop(height, filter) {
  const e = await entryAt(height, filter);
  if (!e || e.type !== 'tx') return { height, missing: true };
  let signer = null, algorithm = '';
  try {
    const t = await get('/v1/txs/' + e.data.hash);
    signer = await who(t.signer);
    algorithm = t.algorithm;
  } catch (err) {
    // the tx itself is not readable for this identity: the hop still shows its height and time
  }
  return { height, hash: e.data.hash, time: e.data.time, signer, algorithm };
}

async function lifecycle(id) {
  const o = await query('fund', 'orders/' + encodeURIComponent(id));
  const f = await query('fund', 'funds/' + o.fund);
  const hops = [];
  const biz = businessNames[o.business] || o.business;
  const order = await txHop(o.height, { type: 'order_received', order: o.id });
  hops.push({ key: 'order', title: `${biz[0].toUpperCase() + biz.slice(1)} received`, what: `${o.amount ? amount(o.amount) + ' CNY' : group(o.shares) + ' shares'} of ${o.fund} for investor ${o.investor}, trade date ${o.trade_date || '(offering)'}${o.investor_signed ? '; signed by the investor too' : ''}`, ...order, receipt: order.hash && '/v1/receipts/' + order.hash, pdf: order.hash && `/v1/receipts/${order.hash}/certificate.pdf` });
  if (o.status === 'cancelled') {
    hops.push({ key: 'cancel', title: 'Cancelled', what: `by the cancellation ${o.cancelled_by} (撤单)`, note: 'The cancellation is its own order of the channel: look it up by its id.' });
    return { o, f, hops };
  }
  const navDate = o.trade_date; // a subscription has none: it is confirmed at par when the offering closes
  if (navDate) {
    const navs = await query('fund', `funds/${o.fund}/navs`, { limit: 100000 });
    const n = navs.items.find((x) => x.date === navDate);
    if (n) {
      const pub = await txHop(n.published_at, { type: 'nav_published', fund: o.fund, date: navDate });
      hops.push({ key: 'nav', title: 'NAV published', what: `NAV ${n.nav} of ${navDate} by the manager ${f.manager}${(n.corrections || []).length ? ` (corrected ${n.corrections.length}×)` : ''}`, ...pub, receipt: pub.hash && '/v1/receipts/' + pub.hash, pdf: pub.hash && `/v1/receipts/${pub.hash}/certificate.pdf` });
      if (n.final_at) {
        const fin = await txHop(n.final_at, { type: 'nav_final', fund: o.fund, date: navDate });
        hops.push({ key: 'cosign', title: 'NAV co-signed', what: `by the custodian ${f.custodian}: the NAV is final`, ...fin, receipt: fin.hash && '/v1/receipts/' + fin.hash, pdf: fin.hash && `/v1/receipts/${fin.hash}/certificate.pdf` });
      } else {
        hops.push({ key: 'cosign', title: 'NAV co-signature', waiting: `waiting for the custodian ${f.custodian}` });
      }
    } else {
      hops.push({ key: 'nav', title: 'NAV', waiting: `the manager ${f.manager} has not published the NAV of ${navDate} yet (after that day's 15:00 China time cut-off)` });
    }
  }
  const c = o.confirmation;
  if (c) {
    const e = await entryAt(c.height, { type: 'order_confirmed', order: o.id });
    const ok = c.return_code === '0000';
    hops.push({
      key: 'confirm', title: ok ? 'Confirmed' : 'Failed', height: c.height, time: e && e.data.time, byChain: true,
      what: ok ? `${c.shares ? group(c.shares) + ' shares' : ''}${c.amount ? ', ' + amount(c.amount) + ' CNY' : ''}${c.fee ? ', fee ' + amount(c.fee) + ' CNY' : ''}${c.nav ? ' at NAV ' + c.nav : ''}; confirmation date ${c.date}`
        : `${c.reason || c.return_code}${c.refund ? '; ' + amount(c.refund) + ' CNY returned' : ''}`,
      receipt: '/v1/outcomes/fund/confirmation/' + encodeURIComponent(o.id),
      pdf: '/v1/outcome-certificates/fund/confirmation/' + encodeURIComponent(o.id),
    });
    hops.push({ key: 'settle', title: 'Settlement', note: `Money moves outside the chain, between the channel ${o.channel}, the manager ${f.manager} and the custodian ${f.custodian}, on the confirmed figures${c.net ? ' (net ' + amount(c.net) + ' CNY)' : ''}; the confirmation above is what each side settles against.` });
  } else {
    hops.push({ key: 'confirm', title: 'Confirmation', waiting: 'the chain confirms the order by itself once the trade date\'s NAV is final' });
  }
  return { o, f, hops };
}

async function download(path, name, setErr) {
  try {
    const r = await get(path);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([JSON.stringify(r, null, 2)], { type: 'application/json' }));
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  } catch (e) {
    setErr(e);
  }
}

export function Lifecycle({ id }) {
  const load = useLoad(() => lifecycle(id), [id]);
  const d = load.data;
  const [err, setErr] = useState(null);
  return html`<${Loading} load=${load}>
    ${d && html`<div class="card" id="lifecycle">
      <h3>Order ${d.o.id}: ${d.o.status}</h3>
      <ol class="lifecycle">
        ${d.hops.map((h) => html`<li class=${'hop ' + (h.waiting ? 'waiting' : h.missing ? 'missing' : 'done')} data-hop=${h.key}>
          <div class="hop-title">${h.title}</div>
          ${h.what && html`<div>${h.what}</div>`}
          ${h.waiting && html`<div class="muted">${h.waiting}</div>`}
          ${h.note && html`<div class="hint">${h.note}</div>`}
          ${h.height && html`<div class="muted">
            ${h.byChain ? 'by the chain itself (end of block)' : h.signer ? html`signed by <strong>${h.signer.name}</strong> (${roleNames[h.signer.role] || h.signer.role} of ${h.signer.org}, ${h.algorithm})` : h.missing ? 'the transaction is not visible to you' : ''}
            ${' · block '}${group(String(h.height))}${h.time ? ' · block time ' + chinaTime(h.time) : ''}
            ${h.hash && html` · tx <a href=${'#/explorer/' + h.hash}><code>${short(h.hash, 12)}</code></a>`}
          </div>`}
          ${h.receipt && html`<button class="secondary receipt" onClick=${() => download(h.receipt, `receipt-${d.o.id.replace(':', '-')}-${h.key}.json`, setErr)}>Receipt</button>`}
          ${h.pdf && html` <button class="secondary receipt certificate" data-hop=${h.key} onClick=${() => downloadPDF(h.pdf, `certificate-${d.o.id.replace(':', '-')}-${h.key}.pdf`).catch(setErr)}>Certificate (PDF)</button>`}
        </li>`)}
      </ol>
      <p class="hint">Each receipt proves its hop offline against the chain's genesis: <code>otc verify receipt.json --genesis genesis.json</code>, or the <a href="/verify/">verify page</a>.</p>
      <${ErrorBox} error=${err} onClose=${() => setErr(null)} />
    </div>`}
  <//>`;
}
