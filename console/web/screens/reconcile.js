// Reconciliation (对账) of a channel's positions in a fund: the TA's
// register as the chain holds it (fund/funds/{code}/reconciliation/{channel},
// what the 05 file carries), compared in the browser with the channel's own
// books (a CSV of investor and shares). Shares are compared as integers of
// hundredths: no floating point.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { Table, Field, Loading, useLoad, useAction, Busy, ErrorBox } from '../lib/ui.js';
import { amount, group, cents, fromCents, valueAt } from '../lib/format.js';
import { query, session } from '../lib/api.js';

// parseCSV splits CSV text into rows of fields (RFC 4180 quoting; a
// byte-order mark and CRLF line ends are accepted).
export function parseCSV(text) {
  const rows = [];
  let row = [], field = '', quoted = false, i = 0;
  const s = text.replace(/^\ufeff/, '');
  while (i < s.length) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' || c === '\n') {
      row.push(field); rows.push(row); row = []; field = '';
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += c; i++;
  }
  if (quoted) throw { code: 'bad_csv', message: 'the file ends inside a quoted field' };
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

// booksFrom reads the channel's books: a header row naming an investor
// column and a shares column (investor / 投资者 / investor_id, shares /
// 份额), or, without a header, the first two columns.
export function booksFrom(text) {
  const rows = parseCSV(text);
  if (rows.length === 0) throw { code: 'bad_csv', message: 'the file has no rows' };
  const head = rows[0].map((h) => h.trim().toLowerCase());
  let inv = head.findIndex((h) => /^(investor|investor_id|investor no\.?|投资者|投资人编号)$/.test(h));
  let sh = head.findIndex((h) => /^(shares|份额|持有份额)$/.test(h));
  let start = 1;
  if (inv < 0 || sh < 0) {
    if (cents(rows[0][1]) === null) throw { code: 'bad_csv', message: 'the first row names no "investor" and "shares" columns, and its second field is not a number of shares' };
    inv = 0; sh = 1; start = 0;
  }
  const out = new Map();
  for (let n = start; n < rows.length; n++) {
    const id = (rows[n][inv] || '').trim();
    const v = cents(rows[n][sh]);
    if (!id || v === null || v < 0n) throw { code: 'bad_csv', message: `line ${n + 1}: want an investor number and shares with at most two decimals, got "${rows[n].join(',')}"` };
    if (out.has(id)) throw { code: 'bad_csv', message: `line ${n + 1}: investor ${id} appears twice` };
    out.set(id, v);
  }
  return out;
}

// compare lists every investor in the register or the books with both
// figures and the difference (books minus register).
export function compare(positions, books) {
  const rows = [];
  const seen = new Set();
  for (const p of positions) {
    const reg = cents(p.shares) || 0n;
    seen.add(p.investor);
    const b = books.has(p.investor) ? books.get(p.investor) : null;
    rows.push({ investor: p.investor, register: reg, books: b, diff: (b === null ? 0n : b) - reg, status: b === null ? 'only in the register' : (b === reg ? 'match' : 'break') });
  }
  for (const [id, b] of books) {
    if (seen.has(id)) continue;
    rows.push({ investor: id, register: 0n, books: b, diff: b, status: b === 0n ? 'match' : 'only in your books' });
  }
  return rows;
}

export function Reconcile({ tick }) {
  const org = session.identity.org;
  const manager = session.identity.role === 'fund_manager';
  const funds = useLoad(async () => (await query('fund', 'funds')).filter((f) => (manager ? f.manager === org : (f.resellers || []).includes(org))), [org]);
  const [code, setCode] = useState('');
  const [channel, setChannel] = useState('');
  const fund = (funds.data || []).find((f) => f.code === code) || (funds.data || [])[0];
  const channels = fund ? (manager ? [...new Set([...(fund.resellers || []), org])] : [org]) : [];
  const ch = channels.includes(channel) ? channel : channels[0];
  const load = useLoad(() => (fund && ch ? query('fund', `funds/${fund.code}/reconciliation/${encodeURIComponent(ch)}`) : new Promise(() => {})), [fund && fund.code, ch, tick]);
  const [books, setBooks] = useState(null);
  const reading = useAction();
  const rec = load.data;
  const readBooks = (file) => reading.run(async (stage) => {
    if (!file) return null;
    stage('reading ' + file.name);
    const b = booksFrom(await file.text());
    setBooks({ name: file.name, map: b });
    return b;
  });
  const cmp = rec && books ? compare(rec.positions, books.map) : null;
  const breaks = cmp ? cmp.filter((r) => r.status !== 'match').length : 0;
  return html`<section>
    <h2>Reconciliation 对账</h2>
    <${Loading} load=${funds}>
      <div class="row">
        <${Field} label="Fund" id="rec-fund"><select id="rec-fund" value=${fund ? fund.code : ''} onChange=${(e) => { setCode(e.target.value); setBooks(null); }}>
          ${(funds.data || []).map((f) => html`<option value=${f.code}>${f.code} ${f.name}</option>`)}
        </select><//>
        ${manager && html`<${Field} label="Channel" id="rec-channel"><select id="rec-channel" value=${ch || ''} onChange=${(e) => { setChannel(e.target.value); setBooks(null); }}>
          ${channels.map((c) => html`<option value=${c}>${c === org ? c + ' (direct sales)' : c}</option>`)}
        </select><//>`}
      </div>
      ${(funds.data || []).length === 0 && html`<p class="hint">${manager ? 'You manage no fund yet.' : `No fund authorises ${org} to sell it yet.`}</p>`}
    <//>
    <${Loading} load=${load}>
      ${rec && html`<div>
        <p class="total">The TA's register for <strong>${rec.channel}</strong> in fund <strong>${rec.fund}</strong>: <strong id="rec-total">${group(rec.total_shares)}</strong> shares in ${group(String(rec.positions.length))} positions, worth <strong>${amount(valueAt(rec.total_shares, rec.nav))} CNY</strong> at the NAV ${rec.nav} of ${rec.nav_date}.</p>
        <div class="card">
          <h3>Compare with your books</h3>
          <p class="hint">A CSV of your own positions: a header row with <code>investor</code> and <code>shares</code> columns (or the investor number and the shares as the first two columns), shares with at most two decimals. It is read in this browser only.</p>
          <${Field} label="Your positions (CSV)" id="rec-books"><input id="rec-books" type="file" accept=".csv,text/csv" onChange=${(e) => readBooks(e.target.files[0])} /><//>
          <${Busy} stage=${reading.stage} />
          <${ErrorBox} error=${reading.error} onClose=${reading.clear} />
          ${cmp && html`<div>
            <p role="status" id="rec-summary" class=${breaks ? 'error' : 'ok'}>${books.name}: ${group(String(books.map.size))} positions; ${breaks === 0 ? 'every position matches the register.' : `${group(String(breaks))} of ${group(String(cmp.length))} differ from the register.`}</p>
            <${Table} name=${`reconciliation-${rec.fund}-${rec.channel}-breaks`} rows=${cmp}
              columns=${[{ key: 'investor', label: 'Investor' },
                { key: 'register', label: 'TA register', num: true, text: (r) => group(fromCents(r.register)) },
                { key: 'books', label: 'Your books', num: true, text: (r) => (r.books === null ? '' : group(fromCents(r.books))) },
                { key: 'diff', label: 'Difference', num: true, text: (r) => (r.diff === 0n ? '' : group(fromCents(r.diff))) },
                { key: 'status', label: 'Status', render: (r) => html`<span class=${'pill ' + (r.status === 'match' ? 'confirmed' : 'failed')}>${r.status}</span>` }]}
              filters=${[{ key: 'status', label: 'Status', options: ['match', 'break', 'only in the register', 'only in your books'] }]} />
          </div>`}
        </div>
        <h3>Positions in the register</h3>
        <${Table} name=${`register-${rec.fund}-${rec.channel}`} rows=${rec.positions}
          columns=${[{ key: 'investor', label: 'Investor' }, { key: 'ta_account', label: 'TA account' }, { key: 'trans_account', label: 'Transaction account' },
            { key: 'shares', label: 'Shares', num: true, text: (p) => group(p.shares) },
            { key: 'available', label: 'Available', num: true, text: (p) => group(p.available) },
            { key: 'pending', label: 'Pending redemption', num: true, text: (p) => group(p.pending) },
            { key: 'frozen', label: 'Frozen', num: true, text: (p) => group(p.frozen) },
            { key: 'value', label: 'Market value (CNY)', num: true, text: (p) => amount(valueAt(p.shares, rec.nav)) }]}
          empty="The channel holds no shares of this fund." />
      </div>`}
    <//>
  </section>`;
}
