// The regulator's screens: compliance alerts worked as cases (open →
// investigating → closed with findings), interventions with the second
// officer's approval queue (one officer never acts alone: the proposer's
// signature counts as the first approval, another officer's makes it
// effective), and the freezes in force.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, ErrorBox, Busy, Field, Loading, useLoad, useAction } from '../lib/ui.js';
import { amount, group, short, chinaTime } from '../lib/format.js';
import { query, submit, session } from '../lib/api.js';

const ruleNames = {
  large_transaction: 'Large transaction 大额交易',
  structuring: 'Structuring 拆分交易',
  rapid_redeem: 'Rapid purchase-then-redeem 快进快出',
  private_fund_cap: 'Private fund investor cap 私募人数上限',
  unsuitable_attempts: 'Repeated unsuitable attempts 多次不适当',
  dormant: 'Dormant account active again 休眠账户激活',
};

const me = () => session.identity.id;
const who = (id) => (id === me() ? 'you' : short(id, 12));

// utcTime shows a chain time (RFC 3339) in China time.
const at = (t) => (t ? chinaTime(t) : '');

function Pill({ status }) {
  return html`<span class=${'pill ' + status}>${status}</span>`;
}

export function Alerts({ tick }) {
  const load = useLoad(() => query('supervision', 'alerts'), [tick]);
  const [open, setOpen] = useState('');
  const rows = ((load.data && (load.data.items || load.data)) || []).slice().reverse();
  const cols = [
    { key: 'id', label: 'Alert', render: (a) => html`<button class="link alert-open" data-alert=${a.id} onClick=${() => setOpen(a.id)}>${a.id}</button>` },
    { key: 'rule', label: 'Rule', text: (a) => ruleNames[a.rule] || a.rule },
    { key: 'action', label: 'Action', text: (a) => (a.action === 'blocked' ? 'order refused' : 'alert') },
    { key: 'subject', label: 'Subject', text: (a) => `${a.subject.kind} ${a.subject.id}` },
    { key: 'occurrences', label: 'Occurrences', num: true, text: (a) => group(a.occurrences) },
    { key: 'date', label: 'Raised (business date)' },
    { key: 'status', label: 'Status', render: (a) => html`<${Pill} status=${a.status} />` },
  ];
  const rules = [...new Set(rows.map((a) => a.rule))];
  return html`<section>
    <h2>Compliance alerts</h2>
    <p class="hint">Raised by the chain's rules on every order. Work each as a case: start the investigation with a note, close it with your findings (closing is final).</p>
    ${open && html`<${AlertCase} id=${open} tick=${tick} onClose=${() => setOpen('')} onChanged=${load.refresh} />`}
    <${Loading} load=${load}>
      <${Table} name="alerts" columns=${cols} rows=${rows}
        filters=${[{ key: 'status', label: 'Status', options: ['open', 'investigating', 'closed'] }, { key: 'rule', label: 'Rule', options: rules }]}
        empty="No compliance alert." />
    <//>
  </section>`;
}

function AlertCase({ id, tick, onClose, onChanged }) {
  const load = useLoad(() => query('supervision', 'alerts/' + encodeURIComponent(id)), [id, tick]);
  const [note, setNote] = useState('');
  const act = useAction();
  const move = (status) => act.run(async (stage) => {
    const r = await submit([{ type: 'supervision/alert_update', value: { id, status, note: note.trim() } }], { onStage: stage });
    setNote('');
    load.refresh();
    onChanged();
    return { ...r, status };
  });
  const a = load.data;
  return html`<div class="card" id="alert-case">
    <div class="row spread"><h3>Alert ${id}</h3><button class="secondary" onClick=${onClose}>Close the case view</button></div>
    <${Loading} load=${load}>
      ${a && html`<div>
        <dl class="facts">
          <dt>Rule</dt><dd>${ruleNames[a.rule] || a.rule} (${a.action === 'blocked' ? 'the order was refused' : 'alert only'})</dd>
          <dt>Subject</dt><dd>${a.subject.kind} <strong>${a.subject.id}</strong></dd>
          <dt>What the rule saw</dt><dd>${a.detail}</dd>
          ${a.facts && html`<dt>First order</dt><dd>${a.facts.order || ''} ${a.facts.fund ? 'fund ' + a.facts.fund : ''} ${a.facts.amount ? amount(a.facts.amount) + ' CNY' : ''} ${a.facts.channel ? 'via ' + a.facts.channel : ''}</dd>`}
          <dt>Occurrences</dt><dd>${group(a.occurrences)}${a.orders && a.orders.length ? ': ' + a.orders.join(', ') : ''}</dd>
          <dt>Raised</dt><dd>${at(a.time)} (height ${group(a.height)})</dd>
          <dt>Status</dt><dd><${Pill} status=${a.status} />${a.findings ? ' — ' + a.findings : ''}</dd>
        </dl>
        ${(a.history || []).length > 0 && html`<h4>Case history</h4><ol class="history">
          ${a.history.map((h) => html`<li><${Pill} status=${h.status} /> ${at(h.time)} by <span title=${h.officer}>${who(h.officer)}</span>${h.note ? ': ' + h.note : ''}</li>`)}
        </ol>`}
        ${a.status !== 'closed' && html`<form class="stack" onSubmit=${(e) => e.preventDefault()}>
          <${Field} label=${a.status === 'open' ? 'Note (optional when starting; the findings when closing)' : 'Findings (required to close)'} id="alert-note">
            <input id="alert-note" maxlength="1024" value=${note} onInput=${(e) => setNote(e.target.value)} />
          <//>
          <div class="row">
            ${a.status === 'open' && html`<button type="button" id="alert-investigate" disabled=${!!act.stage} onClick=${() => move('investigating')}>Start investigating</button>`}
            <button type="button" id="alert-close" class=${a.status === 'open' ? 'secondary' : ''} disabled=${!!act.stage} onClick=${() => move('closed')}>Close with findings</button>
          </div>
        </form>`}
        <${Busy} stage=${act.stage} />
        <${ErrorBox} error=${act.error} onClose=${act.clear} />
        ${act.result && html`<div class="ok" role="status" id="alert-result">Alert ${id} is ${act.result.status} (height ${group(act.result.height)}).</div>`}
      </div>`}
    <//>
  </div>`;
}

function targetText(t) {
  switch (t.kind) {
    case 'account': return `account of investor ${t.investor} with ${t.manager}`;
    case 'holding': return `${t.shares ? group(t.shares) + ' shares' : 'all shares'} of fund ${t.fund} held by ${t.investor}`;
    case 'fund': return `fund ${t.fund} (${t.scope})`;
    case 'org': return `organisation ${t.org}`;
    case 'calendar': return 'the trading calendar';
  }
  return t.kind;
}

function newID() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `IV-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export function Interventions({ tick }) {
  const load = useLoad(() => Promise.all([query('supervision', 'interventions'), query('supervision', 'freezes')]), [tick]);
  const [ivs, freezes] = load.data || [];
  const rows = ((ivs && (ivs.items || ivs)) || []).slice().reverse();
  const queue = rows.filter((iv) => iv.status === 'proposed' && !iv.approvals.some((a) => a.officer === me()));
  const act = useAction();
  const approve = (iv) => act.run(async (stage) => {
    const r = await submit([{ type: 'supervision/approve', value: { id: iv.id } }], { onStage: stage });
    load.refresh();
    return { ...r, text: `You approved ${iv.id}` + (iv.approvals.length + 1 >= iv.needed ? ': it is in force.' : '.') };
  });
  const withdraw = (iv) => {
    const reason = prompt(`Withdraw ${iv.id}: the reason (recorded on the chain)`);
    if (!reason) return;
    act.run(async (stage) => {
      const r = await submit([{ type: 'supervision/withdraw', value: { id: iv.id, reason } }], { onStage: stage });
      load.refresh();
      return { ...r, text: `${iv.id} withdrawn.` };
    });
  };
  const ivCols = [
    { key: 'id', label: 'Intervention' },
    { key: 'action', label: 'Action' },
    { key: 'target', label: 'Target', text: (iv) => targetText(iv.target) },
    { key: 'reason', label: 'Reason' },
    { key: 'proposer', label: 'Proposed by', text: (iv) => who(iv.proposer) },
    { key: 'approvals', label: 'Approvals', num: true, text: (iv) => `${iv.approvals.length} of ${iv.needed}` },
    { key: 'status', label: 'Status', render: (iv) => html`<${Pill} status=${iv.status} />` },
    { key: 'act', label: '', text: () => '', render: (iv) => iv.status !== 'proposed' ? '' : html`<span class="row">
      ${!iv.approvals.some((a) => a.officer === me()) && html`<button class="approve" data-id=${iv.id} disabled=${!!act.stage} onClick=${() => approve(iv)}>Approve</button>`}
      <button class="secondary withdraw" data-id=${iv.id} disabled=${!!act.stage} onClick=${() => withdraw(iv)}>Withdraw</button>
    </span>` },
  ];
  const frCols = [
    { key: 'target', label: 'Frozen', text: (f) => targetText(f.target) },
    { key: 'intervention', label: 'By intervention' },
    { key: 'reason', label: 'Reason' },
    { key: 'since', label: 'Since height', num: true, text: (f) => group(f.since) },
  ];
  return html`<section>
    <h2>Interventions</h2>
    <p class="hint">A freeze or an unfreeze takes two officers: your proposal counts as the first approval; it takes effect when another officer approves it.</p>
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
    ${act.result && html`<div class="ok" role="status" id="intervention-result">${act.result.text} (height ${group(act.result.height)})</div>`}
    <${Loading} load=${load}>
      <h3>Waiting for your approval <span class="count-badge">${queue.length}</span></h3>
      <${Table} name="approval-queue" columns=${ivCols} rows=${queue} empty="Nothing waits for your approval." />
      <${Propose} onDone=${load.refresh} />
      <h3>All interventions</h3>
      <${Table} name="interventions" columns=${ivCols} rows=${rows}
        filters=${[{ key: 'status', label: 'Status', options: ['proposed', 'effective', 'withdrawn'] }, { key: 'action', label: 'Action', options: ['freeze', 'unfreeze', 'set_calendar', 'extend_calendar'] }]}
        empty="No intervention yet." />
      <h3>Freezes in force</h3>
      <${Table} name="freezes" columns=${frCols} rows=${(freezes && (freezes.items || freezes)) || []} empty="Nothing is frozen." />
    <//>
  </section>`;
}

const kinds = { account: 'An investor\'s account with a manager', holding: 'A holding (some or all shares)', fund: 'A fund\'s purchases, redemptions or both', org: 'An organisation' };

function Propose({ onDone }) {
  const [f, setF] = useState({ id: newID(), action: 'freeze', kind: 'account', investor: '', manager: '', fund: '', shares: '', scope: 'both', org: '', reason: '' });
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const act = useAction();
  const go = (e) => {
    e.preventDefault();
    const t = { kind: f.kind };
    if (f.kind === 'account') Object.assign(t, { investor: f.investor.trim(), manager: f.manager.trim() });
    if (f.kind === 'holding') Object.assign(t, { investor: f.investor.trim(), fund: f.fund.trim(), shares: f.shares.trim() || undefined });
    if (f.kind === 'fund') Object.assign(t, { fund: f.fund.trim(), scope: f.scope });
    if (f.kind === 'org') Object.assign(t, { org: f.org.trim() });
    act.run(async (stage) => {
      const r = await submit([{ type: 'supervision/propose', value: { id: f.id.trim(), action: f.action, target: t, reason: f.reason.trim() } }], { onStage: stage });
      onDone();
      const id = f.id.trim();
      setF({ ...f, id: newID(), reason: '' });
      return { ...r, id };
    });
  };
  const input = (k, label, hint) => html`<${Field} label=${label} id=${'iv-' + k} hint=${hint}><input id=${'iv-' + k} required=${k !== 'shares'} value=${f[k]} onInput=${set(k)} /><//>`;
  return html`<form class="card" id="propose" onSubmit=${go}>
    <h3>Propose an intervention</h3>
    <div class="row">
      ${input('id', 'Intervention id', 'Unique; letters, digits, - _ .')}
      <${Field} label="Action" id="iv-action"><select id="iv-action" value=${f.action} onChange=${set('action')}><option value="freeze">freeze 冻结</option><option value="unfreeze">unfreeze 解冻</option></select><//>
      <${Field} label="What" id="iv-kind"><select id="iv-kind" value=${f.kind} onChange=${set('kind')}>${Object.entries(kinds).map(([k, v]) => html`<option value=${k}>${v}</option>`)}</select><//>
    </div>
    <div class="row">
      ${(f.kind === 'account' || f.kind === 'holding') && input('investor', 'Investor number')}
      ${f.kind === 'account' && input('manager', 'Fund manager (organisation)', 'e.g. fm-alpha')}
      ${(f.kind === 'holding' || f.kind === 'fund') && input('fund', 'Fund code')}
      ${f.kind === 'holding' && input('shares', 'Shares (empty: the whole holding)')}
      ${f.kind === 'fund' && html`<${Field} label="Scope" id="iv-scope"><select id="iv-scope" value=${f.scope} onChange=${set('scope')}><option value="both">purchase and redemption</option><option value="purchase">purchase</option><option value="redemption">redemption</option></select><//>`}
      ${f.kind === 'org' && input('org', 'Organisation id')}
    </div>
    <${Field} label="Reason (one line, recorded on the chain)" id="iv-reason"><input id="iv-reason" required maxlength="512" value=${f.reason} onInput=${set('reason')} /><//>
    <button type="submit" id="iv-propose" disabled=${!!act.stage}>Sign and propose</button>
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
    ${act.result && html`<div class="ok" role="status" id="propose-result">Proposed ${act.result.id} at height ${group(act.result.height)}: a second officer must approve it before it takes effect.</div>`}
  </form>`;
}
