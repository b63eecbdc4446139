// Public key material the signer seals for, read from the public queries.
// Only public keys: the page never sees a private one.
import { get, query } from './api.js';
import { call } from './signer.js';

// keySet reads the encryption keys of targets (organisations, or 64-hex
// identity ids) and of every regulator identity: member.KeySet, what the
// signer seals contract documents and exchanged files for.
export async function keySet(targets) {
  const keys = { orgs: {}, identities: {}, regulators: [] };
  for (const t of targets) {
    if (/^[0-9a-f]{64}$/.test(t)) keys.identities[t] = await get('/v1/identities/' + t);
    else keys.orgs[t] = await query('member', 'orgs/' + encodeURIComponent(t) + '/encryption-keys');
  }
  for (const o of await regulatorOrgs()) keys.regulators.push(...await query('member', 'orgs/' + encodeURIComponent(o.id) + '/encryption-keys'));
  return keys;
}

// regulatorKeys are the regulator organisations with their identities'
// encryption keys (fund.OrgKeys, what KYC seals personal data for).
export async function regulatorKeys() {
  return Promise.all((await regulatorOrgs()).map(async (o) => ({ org: o, keys: await query('member', 'orgs/' + encodeURIComponent(o.id) + '/encryption-keys') })));
}

async function regulatorOrgs() {
  return (await query('member', 'orgs')).filter((o) => o.type === 'regulator' && o.status !== 'removed');
}

// withKeyFiles opens a NAME.key and NAME.crt chosen in files (another
// identity's: an investor at the counter, an organisation's seal) for fn,
// and forgets the key right after, whatever fn does.
export async function withKeyFiles(files, passphrase, what, fn) {
  const pick = (re) => [...(files || [])].find((f) => re.test(f.name));
  const key = pick(/\.key$/i), cert = pick(/\.crt$/i);
  if (!key || !cert) throw { code: 'bad_request', message: `choose ${what}'s NAME.key and NAME.crt` };
  const id = await call('open', { key: await key.text(), cert: await cert.text(), passphrase });
  try {
    return await fn(id);
  } finally {
    await call('forget', { handle: id.handle });
  }
}
