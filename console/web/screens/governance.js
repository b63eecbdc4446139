// Governance (治理) of the consortium: the proposals with their votes, an
// organisation admin's ballot (one per organisation, final), withdrawing
// one's own proposal, proposing, and the validator set with this node's
// health. What an action does is shown field by field.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad, useAction, Busy, ErrorBox } from '../lib/ui.js';
import { chinaTime, group, short } from '../lib/format.js';
import { get, query, submit, session } from '../lib/api.js';
import { call } from '../lib/signer.js';

const pill = { open: 'pending', passed: 'confirmed', failed: 'failed', rejected: 'failed', expired: 'cancelled', withdrawn: 'cancelled' };

function tally(p) {
  const n = { yes: 0, no: 0, abstain: 0 };
  for (const v of p.votes || []) n[v.vote] = (n[v.vote] || 0) + 1;
  return n;
}

// fields lists an action's payload as name / value rows.
function fields(payload) {
  let obj = payload;
  if (typeof obj === 'string') {
    try { obj = JSON.parse(obj); } catch (e) { return [{ k: 'payload', v: obj }]; }
  }
  return Object.entries(obj || {}).map(([k, v]) => ({ k, v: typeof v === 'object' ? JSON.stringify(v) : typeof v === 'number' ? group(String(v)) : String(v) }));
}

export function Governance({ tick }) {
  const load = useLoad(() => Promise.all([query('gov', 'proposals'), query('gov', 'validators'), get('/v1/status', { auth: false }), query('member', 'orgs')]), [tick]);
  const [open, setOpen] = useState('');
  const [props, vals, st, orgs] = load.data || [];
  return html`<section>
    <h2>Governance 治理</h2>
    <${Loading} load=${load}>
      ${props && html`<div>
        ${open && html`<${ProposalView} key=${open} p=${props.find((p) => p.id === open)} orgs=${orgs} onClose=${() => setOpen('')} onDone=${load.refresh} />`}
        <${Table} name="proposals" rows=${[...props].reverse()}
          columns=${[
            { key: 'id', label: 'Proposal', render: (p) => html`<button class="link open-proposal" data-proposal=${p.id} onClick=${() => setOpen(p.id)}>${p.id}</button>` },
            { key: 'title', label: 'Title' }, { key: 'proposer_org', label: 'By' },
            { key: 'actions', label: 'Actions', text: (p) => p.actions.map((a) => a.module + '/' + a.action).join(', ') },
            { key: 'votes', label: 'Yes / needed', num: true, text: (p) => `${tally(p).yes} / ${p.needed} of ${p.electorate.length}${p.regulator_required ? ' + regulator' : ''}` },
            { key: 'status', label: 'Status', render: (p) => html`<span class=${'pill ' + (pill[p.status] || '')}>${p.status}</span>` },
            { key: 'expires', label: 'Voting ends (China time)', text: (p) => (p.status === 'open' ? chinaTime(p.expires).replace(' China time', '') : '') },
          ]}
          filters=${[{ key: 'status', label: 'Status', options: Object.keys(pill) }]} empty="No proposal yet." />
        ${session.identity.role === 'admin' && html`<${Propose} onDone=${load.refresh} />`}
        <h3>Validators and this node</h3>
        <dl class="facts">
          <dt>This node</dt><dd id="node-health">${st.moniker}: height ${group(String(st.latest_height))}, last block ${chinaTime(st.latest_block_time)}${st.catching_up ? ' — catching up' : ' — in sync'}</dd>
        </dl>
        <${Table} name="validators" rows=${vals} pageSize=${50}
          columns=${[{ key: 'org', label: 'Organisation', text: (v) => { const o = (orgs || []).find((x) => x.id === v.org); return o ? `${o.name} (${v.org})` : v.org; } },
            { key: 'address', label: 'Address', render: (v) => html`<code>${v.address}</code>` }, { key: 'pub_key_type', label: 'Key' },
            { key: 'power', label: 'Power', num: true, text: (v) => group(String(v.power)) },
            { key: 'share', label: 'Share of power', num: true, text: (v) => { const tot = vals.reduce((a, x) => a + x.power, 0); return tot ? (Math.round((v.power * 10000) / tot) / 100).toFixed(2) + '%' : ''; } },
            { key: 'since', label: 'Since block', num: true, text: (v) => group(String(v.since)) }]} />
      </div>`}
    <//>
  </section>`;
}

function ProposalView({ p, orgs, onClose, onDone }) {
  const me = session.identity;
  const act = useAction();
  const [reason, setReason] = useState('');
  if (!p) return null;
  const voted = (p.votes || []).find((v) => v.org === me.org);
  const mayVote = me.role === 'admin' && p.status === 'open' && p.electorate.includes(me.org) && !voted;
  const mayWithdraw = me.role === 'admin' && p.status === 'open' && p.proposer_org === me.org;
  const vote = (v) => act.run(async (stage) => {
    const r = await submit([{ type: 'gov/vote', value: { id: p.id, vote: v } }], { onStage: stage });
    onDone();
    return { ...r, vote: v };
  });
  const withdraw = () => act.run(async (stage) => {
    const r = await submit([{ type: 'gov/withdraw', value: { id: p.id, reason: reason.trim() } }], { onStage: stage });
    onDone();
    return { ...r, vote: 'withdrawn' };
  });
  const name = (id) => { const o = (orgs || []).find((x) => x.id === id); return o ? o.name : id; };
  const t = tally(p);
  return html`<div class="card" id="proposal-view">
    <div class="row spread"><h3>${p.id}: ${p.title}</h3><button class="secondary" onClick=${onClose}>Close</button></div>
    ${p.description && html`<p>${p.description}</p>`}
    <dl class="facts">
      <dt>Status</dt><dd id="proposal-status"><span class=${'pill ' + (pill[p.status] || '')}>${p.status}</span>${p.reason ? ' — ' + p.reason : ''}</dd>
      <dt>Proposed</dt><dd>by ${name(p.proposer_org)} at block ${group(String(p.submitted))}, ${chinaTime(p.submitted_time)}</dd>
      <dt>Votes</dt><dd>${t.yes} yes, ${t.no} no, ${t.abstain} abstain of ${p.electorate.length} organisations; ${p.needed} yes pass it${p.regulator_required ? ', and every regulator (' + (p.regulators || []).join(', ') + ') must vote yes' : ''}</dd>
      <dt>Voting ends</dt><dd>${chinaTime(p.expires)}</dd>
    </dl>
    ${p.actions.map((a, i) => html`<div>
      <h4>Action ${i + 1}: <code>${a.module}/${a.action}</code></h4>
      <${Table} name=${`proposal-${p.id}-action-${i + 1}`} rows=${fields(a.payload)} pageSize=${50} columns=${[{ key: 'k', label: 'Field' }, { key: 'v', label: 'Value' }]} />
    </div>`)}
    <h4>Ballots</h4>
    <${Table} name=${'votes-' + p.id} rows=${p.votes || []} pageSize=${50}
      columns=${[{ key: 'org', label: 'Organisation', text: (v) => `${name(v.org)} (${v.org})` }, { key: 'vote', label: 'Vote' },
        { key: 'admin', label: 'Cast by', text: (v) => v.admin, render: (v) => html`<code title=${v.admin}>${short(v.admin)}</code>` },
        { key: 'height', label: 'Block', num: true, text: (v) => group(String(v.height)) }]}
      empty="No organisation has voted yet." />
    ${voted && html`<p class="hint">${me.org} voted ${voted.vote} (final).</p>`}
    ${mayVote && html`<div class="row">
      <span>Vote for ${me.org} (final):</span>
      <button id="vote-yes" disabled=${!!act.stage} onClick=${() => vote('yes')}>Yes</button>
      <button class="secondary" id="vote-no" disabled=${!!act.stage} onClick=${() => vote('no')}>No</button>
      <button class="secondary" id="vote-abstain" disabled=${!!act.stage} onClick=${() => vote('abstain')}>Abstain</button>
    </div>`}
    ${mayWithdraw && html`<div class="row">
      <${Field} label="Reason to withdraw" id="withdraw-reason"><input id="withdraw-reason" size="40" value=${reason} onInput=${(e) => setReason(e.target.value)} /><//>
      <button class="secondary" id="withdraw" disabled=${!!act.stage} onClick=${withdraw}>Withdraw</button>
    </div>`}
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
    ${act.result && html`<div class="ok" role="status" id="vote-result">${act.result.vote === 'withdrawn' ? 'Withdrawn' : 'Voted ' + act.result.vote} (height ${group(act.result.height)}).</div>`}
  </div>`;
}

// Propose submits a proposal: its actions are the governance actions the
// chain accepts (gov.AllowedActions, from the signer), each with its
// payload as the action's JSON object (docs/governance.md lists them).
function Propose({ onDone }) {
  const names = useLoad(() => call('govActions', {}), []);
  const [form, setForm] = useState({ id: '', title: '', description: '' });
  const [acts, setActs] = useState([{ name: '', payload: '{}' }]);
  const act = useAction();
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const setAct = (i, k) => (e) => setActs(acts.map((a, j) => (j === i ? { ...a, [k]: e.target.value } : a)));
  const go = (e) => {
    e.preventDefault();
    act.run(async (stage) => {
      const actions = acts.map((a, i) => {
        const name = a.name || (names.data || [])[0];
        let payload;
        try { payload = JSON.parse(a.payload); } catch (err) { throw { code: 'bad_request', message: `action ${i + 1} (${name}): the payload is not JSON: ${err.message}` }; }
        if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw { code: 'bad_request', message: `action ${i + 1} (${name}): the payload must be a JSON object` };
        const [module, action] = name.split('/');
        return { module, action, payload };
      });
      const r = await submit([{ type: 'gov/propose', value: { id: form.id.trim(), title: form.title.trim(), description: form.description.trim(), actions } }], { onStage: stage });
      onDone();
      return { ...r, id: form.id.trim() };
    });
  };
  return html`<form class="card" id="propose" onSubmit=${go}>
    <h3>Propose</h3>
    <p class="hint">A proposal passes with more than two thirds of the organisations' votes (and the regulator's, for the actions that need it); its actions then run together, or none does. Each action's fields are in <a href="https://github.com/otcchain/otcchain/blob/main/docs/governance.md">docs/governance.md</a>.</p>
    <div class="row">
      <${Field} label="Proposal id" id="prop-id"><input id="prop-id" required pattern="[A-Za-z0-9_.\\-]{1,64}" value=${form.id} onInput=${set('id')} /><//>
      <${Field} label="Title" id="prop-title"><input id="prop-title" required size="40" value=${form.title} onInput=${set('title')} /><//>
      <${Field} label="Description" id="prop-desc"><input id="prop-desc" size="50" value=${form.description} onInput=${set('description')} /><//>
    </div>
    ${acts.map((a, i) => html`<div class="row">
      <${Field} label=${'Action ' + (i + 1)} id=${'prop-action-' + i}><select id=${'prop-action-' + i} value=${a.name || (names.data || [])[0] || ''} onChange=${setAct(i, 'name')}>
        ${(names.data || []).map((n) => html`<option value=${n}>${n}</option>`)}
      </select><//>
      <${Field} label="Payload (JSON object)" id=${'prop-payload-' + i}><textarea id=${'prop-payload-' + i} rows="3" cols="60" spellcheck="false" value=${a.payload} onInput=${setAct(i, 'payload')}></textarea><//>
    </div>`)}
    <div class="row">
      <button type="button" class="secondary" onClick=${() => setActs([...acts, { name: '', payload: '{}' }])}>Add an action</button>
      <button id="propose-submit" type="submit" disabled=${!!act.stage}>Sign and propose</button>
    </div>
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
    ${act.result && html`<div class="ok" role="status" id="propose-result">Proposal ${act.result.id} submitted (height ${group(act.result.height)}).</div>`}
  </form>`;
}
