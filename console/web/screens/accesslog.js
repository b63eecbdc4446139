// The node's access log for the regulator (访问日志): every read of
// personal data, of a document or a blob, every refused read and rejected
// transaction this node saw (package audit, GET /v1/audit), newest first.
// The page checks the hash chain of what it fetched with the browser's
// SHA-256: each entry's hash over its canonical bytes and its link to the
// one before, and the last one against GET /v1/audit/head.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad } from '../lib/ui.js';
import { chinaTime, group, short } from '../lib/format.js';
import { get, bytes } from '../lib/api.js';

const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

// checkChain verifies the entries' hashes and links; from > 0 leaves the
// first entry's link unchecked (its predecessor was not fetched).
export async function checkChain(entries, head) {
  let prev = null;
  for (const { line, e } of entries) {
    const at = line.lastIndexOf(',"hash":"');
    if (at < 0 || !/^[0-9a-f]{64}$/.test(e.hash)) return { ok: false, why: `entry ${e.seq} has no hash` };
    const canonical = line.slice(0, at) + '}';
    const h = hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical)));
    if (h !== e.hash) return { ok: false, why: `entry ${e.seq}: its hash does not match its content (changed after it was written)` };
    if (prev !== null && e.prev !== prev) return { ok: false, why: `entry ${e.seq} does not follow entry ${e.seq - 1} (an entry was removed or changed)` };
    prev = e.hash;
  }
  if (entries.length && head && entries[entries.length - 1].e.hash !== head.hash) return { ok: false, why: 'the last entry is not the log\'s head' };
  return { ok: true };
}

export function AccessLog({ tick }) {
  const [n, setN] = useState(2000);
  const load = useLoad(async () => {
    const head = await get('/v1/audit/head');
    const from = Math.max(0, head.seq - n + 1);
    const text = new TextDecoder().decode(await bytes('GET', `/v1/audit?from=${from}&limit=${n}`));
    const entries = text.split('\n').filter((l) => l.trim()).map((line) => ({ line, e: JSON.parse(line) }));
    // The export itself is logged after the head was read: check up to the head.
    const chain = await checkChain(entries.filter((x) => x.e.seq <= head.seq), head);
    return { head, from, chain, rows: entries.map((x) => x.e).reverse() };
  }, [n, tick]);
  const d = load.data;
  return html`<section>
    <h2>Access log 访问日志</h2>
    <p class="hint">This node's own log (not consensus: each node keeps one): who read which investor's personal data, which document or file, what was refused, and the transactions it rejected — with the reader's identity, organisation, role, address and the node's clock. Export and verify the whole log with <code>otc audit export</code> and <code>otc audit verify</code>.</p>
    <div class="row"><${Field} label="Entries" id="log-n"><select id="log-n" value=${n} onChange=${(e) => setN(Number(e.target.value))}>
      ${[500, 2000, 10000].map((x) => html`<option value=${x}>the last ${group(String(x))}</option>`)}
    </select><//></div>
    <${Loading} load=${load}>
      ${d && html`<div>
        <div class=${d.chain.ok ? 'ok' : 'error'} role="status" id="log-chain">${d.chain.ok
          ? `Hash chain intact for entries ${d.from} to ${d.head.seq} (checked here with SHA-256; the last is the node's head ${short(d.head.hash, 12)}), node ${short(d.head.node, 12)}.`
          : `The hash chain does NOT verify: ${d.chain.why}.`}</div>
        <${Table} name="access-log" rows=${d.rows} pageSize=${50}
          columns=${[
            { key: 'seq', label: 'Seq', num: true },
            { key: 'time', label: 'When (China time)', text: (e) => (e.time ? chinaTime(e.time).replace(' China time', '') : '') },
            { key: 'kind', label: 'Kind' },
            { key: 'org', label: 'Who', text: (e) => (e.org ? `${e.org} ${e.role}` : e.kind === 'genesis' ? '' : 'anonymous') },
            { key: 'identity', label: 'Identity', text: (e) => e.identity || '', render: (e) => html`<code title=${e.identity || ''}>${short(e.identity || '', 10)}</code>` },
            { key: 'subject', label: 'What', text: (e) => e.subject || '' },
            { key: 'record', label: 'Record' },
            { key: 'outcome', label: 'Outcome', render: (e) => html`<span class=${'pill ' + (e.outcome === 'served' || e.outcome === 'stored' ? 'confirmed' : e.outcome ? 'failed' : '')}>${e.outcome || ''}</span>`, text: (e) => e.outcome || '' },
            { key: 'reason', label: 'Reason' },
            { key: 'remote', label: 'From address' },
          ]}
          filters=${[{ key: 'kind', label: 'Kind', options: [...new Set(d.rows.map((e) => e.kind))] }, { key: 'outcome', label: 'Outcome', options: [...new Set(d.rows.map((e) => e.outcome).filter(Boolean))] }]} />
      </div>`}
    <//>
  </section>`;
}
