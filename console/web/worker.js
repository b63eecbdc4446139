// The console's key holder: runs the project's own signing code
// (console/signer, Go compiled to WebAssembly) in a Web Worker, so that
// decrypted keys live only in this worker's memory. The page sends
// {id, fn, arg} (arg: a JSON string) and gets {id, out} back (out: a JSON
// string, {"ok": ...} or {"error": {"code", "message"}}).
/* global Go, otcSigner */
importScripts('wasm_exec.js');

const go = new Go();
WebAssembly.instantiateStreaming(fetch('signer.wasm'), go.importObject)
  .then((r) => {
    go.run(r.instance);
    postMessage({ ready: true, version: otcSigner.version });
  })
  .catch((e) => postMessage({ fatal: String(e) }));

onmessage = (e) => {
  const { id, fn, arg } = e.data;
  const f = typeof otcSigner === 'object' ? otcSigner[fn] : undefined;
  if (typeof f !== 'function') {
    postMessage({ id, out: JSON.stringify({ error: { code: 'bad_request', message: 'the signer has no function ' + fn } }) });
    return;
  }
  let out;
  try {
    out = f(arg);
  } catch (err) {
    // The Go program ended (a panic prints to the console): no key is
    // usable any more; the page has to be reloaded.
    out = JSON.stringify({ error: { code: 'signer_failed', message: 'the signer stopped (' + err + '): reload the page and sign in again' } });
  }
  postMessage({ id, out });
};
