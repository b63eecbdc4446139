// The public proof page. Everything runs here: the verifier (otcchain's Go
// package proof, compiled to WebAssembly) is inlined in this file, gzip +
// base64, and instantiated in the page (a copy opened from disk has no
// worker and no fetch). The only request it may make is GET /v1/genesis of
// the node that served it, when the user picks "this node's genesis".
//
// Inputs are bytes: the receipt JSON, the trust root JSON and the document.
// The receipt input also takes an evidence certificate PDF: the verifier
// reads the receipt attached to it. Hook for other receipt sources (a QR
// code): call otcVerifyPage.setReceipt(text, label) with the receipt JSON.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const served = location.protocol === 'http:' || location.protocol === 'https:';
  const state = { receipt: null, trust: null, doc: null, nodeGenesis: null };
  let verifier = null;
  let readyNote = ''; // how long the verifier took to start

  // --- loading the verifier -------------------------------------------------
  async function loadVerifier() {
    const b64 = $('verifier-wasm').textContent.trim();
    const bin = atob(b64);
    const gz = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) gz[i] = bin.charCodeAt(i);
    const stream = new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'));
    const wasm = await new Response(stream).arrayBuffer();
    const go = new Go();
    const { instance } = await WebAssembly.instantiate(wasm, go.importObject);
    go.run(instance); // sets globalThis.otcVerifier and keeps running
    if (!globalThis.otcVerifier || globalThis.otcVerifier.version !== 'otcchain-verifier/1') {
      throw new Error('the verifier did not start');
    }
    return globalThis.otcVerifier;
  }

  // --- inputs ---------------------------------------------------------------
  function readFile(file) {
    return new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(new Uint8Array(r.result));
      r.onerror = () => reject(r.error || new Error('cannot read ' + file.name));
      r.readAsArrayBuffer(file);
    });
  }
  const utf8 = new TextDecoder('utf-8');

  function showChosen(id, item) {
    const el = $(id + '-chosen');
    el.textContent = item ? item.label : '';
    el.classList.toggle('has', !!item);
  }

  async function take(kind, file) {
    if (!file) {
      state[kind] = null;
    } else {
      const bytes = await readFile(file);
      state[kind] = { name: file.name, bytes, label: `${file.name} (${bytes.length.toLocaleString('en')} bytes)` };
    }
    showChosen(kind === 'doc' ? 'document' : kind, state[kind]);
    changed();
  }

  function trustKind() { return $('trust-kind-node').checked ? 'node' : 'file'; }

  function ready() {
    const trustOK = trustKind() === 'node' ? !!state.nodeGenesis : !!state.trust;
    return verifier && state.receipt && trustOK;
  }

  function changed() {
    $('result').hidden = true; // a verdict is about the inputs it was given
    $('verify').disabled = !ready();
    if (verifier) {
      $('status').textContent = readyNote + (ready() ? 'Ready: press Verify.' :
        !state.receipt ? 'Choose the receipt.' : 'Choose the trust root.');
    }
  }

  function wire(kind, inputId, zoneId) {
    const input = $(inputId);
    input.addEventListener('change', () => take(kind, input.files[0]).catch(fail));
    const zone = $(zoneId).querySelector('.drop');
    zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      if (input.disabled) return;
      const f = e.dataTransfer && e.dataTransfer.files[0];
      if (f) take(kind, f).catch(fail);
    });
  }

  async function useNodeGenesis() {
    const node = trustKind() === 'node';
    $('trust').disabled = node;
    $('trust-drop').classList.toggle('disabled', node);
    if (node && !state.nodeGenesis) {
      $('status').textContent = "Fetching this node's genesis…";
      try {
        const res = await fetch('/v1/genesis', { credentials: 'omit', cache: 'no-store' });
        if (!res.ok) throw new Error('GET /v1/genesis answered ' + res.status);
        const bytes = new Uint8Array(await res.arrayBuffer());
        state.nodeGenesis = { name: "this node's genesis", bytes, label: `genesis of ${location.host} (${bytes.length.toLocaleString('en')} bytes)` };
      } catch (e) {
        $('trust-kind-file').checked = true;
        $('trust').disabled = false;
        $('trust-drop').classList.remove('disabled');
        fail(new Error("cannot fetch this node's genesis: " + e.message));
        return;
      }
    }
    showChosen('trust', node ? state.nodeGenesis : state.trust);
    changed();
  }

  // --- result ---------------------------------------------------------------
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else e.setAttribute(k, v);
    }
    for (const k of kids.flat()) if (k != null) e.append(k instanceof Node ? k : String(k));
    return e;
  }
  const mono = (s) => el('span', { class: 'mono' }, s);

  function pretty(json) {
    try { return JSON.stringify(JSON.parse(json), null, 2); } catch { return json; }
  }

  // The checks, in the order the verifier runs them.
  const steps = [
    ['receipt', 'Receipt read'],
    ['trust_root', 'Trust root'],
    ['commit', "Validators' signatures"],
    ['trust_path', 'Signers reached from the trust root'],
    ['tx_proof', 'Transaction in the block'],
    ['result_proof', 'Result of the transaction'],
    ['file_hash', 'Document hash'],
  ];
  const stepIndex = { receipt_format: 0, receipt: 0, trust_root: 1, commit: 2, trust_path: 3, tx_proof: 4, outcome_proof: 4, result_proof: 5, file_hash: 6 };

  function stepList(failed, hasDoc, outcome) {
    const at = failed ? stepIndex[failed] : steps.length;
    return el('ul', { class: 'steps', 'aria-label': 'checks' }, steps.map(([key, label], i) => {
      if (key === 'file_hash' && !hasDoc) return el('li', { class: 'skip' }, 'Document: none given');
      if (key === 'result_proof' && outcome) return null;
      if (key === 'tx_proof' && outcome) label = 'Outcome under the app hash';
      const cls = i < at ? 'pass' : i === at ? 'fail' : 'skip';
      return el('li', { class: cls, 'data-step': key }, label + (cls === 'skip' ? ' (not checked)' : ''));
    }));
  }

  function provenList(p, trustLabel) {
    const rows = [];
    const row = (k, ...v) => rows.push(el('dt', null, k), el('dd', null, ...v));
    if (p.outcome_key) {
      row('Record', mono(p.outcome_key), ' (end-block outcome, proven under the app hash of block ' + (p.height + 1) + ')');
      row('Value', el('pre', null, pretty(p.data)));
    } else {
      row('Record', ...(p.record || []).map((m) => el('div', null, mono(m.type), el('pre', null, pretty(JSON.stringify(m.value))))));
      if (p.memo) row('Memo', p.memo);
      if (p.signer) row('Signed by', 'identity ', mono(p.signer.id), ` (${p.signer.alg})`);
    }
    if (p.file) {
      row('Document', el('strong', null, p.file.name || 'the document'), ` (${p.file.size.toLocaleString('en')} bytes): its ${p.file.algorithm.toUpperCase()} `,
        mono(p.file.hash), ' is the hash the transaction committed');
    }
    if (p.from_certificate) row('Source', 'the receipt attached to the evidence certificate PDF (receipt.json): that receipt is what was verified; the certificate\'s printed text is a summary of it');
    row('Block', `height ${p.height}`, p.outcome_key ? '' : `, transaction ${p.index} of the block`);
    if (p.tx_hash) row('Transaction hash', mono(p.tx_hash));
    row('Block time', el('div', null, p.block_time_utc), el('div', null, p.block_time_china));
    const names = p.validators.map((v) => v.name || v.address).join(', ');
    row("Validators' signatures", `${p.signed_power} of ${p.total_power} voting power signed (more than 2/3 needed): ${names}`);
    row('Result', `code ${p.code}` + (p.code === 0 ? ' (success)' : ' (refused by the chain)'));
    if (!p.outcome_key && p.data) row('Result data', el('pre', null, p.data_hex ? p.data : pretty(p.data)));
    row('Chain', mono(p.chain_id));
    row('Trust root', trustLabel + ` (${p.trust_root}` + (p.trust_path && p.trust_path.length ? `, validator changes at heights ${p.trust_path.join(', ')}` : '') + ')');
    row('Block hash', mono(p.block_hash));
    return el('dl', null, rows);
  }

  function render(res, trustLabel, hasDoc) {
    const box = $('result');
    box.replaceChildren();
    box.hidden = false;
    const p = res.proven;
    if (res.ok) {
      box.className = 'result ok';
      const what = p.outcome_key ? `outcome ${p.outcome_key}` : (p.record || []).map((m) => m.type).join(', ');
      box.append(
        el('h2', { class: 'verdict', id: 'verdict' }, el('span', { class: 'mark', 'aria-hidden': 'true' }, '✔'), 'Verified', el('span', { lang: 'zh' }, '已验证')),
        el('p', { class: 'summary', id: 'summary' },
          `${p.file ? `The document ${p.file.name || ''} matches, and the` : 'The'} record (${what}) was committed on chain ${p.chain_id} in block ${p.height} at ${p.block_time_utc}, ` +
          `signed by validators holding ${p.signed_power} of ${p.total_power} voting power, checked from ${trustLabel}.`),
        stepList('', hasDoc, !!p.outcome_key),
        el('h2', null, 'What is proven'),
        provenList(p, trustLabel));
      if (!hasDoc && !p.outcome_key) box.append(el('p', { class: 'note' }, 'No document was checked. Add the document to check that it is the one this record names.'));
    } else {
      box.className = 'result bad';
      const f = res.failure;
      box.append(
        el('h2', { class: 'verdict', id: 'verdict' }, el('span', { class: 'mark', 'aria-hidden': 'true' }, '✘'), 'Not verified', el('span', { lang: 'zh' }, '未通过验证')),
        el('p', { class: 'summary', id: 'summary' }, el('strong', null, f.title + '.'), ' ', f.advice),
        stepList(f.step, hasDoc || f.step === 'file_hash', !!(p && p.outcome_key)),
        el('dl', null, el('dt', null, 'Failed step'), el('dd', { id: 'failed-step', 'data-step': f.step }, f.title),
          el('dt', null, 'Exact error'), el('dd', { class: 'mono', id: 'failure-detail' }, f.detail)));
      if (p) {
        box.append(el('h2', null, 'The receipt itself verifies'),
          el('p', { class: 'note' }, 'The record below is proven; only the document does not match it.'), provenList(p, trustLabel));
      }
    }
    if (p && p.simulated_clock) {
      box.append(el('p', { class: 'note' }, 'This is a development or sandbox network with a simulated business clock' +
        (p.business_time_unverified ? ` (business time ${p.business_time_unverified})` : '') + '; that note is not covered by the proof. The block time above is.'));
    }
    if (p && p.log_unverified) box.append(el('p', { class: 'note' }, 'Log (not covered by the proof): ' + p.log_unverified));
    box.focus();
  }

  function verify() {
    if (!ready()) return;
    const node = trustKind() === 'node';
    const trust = node ? state.nodeGenesis : state.trust;
    const trustLabel = node ? `the genesis of the node ${location.host} (you trust that node)` : `your file ${trust.name}`;
    $('status').textContent = 'Verifying…';
    const rb = state.receipt.bytes;
    const isPDF = rb.length > 5 && String.fromCharCode(...rb.subarray(0, 5)) === '%PDF-';
    const out = verifier.check(isPDF ? rb : utf8.decode(rb), utf8.decode(trust.bytes), state.doc ? state.doc.bytes : null, state.doc ? state.doc.name : '');
    render(JSON.parse(out), trustLabel, !!state.doc);
    $('status').textContent = 'Done.';
  }

  function fail(e) {
    $('status').textContent = 'Error: ' + (e && e.message ? e.message : e);
  }

  // --- start ----------------------------------------------------------------
  wire('receipt', 'receipt', 'zone-receipt');
  wire('trust', 'trust', 'zone-trust');
  wire('doc', 'document', 'zone-file');
  if (served) {
    $('trust-choice').hidden = false;
    for (const r of document.querySelectorAll('input[name="trust-kind"]')) r.addEventListener('change', useNodeGenesis);
    $('origin-note').textContent = `Served by ${location.host}; save this page to verify without any node.`;
  } else {
    $('origin-note').textContent = 'Opened from disk: no network is used.';
  }
  $('form').addEventListener('submit', (e) => { e.preventDefault(); try { verify(); } catch (err) { fail(err); } });
  $('clear').addEventListener('click', () => {
    for (const id of ['receipt', 'trust', 'document']) $(id).value = '';
    state.receipt = state.trust = state.doc = null;
    for (const id of ['receipt', 'trust', 'document']) showChosen(id, null);
    if (trustKind() === 'node') showChosen('trust', state.nodeGenesis);
    $('result').hidden = true;
    changed();
  });
  globalThis.otcVerifyPage = {
    // setReceipt is the hook for other receipt readers (QR code, PDF).
    setReceipt(text, label) {
      const bytes = new TextEncoder().encode(text);
      state.receipt = { name: label || 'receipt', bytes, label: label || `receipt (${bytes.length} bytes)` };
      showChosen('receipt', state.receipt);
      changed();
    },
  };
  const started = performance.now();
  loadVerifier().then((v) => {
    verifier = v;
    const ms = Math.round(performance.now() - started);
    document.body.dataset.verifier = 'ready';
    document.body.dataset.loadMs = String(ms);
    readyNote = `Verifier ready (${ms} ms). `;
    changed();
  }).catch((e) => {
    document.body.dataset.verifier = 'failed';
    fail(new Error('the verifier did not load: ' + e.message));
  });
})();
