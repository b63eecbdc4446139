// KYC at the reseller's desk (开户): an investor is registered with their
// personal data sealed in this browser by the signer (fund.CheckPersonal,
// then fund.SealPersonal for the channel's own encryption key, every
// regulator officer's and the investor's identity when given, chosen by
// fund.RegistrationRecipients as the CLI does), and TA accounts are opened
// with the fund managers the channel sells for, in the same transaction.
// The personal data never leaves the page unsealed and is cleared from
// the form once the chain has it.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad, useAction, Busy, ErrorBox } from '../lib/ui.js';
import { chinaDate, group } from '../lib/format.js';
import { query, submit, get, session } from '../lib/api.js';
import { call } from '../lib/signer.js';
import { regulatorKeys } from '../lib/keys.js';

const investorTypes = { individual: 'Individual 个人', institution: 'Institution 机构', professional: 'Professional investor 专业投资者' };
const riskNames = { C1: 'C1 conservative 保守型', C2: 'C2 cautious 谨慎型', C3: 'C3 balanced 稳健型', C4: 'C4 positive 积极型', C5: 'C5 aggressive 激进型' };
const noPersonal = { name: '', id_type: 'resident_id', id_number: '', phone: '', address: '' };

function addYears(date, n) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return '';
  const y = Number(date.slice(0, 4)) + n;
  let rest = date.slice(4);
  if (rest === '-02-29') rest = '-02-28';
  return y + rest;
}

// sellingManagers are the fund managers of the funds this channel may sell
// (or its own, for a manager's direct sales), with their names.
async function sellingManagers(org) {
  const [funds, orgs] = await Promise.all([query('fund', 'funds'), query('member', 'orgs')]);
  const ids = [...new Set((funds || []).filter((f) => (f.resellers || []).includes(org) || f.manager === org).map((f) => f.manager))].sort();
  return ids.map((id) => ({ id, name: ((orgs || []).find((o) => o.id === id) || {}).name || id }));
}

export function Kyc({ clock, tick }) {
  const org = session.identity.org;
  const today = clock ? chinaDate(clock.business_time) : '';
  const managers = useLoad(() => sellingManagers(org), [org]);
  const idTypes = useLoad(() => call('idTypes', {}), []);
  const [form, setForm] = useState({ id: '', type: 'individual', risk: 'C3', assessed: '', expires: '', identity: '', require_sig: false });
  const [personal, setPersonal] = useState(noPersonal);
  const [open, setOpen] = useState(null); // manager ids to open accounts with; null: all
  const reg = useAction();
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const setP = (k) => (e) => setPersonal({ ...personal, [k]: e.target.value });
  const assessed = form.assessed || today;
  const expires = form.expires || addYears(assessed, 1);
  const chosen = open || (managers.data || []).map((m) => m.id);
  const toggle = (id) => (e) => setOpen(e.target.checked ? [...new Set([...chosen, id])] : chosen.filter((x) => x !== id));
  const encKey = session.identity.enc_key;

  const register = (e) => {
    e.preventDefault();
    reg.run(async (stage) => {
      const investor = form.id.trim();
      const identity = form.identity.trim().toLowerCase();
      stage('reading the regulators\' encryption keys');
      const regulators = await regulatorKeys();
      let rec;
      if (identity) {
        stage('reading the investor\'s identity');
        rec = await get('/v1/identities/' + encodeURIComponent(identity));
      }
      stage('sealing the personal data in this browser');
      const sealed = await call('sealPersonal', { handle: session.identity.handle, investor, data: personal, regulators, ...(rec ? { identity: rec } : {}) });
      const value = {
        id: investor, type: form.type, risk: form.risk, risk_assessed: assessed, risk_expires: expires,
        personal: sealed.personal, commitment: sealed.commitment, commit_alg: sealed.commit_alg,
      };
      if (identity) value.identity = identity;
      if (form.require_sig) value.require_investor_sig = true;
      const msgs = [{ type: 'fund/register_investor', value }];
      for (const m of chosen) msgs.push({ type: 'fund/open_account', value: { investor, manager: m } });
      const r = await submit(msgs, { onStage: stage });
      const outs = ((r.data && r.data.msgs) || []).slice(1).map((x, i) => ({ manager: chosen[i], ...(x.data || {}) }));
      const names = new Map();
      for (const g of regulators) for (const k of g.keys || []) names.set(k.id, `${k.name} (${g.org.id})`);
      names.set(session.identity.id, `${session.identity.name} (you)`);
      if (rec) names.set(rec.id, `${rec.name} (the investor)`);
      setPersonal(noPersonal); // the chain has it sealed: nothing personal stays in the page
      setForm({ ...form, id: '', identity: '', require_sig: false });
      return { ...r, investor, accounts: outs, recipients: sealed.recipients.map((id) => names.get(id) || id) };
    });
  };

  return html`<section>
    <h2>KYC: register an investor 开户</h2>
    ${!encKey && html`<div class="error" role="alert"><strong>No encryption key</strong> <code>no_encryption_key</code>: registering personal data needs your encryption key.
      <div class="hint">Sign out and sign in again with NAME.enc chosen beside NAME.key and NAME.crt.</div></div>`}
    <${Loading} load=${managers}>
    <form class="card" id="kyc-form" onSubmit=${register}>
      <fieldset class="group">
        <legend>The investor on the chain (public to the channel, its fund managers and the regulator)</legend>
        <div class="row">
          <${Field} label="Investor number" id="kyc-id" hint="1 to 32 of A-Z a-z 0-9 - _; your channel's own numbering."><input id="kyc-id" required pattern="[A-Za-z0-9_\\-]{1,32}" value=${form.id} onInput=${set('id')} /><//>
          <${Field} label="Investor type" id="kyc-type"><select id="kyc-type" value=${form.type} onChange=${set('type')}>
            ${Object.entries(investorTypes).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
          </select><//>
          <${Field} label="Risk tolerance 风险承受能力" id="kyc-risk"><select id="kyc-risk" value=${form.risk} onChange=${set('risk')}>
            ${Object.entries(riskNames).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
          </select><//>
          <${Field} label="Assessed on" id="kyc-assessed"><input id="kyc-assessed" required placeholder="YYYY-MM-DD" pattern="\\d{4}-\\d{2}-\\d{2}" size="11" value=${assessed} onInput=${set('assessed')} /><//>
          <${Field} label="Assessment expires" id="kyc-expires"><input id="kyc-expires" required placeholder="YYYY-MM-DD" pattern="\\d{4}-\\d{2}-\\d{2}" size="11" value=${expires} onInput=${set('expires')} /><//>
        </div>
        <div class="row">
          <${Field} label="Investor's identity (optional)" id="kyc-identity" hint="The id of the investor's own certificate (64 hex digits, from otc keys show): the investor can then sign orders and read their data."><input id="kyc-identity" size="40" pattern="[0-9a-fA-F]{64}" value=${form.identity} onInput=${set('identity')} /><//>
          <label class="check"><input type="checkbox" id="kyc-require-sig" checked=${form.require_sig} disabled=${!form.identity} onChange=${set('require_sig')} /> Every order needs the investor's own signature</label>
        </div>
      </fieldset>
      <fieldset class="group">
        <legend>Personal data 个人信息 (sealed in this browser: only you, the regulator's officers${form.identity ? ' and the investor' : ''} can open it)</legend>
        <div class="row">
          <${Field} label="Name 姓名 / 名称" id="kyc-name"><input id="kyc-name" required autocomplete="off" value=${personal.name} onInput=${setP('name')} /><//>
          <${Field} label="Document type 证件类型" id="kyc-id-type"><select id="kyc-id-type" value=${personal.id_type} onChange=${setP('id_type')}>
            ${(idTypes.data || [{ type: 'resident_id', name: 'Resident identity card 居民身份证' }]).map((t) => html`<option value=${t.type}>${t.name}</option>`)}
          </select><//>
          <${Field} label="Document number 证件号码" id="kyc-id-number" hint=${personal.id_type === 'resident_id' ? '18 characters; the last is a check character (GB 11643).' : personal.id_type === 'business_licence' ? 'The 18-character unified social credit code (GB 32100).' : ''}><input id="kyc-id-number" required autocomplete="off" spellcheck="false" value=${personal.id_number} onInput=${setP('id_number')} /><//>
        </div>
        <div class="row">
          <${Field} label="Phone (optional)" id="kyc-phone"><input id="kyc-phone" autocomplete="off" inputmode="tel" value=${personal.phone} onInput=${setP('phone')} /><//>
          <${Field} label="Address (optional)" id="kyc-address"><input id="kyc-address" size="40" autocomplete="off" value=${personal.address} onInput=${setP('address')} /><//>
        </div>
      </fieldset>
      <fieldset class="group">
        <legend>TA accounts to open 基金账户 (one per fund manager)</legend>
        ${(managers.data || []).length === 0 ? html`<p class="hint">No fund authorises ${org} to sell it yet: register the investor now and open accounts later.</p>`
          : html`<div class="row">${managers.data.map((m) => html`<label class="check"><input type="checkbox" class="kyc-manager" data-manager=${m.id} checked=${chosen.includes(m.id)} onChange=${toggle(m.id)} /> ${m.name} (${m.id})</label>`)}</div>`}
      </fieldset>
      <button id="kyc-submit" type="submit" disabled=${!!reg.stage || !encKey}>Seal and register</button>
      <${Busy} stage=${reg.stage} />
      <${ErrorBox} error=${reg.error} onClose=${reg.clear} />
    </form>
    <//>
    ${reg.result && html`<div class="ok" role="status" id="kyc-result">
      Investor ${reg.result.investor} is registered (height ${group(reg.result.height)}). The personal data is sealed for ${reg.result.recipients.join(', ')}.
      ${reg.result.accounts.length ? html`<ul>${reg.result.accounts.map((a) => html`<li>TA account ${a.ta_account} with ${a.manager} (transaction account ${a.trans_account})</li>`)}</ul>` : ' No TA account opened.'}
    </div>`}
    <${OpenAccount} managers=${managers.data || []} />
    <${AccountsOpened} org=${org} today=${today} tick=${tick} />
  </section>`;
}

// OpenAccount opens a TA account for an investor already registered.
function OpenAccount({ managers }) {
  const [investor, setInvestor] = useState('');
  const [manager, setManager] = useState('');
  const act = useAction();
  const go = (e) => {
    e.preventDefault();
    act.run(async (stage) => {
      const m = manager || (managers[0] || {}).id;
      const r = await submit([{ type: 'fund/open_account', value: { investor: investor.trim(), manager: m } }], { onStage: stage });
      const d = (r.data && r.data.msgs && r.data.msgs[0] && r.data.msgs[0].data) || {};
      return { ...r, investor: investor.trim(), manager: m, ta_account: d.ta_account };
    });
  };
  return html`<form class="card" id="open-account" onSubmit=${go}>
    <h3>Open a TA account for a registered investor</h3>
    <div class="row">
      <${Field} label="Investor number" id="acct-investor"><input id="acct-investor" required value=${investor} onInput=${(e) => setInvestor(e.target.value)} /><//>
      <${Field} label="Fund manager" id="acct-manager"><select id="acct-manager" value=${manager || (managers[0] || {}).id || ''} onChange=${(e) => setManager(e.target.value)}>
        ${managers.map((m) => html`<option value=${m.id}>${m.name} (${m.id})</option>`)}
      </select><//>
      <button id="acct-submit" type="submit" disabled=${!!act.stage || managers.length === 0}>Sign and open</button>
    </div>
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
    ${act.result && html`<div class="ok" role="status" id="acct-result">TA account ${act.result.ta_account} is open for ${act.result.investor} with ${act.result.manager} (height ${group(act.result.height)}).</div>`}
  </form>`;
}

// AccountsOpened lists the TA accounts the channel opened on a date (what
// the 02 account confirmation file carries).
function AccountsOpened({ org, today, tick }) {
  const [picked, setDate] = useState('');
  const date = picked || today;
  const load = useLoad(() => (/^\d{4}-\d{2}-\d{2}$/.test(date) ? query('fund', `channel-accounts/${org}/${date}`, { limit: 100000 }) : new Promise(() => {})), [org, date, tick]);
  const rows = load.data ? (load.data.items || load.data) : [];
  return html`<div class="card">
    <h3>Accounts opened</h3>
    <div class="row"><${Field} label="Date" id="accounts-date"><input id="accounts-date" placeholder="YYYY-MM-DD" pattern="\\d{4}-\\d{2}-\\d{2}" size="11" value=${date} onInput=${(e) => setDate(e.target.value)} /><//></div>
    <${Loading} load=${load}>
      <${Table} name=${'accounts-' + org + '-' + date} rows=${rows} truncated=${load.data && load.data.truncated}
        columns=${[{ key: 'investor', label: 'Investor' }, { key: 'manager', label: 'Fund manager' }, { key: 'id', label: 'TA account' }, { key: 'trans_account', label: 'Transaction account' }]}
        filters=${[{ key: 'manager', label: 'Fund manager', options: [...new Set(rows.map((a) => a.manager))] }]}
        empty="No account opened on this date." />
    <//>
  </div>`;
}
