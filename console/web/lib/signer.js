// The page's side of the key holder (worker.js). Keys and passphrases go
// to the worker and never anywhere else.

let worker = null;
let ready = null;
let seq = 0;
const waiting = new Map();

// SignerError carries the signer's code (bad_passphrase, key_cert_mismatch...).
export class SignerError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export function startSigner() {
  if (ready) return ready;
  worker = new Worker('worker.js');
  ready = new Promise((resolve, reject) => {
    worker.onmessage = (e) => {
      const m = e.data;
      if (m.ready) return resolve(m.version);
      if (m.fatal) return reject(new SignerError('signer_failed', 'the signer did not start: ' + m.fatal));
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      let out;
      try {
        out = JSON.parse(m.out);
      } catch (err) {
        return w.reject(new SignerError('signer_failed', 'the signer answered something that is not JSON'));
      }
      if (out.error) w.reject(new SignerError(out.error.code, out.error.message));
      else w.resolve(out.ok);
    };
    worker.onerror = (e) => reject(new SignerError('signer_failed', 'the signer did not start: ' + (e.message || 'unknown error')));
  });
  return ready;
}

// call runs one signer function: open, forget, signLogin, signTx,
// signStatement, hash.
export async function call(fn, arg) {
  await startSigner();
  return new Promise((resolve, reject) => {
    const id = ++seq;
    const timer = setTimeout(() => {
      if (!waiting.delete(id)) return;
      reject(new SignerError('signer_timeout', `the signer did not answer ${fn} within a minute: reload the page and sign in again`));
    }, 60000);
    waiting.set(id, {
      resolve: (v) => { clearTimeout(timer); resolve(v); },
      reject: (e) => { clearTimeout(timer); reject(e); },
    });
    worker.postMessage({ id, fn, arg: JSON.stringify(arg) });
  });
}
