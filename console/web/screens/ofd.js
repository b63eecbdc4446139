// GB/T 39595 file upload at the desk (申请文件): the node checks and maps
// a 01 (accounts) or 03 (transactions) file record by record
// (POST /v1/ofd/check) and the page shows each record as it is checked;
// then the mapped orders are signed here and sent as batch transactions
// (tx.Batch, as otc ofd import does), with each item's result. Nothing is
// sent when the file is refused whole.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, useAction, Busy, ErrorBox } from '../lib/ui.js';
import { amount, group } from '../lib/format.js';
import { query, submit, session, refusal, ApiError } from '../lib/api.js';
import { call } from '../lib/signer.js';

const batchSize = 500; // items per batch transaction (otc ofd import --batch)

// checkFile posts the file and calls onLine with each JSON line of the
// streamed answer as it arrives; it returns the summary.
async function checkFile(file, params, onLine) {
  const res = await fetch('/v1/ofd/check?' + new URLSearchParams(params).toString(), {
    method: 'POST', headers: { Authorization: 'Bearer ' + session.token, 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(await file.arrayBuffer()), cache: 'no-store',
  });
  if (!res.ok) {
    let e = {};
    try { e = (await res.json()).error || {}; } catch (err) { /* the status says it */ }
    throw new ApiError(res.status, e.code || 'http_' + res.status, e.message || res.statusText);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '', summary = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (!line) continue;
      const x = JSON.parse(line);
      if (x.summary) summary = x.summary;
      else onLine(x);
    }
  }
  if (!summary) throw { code: 'bad_answer', message: 'the node\'s answer ended without a summary: check the file again' };
  return summary;
}

export function OfdUpload({ clock }) {
  const [file, setFile] = useState(null);
  const [anyDate, setAnyDate] = useState(false);
  const [rows, setRows] = useState([]);
  const [summary, setSummary] = useState(null);
  const [results, setResults] = useState(null);
  const check = useAction();
  const send = useAction();
  const run = (e) => {
    e.preventDefault();
    check.run(async (stage) => {
      if (!file) throw { code: 'bad_request', message: 'choose a 01 or 03 file' };
      setRows([]);
      setSummary(null);
      setResults(null);
      const cal = await query('fund', 'calendar');
      const { trade_date: td } = await call('tradeDate', { calendar: cal, business_time: clock.business_time });
      stage(`checking ${file.name} on the node (trade date ${td})`);
      const got = [];
      let last = 0;
      const s = await checkFile(file, { trade_date: td, ...(anyDate ? { any_date: 'true' } : {}) }, (x) => {
        got.push(x);
        if (got.length - last >= 200 || got.length < 50) { // redraw often at first, then in steps
          last = got.length;
          setRows([...got]);
          stage(`checking ${file.name}: ${group(String(got.length))} records checked`);
        }
      });
      setRows(got);
      setSummary(s);
      return s;
    });
  };
  const mapped = rows.filter((r) => r.status === 'mapped');
  const needKYC = mapped.filter((r) => r.register);
  const submitAll = () => send.run(async (stage) => {
    if (needKYC.length) throw { code: 'kyc_in_file', message: `${needKYC.length} records register investors with personal data, which must be sealed where the file is read: import this 01 file with otc ofd import (the console seals personal data at KYC 开户)` };
    const out = {};
    const batches = Math.ceil(mapped.length / batchSize);
    for (let b = 0; b < batches; b++) {
      const part = mapped.slice(b * batchSize, (b + 1) * batchSize);
      stage(`batch ${b + 1} of ${batches}: signing and sending ${part.length} items`);
      const r = await submit([{ type: 'batch', value: { items: part.map((x) => x.msg) } }], { onStage: (s) => stage(`batch ${b + 1} of ${batches}: ${s}`) });
      const items = (r.data && r.data.msgs && r.data.msgs[0] && r.data.msgs[0].data && r.data.msgs[0].data.items) || [];
      part.forEach((x, i) => {
        const it = items[i] || {};
        const why = it.code ? refusal(it) : null; // "fund/5 unknown_investor" and the message, as for a refused tx
        out[x.line] = why ? { status: 'refused by the chain', code: why.code, reason: why.message } : { status: 'accepted', height: r.height };
      });
      setResults({ ...out });
    }
    return { accepted: Object.values(out).filter((x) => x.status === 'accepted').length, refused: Object.values(out).filter((x) => x.status !== 'accepted').length };
  });
  const shown = rows.map((r) => ({ ...r, result: results && results[r.line] }));
  return html`<section>
    <h2>File upload 申请文件 (GB/T 39595)</h2>
    <form class="card" id="ofd-form" onSubmit=${run}>
      <p class="hint">An account (01) or transaction (03) application file from your sales system. The node checks every record and maps it to its chain message without signing anything; the records are shown as they are checked. Then the mapped orders are signed here and sent in batches of ${batchSize}.</p>
      <div class="row">
        <${Field} label="01 or 03 file" id="ofd-file"><input id="ofd-file" type="file" accept=".txt,.TXT" onChange=${(e) => setFile(e.target.files[0] || null)} /><//>
        <label class="check"><input type="checkbox" id="ofd-any-date" checked=${anyDate} onChange=${(e) => setAnyDate(e.target.checked)} /> Accept records dated other than the trade date (only warn)</label>
        <button id="ofd-check" type="submit" disabled=${!!check.stage || !clock}>Check the file</button>
      </div>
      <${Busy} stage=${check.stage} />
      <${ErrorBox} error=${check.error} onClose=${check.clear} />
    </form>
    ${summary && html`<div class=${summary.file_ok ? 'ok' : 'error'} role="status" id="ofd-summary">
      ${summary.file_ok ? `File ${summary.file_type}, trade date ${summary.trade_date || '—'}: ${group(String(summary.records))} records, ${group(String(summary.mapped))} mapped, ${group(String(summary.refused))} refused, ${group(String(summary.invalid))} invalid.`
        : `The file is refused whole: ${summary.error || 'see the records'}. Nothing of it may be sent.`}
    </div>`}
    ${summary && summary.file_ok && mapped.length > 0 && html`<div class="row">
      <button id="ofd-submit" disabled=${!!send.stage || !!send.result} onClick=${submitAll}>Sign and send ${group(String(mapped.length))} mapped records</button>
    </div>`}
    <${Busy} stage=${send.stage} />
    <${ErrorBox} error=${send.error} onClose=${send.clear} />
    ${send.result && html`<div class="ok" role="status" id="ofd-result">${group(String(send.result.accepted))} accepted, ${group(String(send.result.refused))} refused by the chain.</div>`}
    ${rows.some((r) => r.warning) && html`<p class="hint" id="ofd-warnings">${group(String(rows.filter((r) => r.warning).length))} records have a warning (hover over it, or download the CSV): ${rows.find((r) => r.warning).warning}</p>`}
    ${rows.length > 0 && html`<${Table} name=${'ofd-' + (file ? file.name : 'file')} rows=${shown}
      columns=${[
        { key: 'line', label: 'Line', num: true },
        { key: 'serial', label: 'Application no.' },
        { key: 'business', label: 'Business' },
        { key: 'investor', label: 'Investor' },
        { key: 'amount', label: 'Amount / shares', num: true, text: (r) => { const v = (r.msg && r.msg.value) || {}; return v.amount ? amount(v.amount) : v.shares ? group(v.shares) : ''; } },
        { key: 'status', label: 'Check', render: (r) => html`<span class=${'pill ' + (r.status === 'mapped' ? 'confirmed' : 'failed')}>${r.status}</span>${r.code ? html` <code>${r.code}</code>` : ''} ${r.reason ? html`<span class="reason">${r.reason}</span>` : ''}${r.warning ? html` <span class="pill pending" title=${r.warning}>warning</span>` : ''}`, text: (r) => `${r.status} ${r.code || ''} ${r.reason || ''} ${r.warning || ''}`.trim() },
        { key: 'result', label: 'On the chain', text: (r) => (r.result ? `${r.result.status}${r.result.code ? ' ' + r.result.code + ' ' + r.result.reason : ''}` : ''),
          render: (r) => (r.result ? html`<span class=${'pill ' + (r.result.status === 'accepted' ? 'confirmed' : 'failed')}>${r.result.status}</span>${r.result.code ? html` <code>${r.result.code}</code><div class="reason">${r.result.reason}</div>` : ''}` : '') },
      ]}
      filters=${[{ key: 'status', label: 'Check', options: ['mapped', 'refused'] }, { key: 'business', label: 'Business', options: [...new Set(rows.map((r) => r.business))] }]} />`}
  </section>`;
}
