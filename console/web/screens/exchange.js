// Data exchange (数据交换) for every member organisation: the inbox and the
// outbox, sending a file (hashed, signed and encrypted in this browser by
// the signer, exchange.SealFile: the content key sealed for the sender,
// every recipient's people and the regulator), opening a received one
// (decrypted and checked in this browser: the sender's signature, then
// size and hash), the signed acknowledgement, and the provenance trail.
// Files leave the page only encrypted.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad, useAction, Busy, ErrorBox } from '../lib/ui.js';
import { chinaTime, group, short } from '../lib/format.js';
import { get, query, submit, bytes, download, session, toBase64, fromBase64 } from '../lib/api.js';
import { call } from '../lib/signer.js';
import { keySet } from '../lib/keys.js';

const categories = { nav: 'NAV 净值', 'ta-confirmation': 'TA confirmation 确认', reconciliation: 'Reconciliation 对账', 'product-document': 'Product document 产品文件', other: 'Other 其他' };
const maxBrowserFile = 64 << 20; // console/signing.MaxBrowserFile

function randomID() {
  const d = new Date();
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const rnd = Array.from(crypto.getRandomValues(new Uint8Array(3)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `X${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}-${rnd}`;
}

export function Exchange({ tick }) {
  const org = session.identity.org;
  const [box, setBox] = useState('inbox');
  const [open, setOpen] = useState(null);
  const [status, setStatus] = useState('');
  const load = useLoad(() => query('exchange', `${box}/${encodeURIComponent(org)}`, { status, limit: 100000 }), [org, box, status, tick]);
  const cols = [
    { key: 'time', label: 'Sent (China time)', text: (v) => chinaTime(v.time).replace(' China time', '') },
    { key: box === 'inbox' ? 'sender_org' : 'recipients', label: box === 'inbox' ? 'From' : 'To', text: (v) => (box === 'inbox' ? v.sender_org : (v.recipients || []).map((r) => (r.length === 64 ? short(r) : r)).join(', ')) },
    { key: 'name', label: 'File', render: (v) => html`<button class="link open-record" data-record=${v.id} onClick=${() => setOpen(v.id)}>${v.name}</button>` },
    { key: 'category', label: 'Category', text: (v) => categories[v.category] || v.category },
    { key: 'size', label: 'Bytes', num: true, text: (v) => group(String(v.size)) },
    { key: 'status', label: 'Status', render: (v) => html`<span class=${'pill ' + ({ acknowledged: 'confirmed', complete: 'confirmed', rejected: 'failed', unread: 'pending', none: 'pending', partial: 'pending' }[v.status] || '')}>${v.status}</span>` },
  ];
  const statuses = box === 'inbox' ? ['unread', 'acknowledged', 'rejected'] : ['none', 'partial', 'complete'];
  return html`<section>
    <h2>Data exchange 数据交换</h2>
    <div class="row">
      <button class=${box === 'inbox' ? '' : 'secondary'} id="show-inbox" onClick=${() => { setBox('inbox'); setStatus(''); }}>Inbox</button>
      <button class=${box === 'outbox' ? '' : 'secondary'} id="show-outbox" onClick=${() => { setBox('outbox'); setStatus(''); }}>Outbox</button>
      <${Field} label="Status" id="box-status"><select id="box-status" value=${status} onChange=${(e) => setStatus(e.target.value)}>
        <option value="">all</option>${statuses.map((s) => html`<option value=${s}>${s}</option>`)}
      </select><//>
    </div>
    ${open && html`<${RecordView} key=${open} id=${open} tick=${tick} onClose=${() => setOpen(null)} onChanged=${load.refresh} />`}
    <${Loading} load=${load}>
      ${load.data && html`<${Table} name=${box + '-' + org} rows=${load.data.items} truncated=${load.data.truncated} columns=${cols}
        filters=${[{ key: 'category', label: 'Category', options: Object.keys(categories) }]}
        empty=${box === 'inbox' ? 'Nothing was sent to ' + org + ' yet.' : org + ' has sent nothing yet.'} />`}
    <//>
    <${SendFile} onSent=${() => { setBox('outbox'); load.refresh(); }} />
  </section>`;
}

function SendFile({ onSent }) {
  const me = session.identity;
  const orgs = useLoad(() => query('member', 'orgs'), []);
  const [to, setTo] = useState([]);
  const [ids, setIds] = useState('');
  const [category, setCategory] = useState('other');
  const [parents, setParents] = useState('');
  const [file, setFile] = useState(null);
  const [round, setRound] = useState(0);
  const act = useAction();
  const toggle = (id) => (e) => setTo(e.target.checked ? [...to, id] : to.filter((x) => x !== id));
  const go = (e) => {
    e.preventDefault();
    act.run(async (stage) => {
      const recipients = [...to, ...ids.split(/[\s,]+/).filter(Boolean).map((x) => x.toLowerCase())];
      if (recipients.length === 0) throw { code: 'bad_request', message: 'choose at least one recipient organisation, or give an identity id' };
      if (!file) throw { code: 'bad_request', message: 'choose the file to send' };
      if (file.size > maxBrowserFile) throw { code: 'file_too_large', message: `${file.name} is ${group(String(file.size))} bytes; the console sends up to 64 MiB: use otc exchange send for larger files` };
      stage('reading the recipients\' and the regulator\'s encryption keys');
      const keys = await keySet(recipients);
      stage(`hashing, signing and encrypting ${file.name} in this browser`);
      const data = new Uint8Array(await file.arrayBuffer());
      const st = await get('/v1/status', { auth: false });
      const send = { id: randomID(), name: file.name, category, recipients, parents: parents.split(/[\s,]+/).filter(Boolean) };
      const sealed = await call('sealFile', { handle: me.handle, chain_id: st.chain_id, send, data: toBase64(data), keys });
      const msg = sealed.send;
      if (sealed.encrypted) {
        stage(`uploading the encrypted file (${group(String(Math.ceil(fromBase64(sealed.encrypted).length / 1024)))} KiB) to this node`);
        await bytes('PUT', '/v1/blobs/' + sealed.blob_hash, fromBase64(sealed.encrypted));
        msg.blob = { hash: sealed.blob_hash, size: fromBase64(sealed.encrypted).length, node: location.origin };
      }
      const r = await submit([{ type: 'exchange/send', value: msg }], { onStage: stage });
      setFile(null);
      setTo([]);
      setIds('');
      setParents('');
      setRound((n) => n + 1); // a fresh file input
      onSent();
      return { ...r, record: msg.id, name: msg.name, readers: sealed.readers.length, hash: msg.hash, hash_alg: msg.hash_alg };
    });
  };
  const others = (orgs.data || []).filter((o) => o.id !== me.org && o.status !== 'removed');
  return html`<form class="card" id="send-file" onSubmit=${go}>
    <h3>Send a file</h3>
    <p class="hint">The file is hashed (${me.algorithm === 'sm2' ? 'SM3' : 'SHA-256'}) and signed with your key and encrypted in this browser, for you, the recipients' people and the regulator; only the encrypted bytes leave the page (inline in the transaction up to 256 KiB, else stored on this node). Up to 64 MiB here; <code>otc exchange send</code> takes larger files.</p>
    <fieldset class="group"><legend>To</legend>
      <${Loading} load=${orgs}>
        <div class="row">${others.map((o) => html`<label class="check"><input type="checkbox" class="send-to" data-org=${o.id} checked=${to.includes(o.id)} onChange=${toggle(o.id)} /> ${o.name} (${o.id})</label>`)}</div>
      <//>
      <${Field} label="Or identities (ids, comma-separated)" id="send-ids"><input id="send-ids" size="60" value=${ids} onInput=${(e) => setIds(e.target.value)} /><//>
    </fieldset>
    <div class="row">
      <${Field} label="Category" id="send-category"><select id="send-category" value=${category} onChange=${(e) => setCategory(e.target.value)}>
        ${Object.entries(categories).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
      </select><//>
      <${Field} label="Parent records (optional)" id="send-parents" hint="The record ids this file is a new version of, or derived from."><input id="send-parents" size="30" value=${parents} onInput=${(e) => setParents(e.target.value)} /><//>
      <${Field} label="File" id="send-file-input"><input id="send-file-input" key=${round} type="file" onChange=${(e) => setFile(e.target.files[0] || null)} /><//>
      <button id="send-submit" type="submit" disabled=${!!act.stage || !me.enc_key}>Sign, encrypt and send</button>
    </div>
    ${!me.enc_key && html`<p class="hint">Sending needs your encryption key: sign in again with NAME.enc chosen too.</p>`}
    <${Busy} stage=${act.stage} />
    <${ErrorBox} error=${act.error} onClose=${act.clear} />
    ${act.result && html`<div class="ok" role="status" id="send-result">Sent ${act.result.name} as record ${act.result.record} (height ${group(act.result.height)}), sealed for ${act.result.readers} readers; ${act.result.hash_alg} ${short(act.result.hash, 16)}.</div>`}
  </form>`;
}

function RecordView({ id, tick, onClose, onChanged }) {
  const me = session.identity;
  const load = useLoad(() => Promise.all([query('exchange', 'records/' + encodeURIComponent(id)), query('exchange', 'trace/' + encodeURIComponent(id))]), [id, tick]);
  const [file, setFile] = useState(null); // {url, text, size}
  const [reason, setReason] = useState('');
  const opening = useAction();
  const acking = useAction();
  const [v, trace] = load.data || [];
  const mine = v && (v.recipients || []).some((r) => r === me.org || r === me.id);
  const acked = v && v.acks.some((a) => a.by === me.id || a.target === me.org);
  const openIt = () => opening.run(async (stage) => {
    let encrypted;
    if (v.blob) {
      stage(`fetching the encrypted file (${group(String(v.blob.size))} bytes) from this node`);
      try {
        encrypted = toBase64(await bytes('GET', '/v1/blobs/' + v.blob.hash));
      } catch (e) {
        if (e.code === 'blob_not_stored') throw { code: e.code, message: `this node does not hold the file yet; it is stored on the sender's node ${v.blob.node}: use otc exchange receive ${v.id}, which fetches it from there and keeps a copy on your node` };
        throw e;
      }
    }
    stage('checking the sender\'s signature and decrypting in this browser');
    const sender = await get('/v1/identities/' + v.sender);
    const { acks, status, ...record } = v; // the record as the chain holds it, without the view's extras
    const out = await call('openFile', { handle: me.handle, chain_id: session.chainId, record, sender, ...(encrypted ? { encrypted } : {}) });
    const data = fromBase64(out.data);
    const blob = new Blob([data]);
    const text = /\.(txt|csv|json|xml|md)$/i.test(v.name) && data.length <= 200000 ? new TextDecoder().decode(data) : '';
    setFile({ url: URL.createObjectURL(blob), text, size: data.length });
    return true;
  });
  const ack = (accepted) => acking.run(async (stage) => {
    if (!accepted && !reason.trim()) throw { code: 'bad_request', message: 'a rejection needs a reason' };
    stage('signing the acknowledgement in your browser');
    const st = await call('signStatement', { handle: me.handle, chain_id: session.chainId, kind: 'exchange-ack', record: v.id, hash: v.hash, accepted, reason: accepted ? '' : reason.trim() });
    const r = await submit([{ type: 'exchange/ack', value: { record: v.id, accepted, reason: accepted ? '' : reason.trim(), signature: st.signature } }], { onStage: stage });
    onChanged();
    load.refresh();
    return { ...r, accepted };
  });
  return html`<div class="card" id="record-view">
    <div class="row spread"><h3>Record ${id}</h3><button class="secondary" onClick=${onClose}>Close</button></div>
    <${Loading} load=${load}>
      ${v && html`<div>
        <dl class="facts">
          <dt>File</dt><dd>${v.name}, ${group(String(v.size))} bytes, ${categories[v.category] || v.category}</dd>
          <dt>${v.hash_alg.toUpperCase()}</dt><dd><code>${v.hash}</code></dd>
          <dt>From</dt><dd>${v.sender_org} (<code title=${v.sender}>${short(v.sender)}</code>)</dd>
          <dt>To</dt><dd>${(v.recipients || []).join(', ')}</dd>
          <dt>Sent</dt><dd>${chinaTime(v.time)}${v.block_time ? ' (block time ' + chinaTime(v.block_time) + ')' : ''}, block ${group(String(v.height))}, tx <a href=${'#/explorer/' + v.tx}><code>${short(v.tx, 12)}</code></a></dd>
          <dt>Stored</dt><dd>${v.blob ? `on the sender's node ${v.blob.node} (${group(String(v.blob.size))} encrypted bytes)` : 'inline in the transaction'}</dd>
        </dl>
        <h4>Acknowledgements</h4>
        <${Table} name=${'acks-' + id} rows=${v.acks} pageSize=${20}
          columns=${[{ key: 'target', label: 'Recipient' }, { key: 'org', label: 'By organisation' }, { key: 'by', label: 'Identity', text: (a) => a.by, render: (a) => html`<code title=${a.by}>${short(a.by)}</code>` },
            { key: 'accepted', label: 'Verdict', text: (a) => (a.accepted ? 'accepted' : 'rejected: ' + a.reason), render: (a) => html`<span class=${'pill ' + (a.accepted ? 'confirmed' : 'failed')}>${a.accepted ? 'accepted' : 'rejected'}</span> ${a.reason || ''}` },
            { key: 'time', label: 'When (China time)', text: (a) => chinaTime(a.time).replace(' China time', '') }]}
          empty="No recipient has acknowledged it yet." />
        <div class="row">
          <button id="record-open" disabled=${!!opening.stage} onClick=${openIt}>Decrypt and check</button>
          ${file && html`<a class="button" id="record-download" href=${file.url} download=${v.name}>Save ${v.name}</a>`}
          <button class="secondary" id="record-certificate" onClick=${() => opening.run(async (stage) => { stage('making the evidence certificate'); await download(`/v1/receipts/${v.tx}/certificate.pdf`, `certificate-${v.id}.pdf`); return true; })}>Certificate (PDF)</button>
        </div>
        <${Busy} stage=${opening.stage} />
        <${ErrorBox} error=${opening.error} onClose=${opening.clear} />
        ${file && html`<div class="ok" role="status" id="record-checked">${v.name}: the sender's signature verifies with ${v.sender_org}'s registered key; ${group(String(file.size))} bytes with the recorded ${v.hash_alg}.</div>`}
        ${file && file.text && html`<pre class="document" tabindex="0" aria-label="The file">${file.text}</pre>`}
        ${mine && !acked && html`<div class="row">
          <button id="record-accept" disabled=${!!acking.stage} onClick=${() => ack(true)}>Accept (signed)</button>
          <${Field} label="Reason to reject" id="reject-reason"><input id="reject-reason" size="40" value=${reason} onInput=${(e) => setReason(e.target.value)} /><//>
          <button class="secondary" id="record-reject" disabled=${!!acking.stage} onClick=${() => ack(false)}>Reject</button>
        </div>`}
        <${Busy} stage=${acking.stage} />
        <${ErrorBox} error=${acking.error} onClose=${acking.clear} />
        ${acking.result && html`<div class="ok" role="status" id="ack-result">${acking.result.accepted ? 'Accepted' : 'Rejected'} (height ${group(acking.result.height)}).</div>`}
        ${trace && trace.nodes.length > 1 && html`<div>
          <h4>Provenance 溯源</h4>
          <${Table} name=${'trace-' + id} rows=${trace.nodes} pageSize=${20}
            columns=${[{ key: 'id', label: 'Record', render: (n) => (n.id === id ? html`<strong>${n.id}</strong>` : n.id) },
              { key: 'name', label: 'File', text: (n) => (n.visible ? n.name : '(not visible to you)') },
              { key: 'sender_org', label: 'From' }, { key: 'parents', label: 'Derived from', text: (n) => (n.parents || []).join(', ') },
              { key: 'time', label: 'Sent (China time)', text: (n) => (n.time ? chinaTime(n.time).replace(' China time', '') : '') }]} />
        </div>`}
      </div>`}
    <//>
  </div>`;
}
