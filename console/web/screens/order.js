// Order entry at the reseller's desk: the order is priced by the fund
// module's own code (the signer's quote) before anyone signs: fee, trade
// date, confirmation date and the estimate at the last NAV. The investor
// can sign the order at the counter with their own key files (opened for
// this one signature and forgotten right after); then the desk signs and
// submits.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { ErrorBox, Busy, Field, useLoad, useAction, Loading } from '../lib/ui.js';
import { amount, group } from '../lib/format.js';
import { query, submit, session } from '../lib/api.js';
import { call } from '../lib/signer.js';
import { withKeyFiles } from '../lib/keys.js';

const types = { 'fund/purchase': 'Purchase 申购', 'fund/redeem': 'Redemption 赎回', 'fund/subscribe': 'Subscription 认购' };

export function appNo() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `C${String(d.getFullYear()).slice(2)}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export function OrderEntry({ clock }) {
  const org = session.identity.org;
  const funds = useLoad(async () => (await query('fund', 'funds')).filter((f) => (f.resellers || []).includes(org) || f.manager === org), []);
  const [form, setForm] = useState({ investor: '', fund: '', type: 'fund/purchase', qty: '', app_no: appNo() });
  const [quote, setQuote] = useState(null);
  const [invSig, setInvSig] = useState(null); // {signature, name, quantity}
  const review = useAction();
  const sign = useAction();
  const send = useAction();
  const set = (k) => (e) => { setForm({ ...form, [k]: e.target.value }); setQuote(null); setInvSig(null); };
  const fund = (funds.data || []).find((f) => f.code === form.fund);
  const byAmount = form.type !== 'fund/redeem';

  const doReview = (e) => {
    e.preventDefault();
    review.run(async (stage) => {
      stage('pricing the order');
      const [f, cal] = await Promise.all([query('fund', 'funds/' + form.fund), query('fund', 'calendar')]);
      let lots = [];
      if (!byAmount) {
        const hs = await query('fund', 'investors/' + encodeURIComponent(form.investor) + '/holdings');
        const h = (hs || []).find((x) => x.fund === form.fund);
        if (!h) throw { code: 'no_holding', message: `investor ${form.investor} holds no shares of fund ${form.fund}` };
        lots = h.lots || [];
      }
      const q = await call('quote', { type: form.type, fund: f, calendar: cal, business_time: clock.business_time, amount: byAmount ? form.qty : '', shares: byAmount ? '' : form.qty, lots });
      setQuote({ ...q, fund: f });
      return q;
    });
  };

  const investorSigns = (files, pass) => sign.run(async (stage) => {
    const r = await signAsInvestor(files, pass, stage, { channel: org, type: form.type, app_no: form.app_no, investor: form.investor, fund: form.fund, quantity: form.qty });
    setInvSig(r);
    return r;
  });

  const doSend = () => send.run(async (stage) => {
    const value = { app_no: form.app_no, investor: form.investor, fund: form.fund };
    if (byAmount) value.amount = invSig ? invSig.quantity : form.qty;
    else value.shares = invSig ? invSig.quantity : form.qty;
    if (invSig) value.investor_sig = invSig.signature;
    const r = await submit([{ type: form.type, value }], { onStage: stage });
    const out = (r.data && r.data.msgs && r.data.msgs[0] && r.data.msgs[0].data) || {};
    setForm({ ...form, app_no: appNo(), qty: '' });
    setQuote(null);
    setInvSig(null);
    return { ...r, order: out.order, status: out.status, trade_date: out.trade_date };
  });

  const needSig = quote && quote.fund.terms.require_investor_sig;
  return html`<section>
    <h2>New order</h2>
    <${Loading} load=${funds}>
      <form class="card" onSubmit=${doReview}>
        <div class="row">
          <${Field} label="Investor number" id="order-investor"><input id="order-investor" required value=${form.investor} onInput=${set('investor')} /><//>
          <${Field} label="Fund" id="order-fund"><select id="order-fund" required value=${form.fund} onChange=${set('fund')}>
            <option value="">choose</option>
            ${(funds.data || []).map((f) => html`<option value=${f.code}>${f.code} ${f.name} (${f.status})</option>`)}
          </select><//>
          <${Field} label="Type" id="order-type"><select id="order-type" value=${form.type} onChange=${set('type')}>
            ${Object.entries(types).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
          </select><//>
          <${Field} label=${byAmount ? 'Amount (CNY)' : 'Shares'} id="order-qty"><input id="order-qty" required inputmode="decimal" pattern="\\d+(\\.\\d{1,2})?" value=${form.qty} onInput=${set('qty')} /><//>
          <${Field} label="Application no." id="order-appno"><input id="order-appno" required value=${form.app_no} onInput=${set('app_no')} /><//>
          <button id="order-review" type="submit" disabled=${!!review.stage}>Review</button>
        </div>
        ${fund && html`<p class="hint">${fund.name}: minimum first purchase ${amount(fund.terms.min_first)} CNY, additional ${amount(fund.terms.min_additional)} CNY, risk ${fund.risk}.</p>`}
        <${Busy} stage=${review.stage} />
        <${ErrorBox} error=${review.error} onClose=${review.clear} />
      </form>
    <//>
    ${quote && html`<div class="card" id="order-quote">
      <h3>${types[form.type]} of ${form.fund} for ${form.investor}</h3>
      <dl class="facts">
        ${quote.trade_date ? html`<dt>Trade date</dt><dd id="quote-trade-date">${quote.trade_date}</dd>
          <dt>Confirmation date</dt><dd id="quote-confirmation-date">${quote.confirmation_date} (T+1)</dd>` : html`<dt>Confirmation</dt><dd>when the offering closes (${quote.fund.offering_end})</dd>`}
        <dt>${byAmount ? 'Amount paid' : 'Proceeds before fee'}</dt><dd>${amount(quote.amount)} CNY</dd>
        <dt>Fee</dt><dd id="quote-fee">${amount(quote.fee)} CNY ${quote.fixed ? '(fixed)' : (quote.lots || []).length > 1 && quote.rate === '0.00%' ? '(by holding period, per lot below)' : '(' + quote.rate + ')'}</dd>
        ${(quote.lots || []).length > 0 && html`<dt>Lots redeemed (first in, first out)</dt><dd>${quote.lots.map((l) => html`<div>${group(l.shares)} shares held since ${l.since} (${group(String(l.days))} days): fee ${l.rate} = ${amount(l.fee)} CNY</div>`)}</dd>`}
        <dt>${byAmount ? 'Invested' : 'Paid out'}</dt><dd>${amount(quote.net)} CNY</dd>
        <dt>${byAmount ? 'Shares' : 'Shares redeemed'}</dt><dd>${group(quote.shares)}${quote.estimate ? ` (estimate at the NAV ${quote.nav} of ${quote.nav_date}; the trade date's NAV decides)` : ''}</dd>
      </dl>
      <${InvestorSignature} need=${needSig} sig=${invSig} action=${sign} onSign=${investorSigns} />
      <button id="order-submit" disabled=${!!send.stage || (needSig && !invSig)} onClick=${doSend}>Sign and submit</button>
    </div>`}
    <${Busy} stage=${send.stage} />
    <${ErrorBox} error=${send.error} onClose=${send.clear} />
    ${send.result && html`<div class="ok" role="status" id="order-result">Order ${send.result.order} is ${send.result.status}${send.result.trade_date ? ', trade date ' + send.result.trade_date : ''} (height ${group(send.result.height)}).</div>`}
  </section>`;
}

// signAsInvestor opens the investor's own key files in this browser, signs
// the order statement req (fund.OrderStatement: channel, type, app_no,
// investor, fund, quantity) and forgets the key at once.
export async function signAsInvestor(files, pass, stage, req) {
  stage('opening the investor\'s key in this browser');
  return withKeyFiles(files, pass, 'the investor', async (id) => {
    if (id.role !== 'investor') throw { code: 'not_an_investor', message: `${id.name} is a ${id.role}, not an investor` };
    stage('the investor signs');
    const st = await call('signStatement', { handle: id.handle, chain_id: session.chainId, kind: 'order', ...req });
    return { signature: st.signature, quantity: st.quantity, name: id.name, id: id.id };
  });
}

export function InvestorSignature({ need, sig, action, onSign }) {
  const [files, setFiles] = useState([]);
  const [pass, setPass] = useState('');
  if (sig) return html`<div class="ok" id="investor-signed">Signed by the investor: ${sig.name}.</div>`;
  return html`<fieldset class="sig">
    <legend>The investor's signature ${need ? '(this fund requires it)' : '(optional)'}</legend>
    <p class="hint">The investor opens their own key files here and signs; the key is forgotten right after.</p>
    <div class="row">
      <${Field} label="Investor's key files" id="inv-files"><input id="inv-files" type="file" multiple accept=".key,.crt" onChange=${(e) => setFiles(e.target.files)} /><//>
      <${Field} label="Investor's passphrase" id="inv-pass"><input id="inv-pass" type="password" autocomplete="off" value=${pass} onInput=${(e) => setPass(e.target.value)} /><//>
      <button type="button" class="secondary" id="investor-sign" disabled=${!!action.stage} onClick=${() => { onSign(files, pass); setPass(''); }}>Investor signs</button>
    </div>
    <${Busy} stage=${action.stage} />
    <${ErrorBox} error=${action.error} onClose=${action.clear} />
  </fieldset>`;
}
