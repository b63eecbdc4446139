// Shared pieces of every screen: error and progress boxes, labelled
// fields, and the list table (search, filters, pages, CSV export).
import { html, useState, useMemo, useEffect, useCallback } from '../vendor/htm-preact-3.1.1.js';

export { html };

// What to do about a refusal, by code (the message says what happened).
const advice = {
  bad_passphrase: 'Type the passphrase of this key file again (it is case-sensitive).',
  key_cert_mismatch: 'Choose the .crt with the same name as the .key.',
  bad_certificate: 'Choose the identity certificate NAME.crt from the keystore directory.',
  bad_key_file: 'Choose the NAME.key file of the keystore directory.',
  unknown_identity: 'This certificate is not registered on the chain: ask your organisation admin.',
  identity_revoked: 'This certificate was revoked: ask your organisation admin for a new one.',
  auth_required: 'Sign in again.',
  not_permitted: 'Your role may not do this; ask an identity of the right role.',
  network: 'Check that the node runs, then try again.',
  tx_not_committed: 'The chain did not commit it in time; try again (a resubmission is safe).',
};

export function ErrorBox({ error, onClose }) {
  if (!error) return null;
  const code = error.code || 'error';
  const hint = advice[code] || (code.includes('/') ? 'The chain refused it; correct what the message names and try again.' : '');
  return html`<div class="error" role="alert">
    <strong>Refused</strong> <code>${code}</code>: ${error.message}
    ${hint && html`<div class="hint">${hint}</div>`}
    ${onClose && html`<button class="link" onClick=${onClose}>dismiss</button>`}
  </div>`;
}

export function Busy({ stage }) {
  if (!stage) return null;
  return html`<div class="busy" role="status"><span class="spinner"></span>${stage}…</div>`;
}

export function Field({ label, id, hint, children }) {
  return html`<div class="field"><label for=${id}>${label}</label>${children}${hint && html`<div class="hint">${hint}</div>`}</div>`;
}

// useAction runs a signed action with its stage, error and result.
export function useAction() {
  const [stage, setStage] = useState('');
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  const run = useCallback(async (fn) => {
    setError(null);
    setResult(null);
    setStage('working');
    try {
      const r = await fn(setStage);
      setResult(r);
      return r;
    } catch (e) {
      setError(e);
      return null;
    } finally {
      setStage('');
    }
  }, []);
  return { stage, error, result, run, clear: () => setError(null) };
}

// useLoad loads data and reloads it when deps change or on refresh().
export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    fn().then((data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }));
    return () => { live = false; };
  }, [...deps, n]);
  return { ...state, refresh: () => setN((x) => x + 1) };
}

function cellText(col, row) {
  const v = col.text ? col.text(row) : row[col.key];
  return v === undefined || v === null ? '' : String(v);
}

function csvQuote(s) {
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

// Table lists rows with a search box, optional filters ({key, label,
// options}), pages of pageSize rows and a CSV download of what matches.
// columns: {key, label, num (right-aligned), text(row) (search and CSV),
// render(row) (what the cell shows)}.
export function Table({ columns, rows, filters = [], pageSize = 50, name = 'export', empty = 'Nothing here yet.', truncated }) {
  const [q, setQ] = useState('');
  const [sel, setSel] = useState({});
  const [page, setPage] = useState(0);
  const matched = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (rows || []).filter((r) => {
      for (const f of filters) if (sel[f.key] && String(r[f.key]) !== sel[f.key]) return false;
      if (!needle) return true;
      return columns.some((c) => cellText(c, r).toLowerCase().includes(needle));
    });
  }, [rows, q, sel]);
  const pages = Math.max(1, Math.ceil(matched.length / pageSize));
  const p = Math.min(page, pages - 1);
  const shown = matched.slice(p * pageSize, (p + 1) * pageSize);
  const download = () => {
    const lines = [columns.map((c) => csvQuote(c.label)).join(',')];
    for (const r of matched) lines.push(columns.map((c) => csvQuote(cellText(c, r))).join(','));
    const blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name + '.csv';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return html`<div class="table-block">
    <div class="table-tools">
      <input type="search" aria-label="Search" placeholder="Search" value=${q} onInput=${(e) => { setQ(e.target.value); setPage(0); }} />
      ${filters.map((f) => html`<label class="filter">${f.label}
        <select value=${sel[f.key] || ''} onChange=${(e) => { setSel({ ...sel, [f.key]: e.target.value }); setPage(0); }}>
          <option value="">all</option>
          ${f.options.map((o) => html`<option value=${o}>${o}</option>`)}
        </select></label>`)}
      <span class="count">${matched.length.toLocaleString('en-US')} of ${(rows || []).length.toLocaleString('en-US')}${truncated ? '+ (more on the chain: narrow the search)' : ''}</span>
      <button class="secondary" onClick=${download} disabled=${!matched.length}>CSV</button>
    </div>
    <div class="scroll"><table>
      <thead><tr>${columns.map((c) => html`<th class=${c.num ? 'num' : ''} scope="col">${c.label}</th>`)}</tr></thead>
      <tbody>
        ${shown.length ? shown.map((r) => html`<tr>${columns.map((c) => html`<td class=${c.num ? 'num' : ''}>${c.render ? c.render(r) : cellText(c, r)}</td>`)}</tr>`)
          : html`<tr><td colspan=${columns.length} class="empty">${rows && rows.length ? 'No row matches the search.' : empty}</td></tr>`}
      </tbody>
    </table></div>
    ${pages > 1 && html`<div class="pager">
      <button class="secondary" disabled=${p === 0} onClick=${() => setPage(p - 1)}>Previous</button>
      <span>page ${p + 1} of ${pages}</span>
      <button class="secondary" disabled=${p >= pages - 1} onClick=${() => setPage(p + 1)}>Next</button>
    </div>`}
  </div>`;
}

export function Loading({ load, children }) {
  if (load.error) return html`<${ErrorBox} error=${load.error} />`;
  if (load.loading && !load.data) return html`<${Busy} stage="loading" />`;
  return children;
}
