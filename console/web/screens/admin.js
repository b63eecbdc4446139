// The organisation admin's console: the organisation's identities and
// their certificates with expiry warnings (measured against the chain's
// latest block time, not this computer's clock), registering a
// certificate the organisation's CA issued, revocation with a reason, and
// the organisation's seals (电子印章) for contracts.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad, useAction, Busy, ErrorBox } from '../lib/ui.js';
import { chinaDate, group, short } from '../lib/format.js';
import { get, query, submit, session, toBase64 } from '../lib/api.js';
import { call } from '../lib/signer.js';

const day = 24 * 3600 * 1000;
const warnDays = 30;

// expiry says how a certificate stands at time now: expired, expires soon
// (within warnDays) or valid, with the days left.
export function expiry(notAfter, now) {
  const left = Math.floor((new Date(notAfter) - now) / day);
  if (left < 0) return { state: 'expired', left, text: `expired ${-left} day${left === -1 ? '' : 's'} ago` };
  if (left <= warnDays) return { state: 'soon', left, text: `expires in ${left} day${left === 1 ? '' : 's'}` };
  return { state: 'valid', left, text: `valid for ${group(String(left))} days` };
}

export function Admin({ tick }) {
  const org = session.identity.org;
  const load = useLoad(async () => {
    const [ids, st, seals] = await Promise.all([query('member', 'org-identities/' + encodeURIComponent(org)), get('/v1/status', { auth: false }), query('contract', 'seals/' + encodeURIComponent(org))]);
    return { ids, now: new Date(st.latest_block_time), seals };
  }, [org, tick]);
  const [revoking, setRevoking] = useState(null);
  const d = load.data;
  const rows = d ? d.ids.map((r) => ({ ...r, exp: expiry(r.not_after, d.now) })) : [];
  const active = rows.filter((r) => r.status === 'active');
  const warn = active.filter((r) => r.exp.state !== 'valid');
  return html`<section>
    <h2>Identities of ${org}</h2>
    <${Loading} load=${load}>
      ${d && html`<div>
        <p class="hint">Certificates are checked against the chain's latest block time (${chinaDate(d.now)}); a certificate within ${warnDays} days of its end is flagged. Renew one with <code>otc ca issue</code> on the CA's machine and register the new certificate below, then revoke the old one.</p>
        ${warn.length > 0 && html`<div class="error" role="alert" id="expiry-warning"><strong>${warn.length} certificate${warn.length === 1 ? '' : 's'} need${warn.length === 1 ? 's' : ''} renewal</strong>: ${warn.map((r) => `${r.name} (${r.exp.text})`).join('; ')}.</div>`}
        <${Table} name=${'identities-' + org} rows=${rows}
          columns=${[
            { key: 'name', label: 'Name' },
            { key: 'role', label: 'Role' },
            { key: 'algorithm', label: 'Algorithm' },
            { key: 'id', label: 'Identity', text: (r) => r.id, render: (r) => html`<code title=${r.id}>${short(r.id, 12)}</code>` },
            { key: 'not_after', label: 'Certificate until', text: (r) => chinaDate(r.not_after) },
            { key: 'exp', label: 'Expiry', text: (r) => (r.status === 'active' ? r.exp.text : ''), render: (r) => (r.status === 'active' ? html`<span class=${'pill ' + (r.exp.state === 'valid' ? 'confirmed' : r.exp.state === 'soon' ? 'pending' : 'failed')}>${r.exp.text}</span>` : '') },
            { key: 'enc', label: 'Encryption key', text: (r) => ((r.enc_keys || []).length ? 'yes' : 'no') },
            { key: 'status', label: 'Status', render: (r) => html`<span class=${'pill ' + (r.status === 'active' ? 'confirmed' : 'cancelled')}>${r.status}</span>${r.revoked_reason ? html` <span class="muted">${r.revoked_reason}</span>` : ''}` },
            { key: 'act', label: '', text: () => '', render: (r) => (r.status === 'active' && r.id !== session.identity.id ? html`<button class="secondary revoke" data-id=${r.id} data-name=${r.name} onClick=${() => setRevoking(r)}>Revoke…</button>` : '') },
          ]}
          filters=${[{ key: 'role', label: 'Role', options: [...new Set(rows.map((r) => r.role))] }, { key: 'status', label: 'Status', options: ['active', 'revoked'] }]} />
        ${revoking && html`<${Revoke} rec=${revoking} onClose=${() => setRevoking(null)} onDone=${load.refresh} />`}
        <${RegisterCert} onDone=${load.refresh} />
        <${Seals} org=${org} seals=${d.seals} identities=${active.filter((r) => r.role === 'seal')} onDone=${load.refresh} />
      </div>`}
    <//>
  </section>`;
}

function Revoke({ rec, onClose, onDone }) {
  const [reason, setReason] = useState('');
  const act = useAction();
  const go = (e) => {
    e.preventDefault();
    act.run(async (stage) => {
      const r = await submit([{ type: 'member/revoke_identity', value: { id: rec.id, reason: reason.trim() } }], { onStage: stage });
      onDone();
      return r;
    });
  };
  return html`<form class="card" id="revoke-form" onSubmit=${go}>
    <div class="row spread"><h3>Revoke ${rec.name}</h3><button type="button" class="secondary" onClick=${onClose}>Close</button></div>
    <p>${rec.role} · ${rec.algorithm} · <code>${rec.id}</code>. A revoked identity can no longer sign or sign in; what it signed before stays valid and attributable. This cannot be undone: register a new certificate instead.</p>
    <div class="row">
      <${Field} label="Reason (recorded on the chain)" id="revoke-reason"><input id="revoke-reason" required size="50" maxlength="512" value=${reason} onInput=${(e) => setReason(e.target.value)} /><//>
      <button id="revoke-submit" type="submit" class="danger" disabled=${!!act.stage || act.result}>Sign and revoke</button>
    </div>
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
    ${act.result && html`<div class="ok" role="status" id="revoke-result">${rec.name} is revoked (height ${group(act.result.height)}).</div>`}
  </form>`;
}

function RegisterCert({ onDone }) {
  const [pem, setPem] = useState(null);
  const act = useAction();
  const pick = async (f) => setPem(f ? { name: f.name, text: await f.text() } : null);
  const go = (e) => {
    e.preventDefault();
    act.run(async (stage) => {
      if (!pem || !/-----BEGIN CERTIFICATE-----/.test(pem.text)) throw { code: 'bad_certificate', message: 'choose a PEM certificate (NAME.crt) issued by your organisation\'s CA' };
      const r = await submit([{ type: 'member/register_identity', value: { cert: pem.text } }], { onStage: stage });
      onDone();
      return r;
    });
  };
  return html`<form class="card" id="register-cert" onSubmit=${go}>
    <h3>Register a certificate</h3>
    <p class="hint">A certificate your organisation's CA issued (<code>otc ca issue</code>): the chain checks it against the CA on record, and its role comes from the certificate. Only the certificate is sent; its key stays with its holder.</p>
    <div class="row">
      <${Field} label="Certificate (NAME.crt)" id="cert-file"><input id="cert-file" type="file" accept=".crt,.pem" onChange=${(e) => pick(e.target.files[0])} /><//>
      <button id="cert-submit" type="submit" disabled=${!!act.stage || !pem}>Sign and register</button>
    </div>
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
    ${act.result && html`<div class="ok" role="status" id="cert-result">${pem ? pem.name : 'The certificate'} is registered (height ${group(act.result.height)}).</div>`}
  </form>`;
}

function Seals({ org, seals, identities, onDone }) {
  const [form, setForm] = useState({ seal: '', name: '' });
  const [image, setImage] = useState(null);
  const act = useAction();
  const pick = async (f) => {
    if (!f) return setImage(null);
    const data = new Uint8Array(await f.arrayBuffer());
    const h = await call('hash', { algorithm: session.identity.algorithm === 'sm2' ? 'sm3' : 'sha256', data: toBase64(data) });
    setImage({ name: f.name, hash: h.hash, url: URL.createObjectURL(f) });
  };
  const sealID = form.seal || (identities[0] || {}).id || '';
  const go = (e) => {
    e.preventDefault();
    act.run(async (stage) => {
      if (!image) throw { code: 'bad_request', message: 'choose the seal\'s image' };
      const r = await submit([{ type: 'contract/register_seal', value: { seal: sealID, name: form.name.trim(), image_hash: image.hash } }], { onStage: stage });
      onDone();
      return r;
    });
  };
  return html`<div>
    <h3>Seals 电子印章</h3>
    <${Table} name=${'seals-' + org} rows=${seals}
      columns=${[{ key: 'name', label: 'Seal' }, { key: 'id', label: 'Seal identity', text: (s) => s.id, render: (s) => html`<code title=${s.id}>${short(s.id, 12)}</code>` },
        { key: 'image_hash', label: 'Image hash', text: (s) => s.image_hash, render: (s) => html`<code title=${s.image_hash}>${short(s.image_hash, 12)}</code>` },
        { key: 'registered', label: 'Registered at height', num: true, text: (s) => group(String(s.registered)) },
        { key: 'status', label: 'Status', render: (s) => html`<span class=${'pill ' + (s.status === 'active' ? 'confirmed' : 'cancelled')}>${s.status}</span>` }]}
      empty="No seal registered: contracts of organisation types that need a seal cannot be signed yet." />
    <form class="card" id="seal-form" onSubmit=${go}>
      <h4>Register a seal</h4>
      <p class="hint">The seal is an identity of role <code>seal</code> (its certificate registered above); the chain records its name and the hash of its image, which signed contracts show.</p>
      <div class="row">
        <${Field} label="Seal identity" id="seal-id"><select id="seal-id" value=${sealID} onChange=${(e) => setForm({ ...form, seal: e.target.value })}>
          ${identities.length === 0 && html`<option value="">no active identity of role seal</option>`}
          ${identities.map((r) => html`<option value=${r.id}>${r.name} (${short(r.id, 10)})</option>`)}
        </select><//>
        <${Field} label="Name" id="seal-name"><input id="seal-name" required placeholder="合同专用章 contract seal" value=${form.name} onInput=${(e) => setForm({ ...form, name: e.target.value })} /><//>
        <${Field} label="Seal image" id="seal-image"><input id="seal-image" type="file" accept="image/*" onChange=${(e) => pick(e.target.files[0])} /><//>
        <button id="seal-submit" type="submit" disabled=${!!act.stage || !sealID}>Sign and register</button>
      </div>
      ${image && html`<p><img src=${image.url} alt="The seal image" class="seal-preview" /> ${image.name}: <code>${image.hash}</code></p>`}
      <${Busy} stage=${act.stage} />
      <${ErrorBox} error=${act.error} onClose=${act.clear} />
      ${act.result && html`<div class="ok" role="status" id="seal-result">The seal is registered (height ${group(act.result.height)}).</div>`}
    </form>
  </div>`;
}
