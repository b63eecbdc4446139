// The explorer: the chain's status and validators, and a tx by hash with
// its result and a download of its offline-verifiable receipt and of its
// evidence certificate (PDF, with the receipt attached).
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad, ErrorBox } from '../lib/ui.js';
import { chinaTime, group, short } from '../lib/format.js';
import { get, download } from '../lib/api.js';
import { Lifecycle } from './lifecycle.js';

export function Explorer({ hash, order, tick }) {
  const status = useLoad(() => get('/v1/status', { auth: false }), [tick]);
  const [h, setH] = useState(hash || '');
  const [o, setO] = useState(order || '');
  const s = status.data;
  return html`<section>
    <h2>Explorer</h2>
    <${Loading} load=${status}>
      ${s && html`<dl class="facts">
        <dt>Chain</dt><dd>${s.chain_id}</dd>
        <dt>Height</dt><dd id="height">${group(s.latest_height)}</dd>
        <dt>Block time</dt><dd>${chinaTime(s.latest_block_time)}</dd>
        <dt>App hash</dt><dd><code>${s.latest_app_hash}</code></dd>
        <dt>Node</dt><dd>${s.moniker} ${s.catching_up ? '(catching up)' : ''}</dd>
      </dl>`}
      ${s && html`<${Table} name="validators" rows=${s.validators} pageSize=${20} columns=${[
        { key: 'address', label: 'Validator', render: (v) => html`<code>${v.address}</code>` },
        { key: 'type', label: 'Key', text: (v) => v.pub_key.type },
        { key: 'power', label: 'Power', num: true },
      ]} />`}
    <//>
    <${Blocks} tick=${tick} />
    <form class="row" onSubmit=${(e) => { e.preventDefault(); location.hash = '#/explorer/' + h.trim().toLowerCase(); }}>
      <${Field} label="Transaction hash" id="tx-hash"><input id="tx-hash" size="66" value=${h} onInput=${(e) => setH(e.target.value)} /><//>
      <button type="submit">Look up</button>
    </form>
    ${hash && html`<${TxView} hash=${hash} />`}
    <form class="row" onSubmit=${(e) => { e.preventDefault(); location.hash = '#/explorer/order/' + encodeURIComponent(o.trim()); }}>
      <${Field} label="Order (CHANNEL:APP_NO)" id="lifecycle-order" hint="Its whole lifecycle across the organisations, each hop with its receipt."><input id="lifecycle-order" size="30" value=${o} onInput=${(e) => setO(e.target.value)} /><//>
      <button type="submit" id="lifecycle-show">Show the lifecycle</button>
    </form>
    ${order && html`<${Lifecycle} id=${order} key=${order} tick=${tick} />`}
  </section>`;
}

function TxView({ hash }) {
  const load = useLoad(() => get('/v1/txs/' + hash), [hash]);
  const [err, setErr] = useState(null);
  const t = load.data;
  const receipt = async () => {
    try {
      const r = await get('/v1/receipts/' + hash);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([JSON.stringify(r, null, 2)], { type: 'application/json' }));
      a.download = 'receipt-' + hash.slice(0, 16) + '.json';
      a.click();
    } catch (e) {
      setErr(e);
    }
  };
  // The certificate is a PDF, fetched with the session's token (the names
  // in it are those the signed-in identity may read).
  const certificate = () => download('/v1/receipts/' + hash + '/certificate.pdf', 'certificate-' + hash.slice(0, 16) + '.pdf').catch(setErr);
  return html`<${Loading} load=${load}>
    ${t && html`<div class="card">
      <h3>Transaction ${short(hash, 16)}</h3>
      <dl class="facts">
        <dt>Height / index</dt><dd>${group(t.height)} / ${t.index}</dd>
        <dt>Block time</dt><dd>${chinaTime(t.time)}</dd>
        <dt>Signer</dt><dd><code>${t.signer}</code> (${t.algorithm})</dd>
        <dt>Result</dt><dd>${t.result && t.result.code ? html`<span class="pill failed">${t.result.codespace}/${t.result.code}</span> ${t.result.log}` : html`<span class="pill confirmed">ok</span>`}</dd>
        <dt>Messages</dt><dd>${((t.body && t.body.msgs) || []).map((m) => html`<div><code>${m.type}</code></div>`)}</dd>
      </dl>
      <button class="secondary" onClick=${receipt}>Download receipt</button>
      <button class="secondary" onClick=${certificate}>Certificate (PDF)</button>
      <${ErrorBox} error=${err} />
    </div>`}
  <//>`;
}

// Blocks lists recent block headers (GET /v1/blocks), newest first, a page
// of 20 at a time.
function Blocks({ tick }) {
  const [before, setBefore] = useState(0);
  const load = useLoad(() => get('/v1/blocks?limit=20' + (before ? '&before=' + before : ''), { auth: false }), [before, before ? 0 : tick]);
  const d = load.data;
  const oldest = d && d.blocks.length ? d.blocks[d.blocks.length - 1].height : 0;
  return html`<div>
    <h3>Blocks</h3>
    <${Loading} load=${load}>
      ${d && html`<div>
        <${Table} name="blocks" rows=${d.blocks} pageSize=${20}
          columns=${[{ key: 'height', label: 'Height', num: true, text: (b) => group(String(b.height)) },
            { key: 'time', label: 'Block time (China time)', text: (b) => chinaTime(b.time).replace(' China time', '') },
            { key: 'num_txs', label: 'Transactions', num: true, text: (b) => group(String(b.num_txs)) },
            { key: 'proposer', label: 'Proposer', render: (b) => html`<code title=${b.proposer}>${short(b.proposer, 12)}</code>`, text: (b) => b.proposer },
            { key: 'hash', label: 'Block hash', render: (b) => html`<code title=${b.hash}>${short(b.hash, 16)}</code>`, text: (b) => b.hash },
            { key: 'app_hash', label: 'App hash', render: (b) => html`<code title=${b.app_hash}>${short(b.app_hash, 16)}</code>`, text: (b) => b.app_hash }]}
          empty="No block yet." />
        <div class="row">
          ${before ? html`<button class="secondary" id="blocks-newest" onClick=${() => setBefore(0)}>Newest</button>` : ''}
          ${oldest > Math.max(d.earliest_height, 1) && html`<button class="secondary" id="blocks-older" onClick=${() => setBefore(oldest)}>Older blocks</button>`}
          <span class="muted">heights ${group(String(Math.max(d.earliest_height, 1)))} to ${group(String(d.latest_height))} kept by this node</span>
        </div>
      </div>`}
    <//>
  </div>`;
}
