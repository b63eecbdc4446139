// The API of the node that served the page. Every failure becomes an
// ApiError with the API's code and message; a refused transaction carries
// its module's codespace and code.
import { call } from './signer.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// session: the signed-in identity (from the signer) and its API token.
export const session = { identity: null, token: '', chainId: '', onChange: null };

async function login() {
  const id = session.identity;
  const ch = await request('POST', '/v1/auth/challenge', { body: {}, auth: false });
  const sig = await call('signLogin', { handle: id.handle, chain_id: ch.chain_id, audience: location.host, challenge: ch.challenge });
  const tok = await request('POST', '/v1/auth/token', { body: sig, auth: false });
  session.token = tok.token;
  session.chainId = ch.chain_id;
  return tok;
}

export async function signIn(identity) {
  session.identity = identity;
  try {
    await login();
  } catch (e) {
    session.identity = null;
    throw e;
  }
}

// signOut ends the session at once: the page forgets the token and the
// worker the keys; revoking the token on the server follows in the
// background (it expires by itself if the node cannot be reached).
export async function signOut() {
  const id = session.identity;
  const token = session.token;
  session.identity = null;
  session.token = '';
  if (token) {
    fetch('/v1/auth/token', { method: 'DELETE', headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' }).catch(() => {});
  }
  if (id) call('forget', { handle: id.handle }).catch(() => {});
}

export async function request(method, path, { body, auth = true, retried = false, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth && session.token) headers.Authorization = 'Bearer ' + session.token;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'the node did not answer (' + e.message + '): check that it runs and try again');
  }
  if (res.status === 401 && auth && session.identity && !retried) {
    await login(); // the token expired: sign the next challenge and go on
    return request(method, path, { body, auth, retried: true, signal });
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    if (!res.ok) throw new ApiError(res.status, 'http_' + res.status, text.slice(0, 200));
    throw new ApiError(res.status, 'bad_answer', 'the node answered something that is not JSON');
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText);
  }
  return data;
}

export const get = (path, opts) => request('GET', path, opts);

// query reads a module query: query('fund', 'funds/000001', {limit: 100}).
export function query(module, path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== '') q.set(k, v);
  const qs = q.toString();
  return get(`/v1/q/${module}/${path}` + (qs ? '?' + qs : ''));
}

// submit signs msgs in the browser and sends the tx, waiting for its
// commit. A tx refused by its module throws an ApiError whose code is
// "codespace/code" and whose message is the module's.
export async function submit(msgs, { onStage } = {}) {
  const id = session.identity;
  onStage && onStage('signing in your browser');
  const st = await get('/v1/status', { auth: false });
  const signed = await call('signTx', { handle: id.handle, chain_id: st.chain_id, msgs, expiry: st.latest_height + 100 });
  onStage && onStage('waiting for the block');
  const res = await request('POST', '/v1/txs', { body: { tx: signed.tx, wait: true, timeout_ms: 30000 } });
  if (res.code) throw refusal(res);
  return res;
}

// refusal turns a failed tx result into an ApiError: the module's log reads
// "fund/23 nav_out_of_order: message 0 (fund/publish_nav): what happened".
export function refusal(res) {
  let code = `${res.codespace || 'app'}/${res.code}`;
  let msg = res.log || 'refused';
  const m = /^(\S+\/\d+ [a-z0-9_]+): (?:message \d+ \([^)]*\): )?([\s\S]*)$/.exec(msg);
  if (m) {
    code = m[1];
    msg = m[2];
  }
  return new ApiError(200, code, msg);
}

// statement signs a fund statement (kind order, risk-ack, nav).
export function statement(req) {
  return call('signStatement', { handle: session.identity.handle, chain_id: session.chainId, ...req });
}

// bytes sends a request whose body or answer is binary (blobs): it returns
// the answer as a Uint8Array; a refusal throws an ApiError as request does.
export async function bytes(method, path, body, retried = false) {
  const headers = { Authorization: 'Bearer ' + session.token };
  if (body) headers['Content-Type'] = 'application/octet-stream';
  let res;
  try {
    res = await fetch(path, { method, headers, body, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', 'the node did not answer (' + e.message + '): check that it runs and try again');
  }
  if (res.status === 401 && session.identity && !retried) {
    await login();
    return bytes(method, path, body, true);
  }
  if (!res.ok) {
    let err = {};
    try {
      err = (await res.json()).error || {};
    } catch (e) {
      // not JSON: the status says it
    }
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText);
  }
  return new Uint8Array(await res.arrayBuffer());
}

// base64 of bytes, for the signer's JSON.
export function toBase64(u8) {
  let bin = '';
  for (let i = 0; i < u8.length; i += 0x8000) bin += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function fromBase64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// download fetches a binary answer (a certificate PDF) with the session's
// token and offers it as a file.
export async function download(path, name, type = 'application/pdf') {
  const b = await bytes('GET', path);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([b], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
