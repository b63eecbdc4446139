// Electronic contracts (电子合同) for every member organisation: the
// organisation's contracts, drafting one (the document hashed and sealed
// in this browser for the parties' people and the regulator: the same
// contract.SealDocument as otc contract create), the review stages, and
// signing: the document is decrypted and its hash checked in the browser
// first, then signed (contract.SignStatement) with the identity's key and,
// for an organisation under a type with seals, with the organisation's
// seal key opened for that one signature. A download is recorded on chain
// before the file is offered.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad, useAction, Busy, ErrorBox } from '../lib/ui.js';
import { chinaTime, group, short } from '../lib/format.js';
import { query, submit, download, session, toBase64, fromBase64 } from '../lib/api.js';
import { call } from '../lib/signer.js';
import { keySet, withKeyFiles } from '../lib/keys.js';

const statusPill = { drafting: 'pending', review: 'pending', signing: 'pending', effective: 'confirmed', amending: 'pending', terminated: 'cancelled', expired: 'cancelled', archived: 'cancelled', rejected: 'failed', signed: 'confirmed', superseded: 'cancelled' };

function kindFits(kind, org) {
  if (kind === 'any') return true;
  if (kind === 'channel') return org.type === 'reseller' || org.type === 'fund_manager';
  if (kind === 'investor') return org.type === 'reseller' || org.type === 'fund_manager';
  return org.type === kind;
}

export function Contracts({ tick }) {
  const org = session.identity.org;
  const load = useLoad(() => query('contract', 'org-contracts/' + encodeURIComponent(org)), [org, tick]);
  const [open, setOpen] = useState('');
  const rows = load.data ? [...load.data].reverse() : [];
  return html`<section>
    <h2>Contracts 电子合同</h2>
    <form class="row" onSubmit=${(e) => { e.preventDefault(); setOpen(e.target.elements['contract-lookup'].value.trim()); }}>
      <${Field} label="Open a contract by id" id="contract-lookup" hint="Any contract your identity may read (a party's people, the regulator)."><input id="contract-lookup" name="contract-lookup" size="24" /><//>
      <button type="submit" class="secondary">Open</button>
    </form>
    ${open && html`<${ContractView} key=${open} id=${open} tick=${tick} onClose=${() => setOpen('')} onChanged=${load.refresh} />`}
    <${Loading} load=${load}>
      <${Table} name=${'contracts-' + org} rows=${rows}
        columns=${[
          { key: 'id', label: 'Contract', render: (c) => html`<button class="link open-contract" data-contract=${c.id} onClick=${() => setOpen(c.id)}>${c.id}</button>` },
          { key: 'title', label: 'Title' }, { key: 'type', label: 'Type' },
          { key: 'parties', label: 'Parties', text: (c) => c.parties.map((p) => p.org + (p.identity ? ' (investor ' + short(p.identity, 8) + ')' : '')).join(', ') },
          { key: 'version', label: 'Version', num: true },
          { key: 'status', label: 'Status', render: (c) => html`<span class=${'pill ' + (statusPill[c.status] || '')}>${c.status}</span>` },
        ]}
        filters=${[{ key: 'status', label: 'Status', options: ['drafting', 'review', 'signing', 'effective', 'amending', 'terminated', 'expired', 'archived'] }]}
        empty="No contract of your organisation yet." />
    <//>
    <${NewContract} onCreated=${(id) => { load.refresh(); setOpen(id); }} />
  </section>`;
}

function NewContract({ onCreated }) {
  const me = session.identity;
  const meta = useLoad(() => Promise.all([query('contract', 'types'), query('member', 'orgs'), query('fund', 'funds')]), []);
  const [form, setForm] = useState({ type: '', id: 'C-' + Date.now().toString(36).toUpperCase(), title: '', expires: '', fund: '', investor: '' });
  const [parties, setParties] = useState({}); // index -> {org, identity}
  const [file, setFile] = useState(null);
  const act = useAction();
  const [allTypes, orgs, funds] = meta.data || [[], [], []];
  const myOrg = orgs.find((o) => o.id === me.org);
  // Only the types this organisation can be a party of (it drafts as one).
  const types = myOrg ? allTypes.filter((x) => x.parties.some((k) => k !== 'investor' && kindFits(k, myOrg))) : [];
  const t = types.find((x) => x.id === form.type) || types[0];
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  // Each party's organisation: the one chosen, else this organisation for
  // the first kind it fits, else the first fitting one not taken yet.
  const chosen = [];
  const partyList = t ? t.parties.map((k, i) => {
    const fits = orgs.filter((o) => o.status !== 'removed' && kindFits(k, o));
    let org = (parties[i] || {}).org;
    if (!org) org = !chosen.includes(me.org) && fits.some((o) => o.id === me.org) ? me.org : ((fits.find((o) => !chosen.includes(o.id)) || fits[0] || {}).id || '');
    chosen.push(org);
    return { org, identity: (parties[i] || {}).identity || '', fits };
  }) : [];
  const partyAt = (i) => partyList[i];
  const go = (e) => {
    e.preventDefault();
    act.run(async (stage) => {
      if (!file) throw { code: 'bad_request', message: 'choose the contract document' };
      const ps = t.parties.map((k, i) => {
        const p = partyAt(i);
        return k === 'investor' ? { org: p.org, identity: p.identity.trim().toLowerCase() } : { org: p.org };
      });
      stage('reading the parties\' and the regulator\'s encryption keys');
      const targets = ps.map((p) => p.identity || p.org);
      const keys = await keySet(targets);
      stage(`hashing and sealing ${file.name} in this browser`);
      const data = toBase64(new Uint8Array(await file.arrayBuffer()));
      const doc = await call('sealDocument', { handle: me.handle, contract: form.id.trim(), name: file.name, data, parties: ps, keys });
      const value = { id: form.id.trim(), type: t.id, title: form.title.trim(), parties: ps, document: doc };
      if (form.expires) value.expires = form.expires;
      if (t.subject === 'fund' && form.fund) value.fund = form.fund;
      if (form.investor) value.investor = form.investor.trim();
      const r = await submit([{ type: 'contract/create', value }], { onStage: stage });
      onCreated(value.id);
      return { ...r, id: value.id, hash: doc.hash, hash_alg: doc.hash_alg };
    });
  };
  return html`<${Loading} load=${meta}>
    ${t && html`<form class="card" id="new-contract" onSubmit=${go}>
      <h3>Draft a contract</h3>
      <p class="hint">The document is hashed (${me.algorithm === 'sm2' ? 'SM3' : 'SHA-256'}) and sealed in this browser for every party's people and the regulator; only the envelope and the hash go on chain (up to 512 KiB). Then the type's review stages run and the parties sign.</p>
      <div class="row">
        <${Field} label="Type" id="contract-type"><select id="contract-type" value=${t.id} onChange=${(e) => { setForm({ ...form, type: e.target.value }); setParties({}); }}>
          ${types.map((x) => html`<option value=${x.id}>${x.name}</option>`)}
        </select><//>
        <${Field} label="Contract id" id="contract-id"><input id="contract-id" required pattern="[A-Za-z0-9_.\\-]{1,64}" value=${form.id} onInput=${set('id')} /><//>
        <${Field} label="Title" id="contract-title"><input id="contract-title" required size="40" value=${form.title} onInput=${set('title')} /><//>
        <${Field} label="Expires (optional)" id="contract-expires"><input id="contract-expires" placeholder="YYYY-MM-DD" pattern="\\d{4}-\\d{2}-\\d{2}" size="11" value=${form.expires} onInput=${set('expires')} /><//>
      </div>
      <p class="hint">${t.name}: parties ${t.parties.join(' and ')}; review ${t.stages.length ? t.stages.map((s) => s.name).join(' → ') : 'none'}; ${t.seal ? 'organisations sign with their seal' : 'no seal'}; kept ${t.retention_years} years after it ends.</p>
      <fieldset class="group"><legend>Parties, in the type's order</legend>
        <div class="row">${t.parties.map((k, i) => {
          const p = partyAt(i);
          return html`<${Field} label=${`Party ${i + 1} (${k})`} id=${'party-' + i}><select id=${'party-' + i} value=${p.org} onChange=${(e) => setParties({ ...parties, [i]: { ...p, org: e.target.value } })}>
              ${p.fits.map((o) => html`<option value=${o.id}>${o.name} (${o.id})</option>`)}
            </select>
            ${k === 'investor' && html`<input id=${'party-identity-' + i} aria-label="The investor's identity id" placeholder="investor identity id (64 hex)" size="40" value=${p.identity} onInput=${(e) => setParties({ ...parties, [i]: { ...p, identity: e.target.value } })} />`}
          <//>`;
        })}</div>
      </fieldset>
      <div class="row">
        ${t.subject === 'fund' && html`<${Field} label="Fund" id="contract-fund"><select id="contract-fund" value=${form.fund} onChange=${set('fund')}>
          <option value="">choose</option>${funds.map((f) => html`<option value=${f.code}>${f.code} ${f.name}</option>`)}
        </select><//>`}
        <${Field} label="Document" id="contract-file"><input id="contract-file" type="file" onChange=${(e) => setFile(e.target.files[0] || null)} /><//>
        <button id="contract-create" type="submit" disabled=${!!act.stage}>Seal, sign and create</button>
      </div>
      <${Busy} stage=${act.stage} />
      <${ErrorBox} error=${act.error} onClose=${act.clear} />
      ${act.result && html`<div class="ok" role="status" id="contract-created">Contract ${act.result.id} drafted (height ${group(act.result.height)}); ${act.result.hash_alg} ${short(act.result.hash, 16)}.</div>`}
    </form>`}
  <//>`;
}

function ContractView({ id, tick, onClose, onChanged }) {
  const me = session.identity;
  const load = useLoad(async () => {
    const c = await query('contract', 'contracts/' + encodeURIComponent(id));
    const [t, history, orgs] = await Promise.all([query('contract', 'types/' + c.type), query('contract', 'contracts/' + encodeURIComponent(id) + '/history'), query('member', 'orgs')]);
    return { c, t, history, orgs };
  }, [id, tick]);
  const [doc, setDoc] = useState(null);
  const opening = useAction();
  const d = load.data;
  const changed = () => { load.refresh(); onChanged(); };
  const latest = d && d.c.versions[d.c.versions.length - 1];
  const openDoc = (n, record) => opening.run(async (stage) => {
    stage('fetching the sealed document');
    const v = await query('contract', `contracts/${encodeURIComponent(id)}/versions/${n}`);
    stage('decrypting and checking its hash in this browser');
    const out = await call('openDocument', { handle: me.handle, version: v });
    if (record) {
      await submit([{ type: 'contract/record_view', value: { contract: id, version: n, action: 'download' } }], { onStage: stage });
    }
    const bytes = fromBase64(out.data);
    const text = /\.(txt|md|csv)$/i.test(v.document.name) && bytes.length < 200000 ? new TextDecoder().decode(bytes) : '';
    setDoc({ n, name: v.document.name, hash: v.document.hash, hash_alg: v.document.hash_alg, url: URL.createObjectURL(new Blob([bytes])), text, recorded: record });
    return v;
  });
  return html`<div class="card" id="contract-view">
    <div class="row spread"><h3>Contract ${id}</h3><button class="secondary" onClick=${onClose}>Close</button></div>
    <${Loading} load=${load}>
      ${d && html`<div>
        <dl class="facts">
          <dt>Title</dt><dd>${d.c.title}</dd>
          <dt>Type</dt><dd>${d.t.name}</dd>
          <dt>Parties</dt><dd>${d.c.parties.map((p) => p.org + (p.identity ? ` (investor ${short(p.identity)})` : '')).join(', ')}</dd>
          <dt>Status</dt><dd id="contract-status"><span class=${'pill ' + (statusPill[d.c.status] || '')}>${d.c.status}</span>${d.c.in_force ? ` · version ${d.c.in_force} in force` : ''}${d.c.expires ? ` · expires ${d.c.expires}` : ''}${d.c.fund ? ` · fund ${d.c.fund}` : ''}</dd>
          <dt>Drafted by</dt><dd>${d.c.creator_org} at block ${group(String(d.c.created))}</dd>
        </dl>
        <h4>Versions</h4>
        <${Table} name=${'versions-' + id} rows=${[...d.c.versions].reverse()} pageSize=${20}
          columns=${[{ key: 'n', label: 'Version', num: true }, { key: 'file', label: 'Document', text: (v) => `${v.document.name} (${group(String(v.document.size))} bytes)` },
            { key: 'hash', label: 'Hash', text: (v) => v.document.hash, render: (v) => html`<code title=${v.document.hash}>${v.document.hash_alg} ${short(v.document.hash, 12)}</code>` },
            { key: 'reviews', label: 'Reviews', text: (v) => v.reviews.map((r) => `${r.stage}: ${r.approve ? 'approved' : 'rejected'} by ${r.org}${r.comment ? ' (' + r.comment + ')' : ''}`).join('; '),
              render: (v) => v.reviews.map((r) => html`<div class="reason">${r.stage}: ${r.approve ? 'approved' : 'rejected'} by ${r.org}${r.comment ? html` <span class="muted">(${r.comment})</span>` : ''}</div>`) },
            { key: 'signatures', label: 'Signed by', text: (v) => v.signatures.map((s) => `${s.name} (${s.org})${s.seal ? ' with seal' : ''}`).join('; '),
              render: (v) => v.signatures.map((s) => html`<div class="reason">${s.org}${s.seal ? ' with seal 印' : ''} <span class="muted">${chinaTime(s.time).replace(' China time', '')}</span>
                <button class="link sig-certificate" data-org=${s.org} title="The electronic signature verification report (Art. 13), with the receipt attached" onClick=${() => opening.run(async (st) => { st('making the evidence certificate'); await download(`/v1/receipts/${s.tx}/certificate.pdf`, `certificate-${id}-v${v.n}-${s.org}.pdf`); return null; })}>certificate (PDF)</button></div>`) },
            { key: 'status', label: 'Status', render: (v) => html`<span class=${'pill ' + (statusPill[v.status] || '')}>${v.status}</span>` },
            { key: 'open', label: '', text: () => '', render: (v) => html`<button class="secondary" onClick=${() => openDoc(v.n, true)}>Download</button>` }]} />
        <${Busy} stage=${opening.stage} />
        <${ErrorBox} error=${opening.error} onClose=${opening.clear} />
        ${doc && html`<div class="ok" role="status" id="contract-doc">Version ${doc.n}: ${doc.name}, ${doc.hash_alg} matches the signed hash ${short(doc.hash, 16)}.${doc.recorded ? ' The download is recorded on the chain.' : ''} <a class="button" href=${doc.url} download=${doc.name}>Save ${doc.name}</a></div>`}
        ${doc && doc.text && html`<pre class="document" tabindex="0" aria-label="The contract document">${doc.text}</pre>`}
        ${latest && html`<${Review} c=${d.c} t=${d.t} v=${latest} orgs=${d.orgs} onDone=${changed} />`}
        ${latest && html`<${SignVersion} c=${d.c} t=${d.t} v=${latest} onDone=${changed} />`}
        <h4>Operation evidence 操作存证</h4>
        <${Table} name=${'history-' + id} rows=${[...d.history].reverse()} pageSize=${20}
          columns=${[{ key: 'action', label: 'Action' }, { key: 'org', label: 'Organisation' }, { key: 'actor', label: 'Identity', text: (e) => e.actor, render: (e) => html`<code title=${e.actor}>${short(e.actor)}</code>` },
            { key: 'version', label: 'Version', num: true, text: (e) => (e.version ? String(e.version) : '') },
            { key: 'time', label: 'When (China time)', text: (e) => chinaTime(e.time).replace(' China time', '') },
            { key: 'tx', label: 'Tx', text: (e) => e.tx || '', render: (e) => (e.tx ? html`<a href=${'#/explorer/' + e.tx}><code>${short(e.tx, 10)}</code></a>` : '') }]} />
      </div>`}
    <//>
  </div>`;
}

// Review decides the stage due of the latest version when this identity
// is its reviewer (the stage's role, of the creator's, another party's or
// the regulator's organisation).
function Review({ c, t, v, orgs, onDone }) {
  const me = session.identity;
  const [comment, setComment] = useState('');
  const act = useAction();
  const stage = t.stages[c.stage];
  const myOrg = orgs.find((o) => o.id === me.org) || {};
  const fits = stage && me.role === stage.role && (stage.org === 'creator' ? me.org === c.creator_org
    : stage.org === 'other_party' ? me.org !== c.creator_org && c.parties.some((p) => p.org === me.org)
      : stage.org === 'regulator' ? myOrg.type === 'regulator' : me.org === stage.org);
  if (!stage || v.status !== 'review' && v.status !== 'drafting' || !fits) return null;
  const decide = (approve) => act.run(async (st) => {
    if (!approve && !comment.trim()) throw { code: 'bad_request', message: 'a rejection needs a comment' };
    const r = await submit([{ type: 'contract/review', value: { contract: c.id, version: v.n, stage: stage.name, approve, comment: comment.trim() } }], { onStage: st });
    onDone();
    return { ...r, approve };
  });
  return html`<div class="card" id="contract-review">
    <h4>Review: stage “${stage.name}” of version ${v.n}</h4>
    <p class="hint">You are this stage's reviewer (${stage.role} of ${stage.org === 'creator' ? 'the drafting organisation' : stage.org === 'other_party' ? 'the other party' : stage.org}). Download the version above to read it first.</p>
    <div class="row">
      <${Field} label="Comment" id="review-comment"><input id="review-comment" size="50" value=${comment} onInput=${(e) => setComment(e.target.value)} /><//>
      <button id="review-approve" disabled=${!!act.stage} onClick=${() => decide(true)}>Approve</button>
      <button class="secondary" id="review-reject" disabled=${!!act.stage} onClick=${() => decide(false)}>Reject</button>
    </div>
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
  </div>`;
}

// SignVersion signs the latest version when it is being signed and this
// identity's organisation (or, for an investor party, this identity) is a
// party that has not signed.
function SignVersion({ c, t, v, onDone }) {
  const me = session.identity;
  const [files, setFiles] = useState([]);
  const [pass, setPass] = useState('');
  const act = useAction();
  const party = c.parties.findIndex((p, i) => (p.identity ? p.identity === me.id : p.org === me.org && me.role !== 'investor') && !v.signatures.some((s) => s.party === i));
  if (v.status !== 'signing' || party < 0) return null;
  const needSeal = t.seal && me.role !== 'investor';
  const sign = () => act.run(async (stage) => {
    stage('decrypting the version and checking its hash in this browser');
    const full = await query('contract', `contracts/${encodeURIComponent(c.id)}/versions/${v.n}`);
    await call('openDocument', { handle: me.handle, version: full });
    const req = { chain_id: session.chainId, kind: 'contract-sign', contract: c.id, version: v.n, hash_alg: v.document.hash_alg, hash: v.document.hash };
    stage('signing with your key');
    const st = await call('signStatement', { handle: me.handle, ...req });
    const value = { contract: c.id, version: v.n, hash: v.document.hash, signature: st.signature };
    if (needSeal) {
      stage('opening the seal in this browser');
      await withKeyFiles(files, pass, 'the seal', async (seal) => {
        if (seal.role !== 'seal' || seal.org !== me.org) throw { code: 'not_a_seal', message: `${seal.name} is a ${seal.role} of ${seal.org}, not a seal of ${me.org}` };
        stage('stamping with the seal');
        const ss = await call('signStatement', { handle: seal.handle, ...req });
        value.seal = seal.id;
        value.seal_signature = ss.signature;
      });
    }
    const r = await submit([{ type: 'contract/sign', value }], { onStage: stage });
    setPass('');
    onDone();
    return r;
  });
  return html`<div class="card" id="contract-sign">
    <h4>Sign version ${v.n} as party ${party + 1} (${c.parties[party].org})</h4>
    <p class="hint">The document is decrypted and its hash checked here before anything is signed. Your signature covers the contract, the version and the document's ${v.document.hash_alg} ${short(v.document.hash, 16)}.</p>
    ${needSeal && html`<fieldset class="sig"><legend>The organisation's seal 合同专用章</legend>
      <p class="hint">Choose the seal's files (seal.key and seal.crt in the keystore) and type its passphrase: the seal key is opened for this one stamp and forgotten right after.</p>
      <div class="row">
        <${Field} label="Seal files" id="seal-files"><input id="seal-files" type="file" multiple accept=".key,.crt" onChange=${(e) => setFiles(e.target.files)} /><//>
        <${Field} label="Seal passphrase" id="seal-pass"><input id="seal-pass" type="password" autocomplete="off" value=${pass} onInput=${(e) => setPass(e.target.value)} /><//>
      </div>
    </fieldset>`}
    <button id="contract-sign-submit" disabled=${!!act.stage} onClick=${sign}>${needSeal ? 'Sign and stamp' : 'Sign'}</button>
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
  </div>`;
}
