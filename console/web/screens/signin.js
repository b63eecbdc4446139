// Sign-in: the user picks the identity's files from its keystore
// directory (NAME.key and NAME.crt, and NAME.enc for identities that read
// or seal personal data) and types the passphrase. The files are read and
// decrypted in the browser's signer; the API sees only the signed login.
import { html, useState } from '../vendor/htm-preact-3.1.1.js';
import { ErrorBox, Busy, Field } from '../lib/ui.js';
import { call, startSigner } from '../lib/signer.js';
import { signIn } from '../lib/api.js';

function pick(files) {
  const out = { key: null, cert: null, enc: null, other: [] };
  for (const f of files) {
    if (/\.key$/i.test(f.name) || /key\.pem$/i.test(f.name)) out.key = f;
    else if (/\.crt$/i.test(f.name) || /(cert|crt)\.pem$/i.test(f.name)) out.cert = f;
    else if (/\.enc$/i.test(f.name)) out.enc = f;
    else out.other.push(f.name);
  }
  return out;
}

export function SignIn({ status, onSignedIn }) {
  const [files, setFiles] = useState(pick([]));
  const [pass, setPass] = useState('');
  const [stage, setStage] = useState('');
  const [error, setError] = useState(null);

  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    if (!files.key || !files.cert) {
      setError({ code: 'bad_request', message: 'choose the identity\'s key file (NAME.key) and its certificate (NAME.crt)' });
      return;
    }
    try {
      setStage('starting the signer');
      await startSigner();
      setStage('opening the key in your browser');
      const id = await call('open', {
        key: await files.key.text(),
        cert: await files.cert.text(),
        enc: files.enc ? await files.enc.text() : '',
        passphrase: pass,
      });
      setPass('');
      setStage('signing the login challenge');
      try {
        await signIn(id);
      } catch (err) {
        await call('forget', { handle: id.handle });
        throw err;
      }
      onSignedIn(id);
    } catch (err) {
      setError(err);
    } finally {
      setStage('');
    }
  };

  return html`<main class="signin">
    <h1>otcchain console</h1>
    <p class="sub">${status ? `${status.chain_id} · node ${status.moniker}` : ''}</p>
    <form onSubmit=${submit} autocomplete="off">
      <${Field} label="Identity files" id="files" hint="From your organisation's keystore directory: NAME.key and NAME.crt (and NAME.enc if you read or register personal data). They are opened in this browser only.">
        <input id="files" type="file" multiple accept=".key,.crt,.enc,.pem" onChange=${(e) => setFiles(pick(e.target.files))} />
      <//>
      <ul class="files">
        <li class=${files.key ? 'ok' : ''}>key: ${files.key ? files.key.name : 'not chosen'}</li>
        <li class=${files.cert ? 'ok' : ''}>certificate: ${files.cert ? files.cert.name : 'not chosen'}</li>
        <li class=${files.enc ? 'ok' : ''}>encryption key: ${files.enc ? files.enc.name : 'none (optional)'}</li>
        ${files.other.length > 0 && html`<li class="warn">ignored: ${files.other.join(', ')}</li>`}
      </ul>
      <${Field} label="Passphrase" id="passphrase">
        <input id="passphrase" type="password" value=${pass} onInput=${(e) => setPass(e.target.value)} autocomplete="current-password" />
      <//>
      <button id="signin" type="submit" disabled=${!!stage}>Sign in</button>
      <${Busy} stage=${stage} />
      <${ErrorBox} error=${error} />
    </form>
    <p class="note">Your private key and passphrase never leave this page: the signer runs the chain's own code, compiled to WebAssembly, inside your browser.</p>
  </main>`;
}
