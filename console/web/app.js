// The otcchain console: one page for every role. The signed-in
// certificate's role picks the screens; the API decides what each identity
// may read, and the console shows exactly that.
import { html, render, useState, useEffect } from './vendor/htm-preact-3.1.1.js';
import { get, query, session, signOut } from './lib/api.js';
import { ErrorBox } from './lib/ui.js';
import { startSigner } from './lib/signer.js';
import { SignIn } from './screens/signin.js';
import { ClockBanner } from './screens/clock.js';
import { Funds, FundPage, NavReview } from './screens/fund.js';
import { Investor } from './screens/investor.js';
import { Desk, InvestorLookup } from './screens/desk.js';
import { Explorer } from './screens/explorer.js';
import { OrderEntry } from './screens/order.js';
import { Alerts, Interventions } from './screens/regulator.js';
import { Kyc } from './screens/kyc.js';
import { Reconcile } from './screens/reconcile.js';
import { Admin } from './screens/admin.js';
import { Exchange } from './screens/exchange.js';
import { Contracts } from './screens/contract.js';
import { Governance } from './screens/governance.js';
import { OfdUpload } from './screens/ofd.js';
import { Overview } from './screens/overview.js';
import { AccessLog } from './screens/accesslog.js';
import { follow } from './lib/events.js';

const roleNames = {
  investor: 'Investor 投资者', reseller: 'Reseller desk 销售机构', fund_manager: 'Fund manager / TA 基金管理人',
  custodian: 'Custodian 托管人', regulator: 'Regulator 监管机构', admin: 'Organisation admin 管理员', seal: 'Seal 印章',
};

// Each role's screens: [route, label, component]; the first is the main one.
const screens = {
  investor: [['holdings', 'Holdings and orders', Investor], ['funds', 'Funds', Funds]],
  reseller: [['orders', 'Orders', Desk], ['kyc', 'KYC 开户', Kyc], ['new-order', 'New order', OrderEntry], ['upload', 'File upload', OfdUpload], ['reconcile', 'Reconciliation', Reconcile], ['investor', 'Investor', InvestorLookup], ['contracts', 'Contracts', Contracts], ['exchange', 'Data exchange', Exchange], ['funds', 'Funds', Funds]],
  fund_manager: [['my-funds', 'Your funds', (p) => html`<${Funds} mine=${true} ...${p} />`], ['new-order', 'Direct order', OrderEntry], ['kyc', 'KYC 开户', Kyc], ['upload', 'File upload', OfdUpload], ['reconcile', 'Reconciliation', Reconcile], ['contracts', 'Contracts', Contracts], ['exchange', 'Data exchange', Exchange], ['funds', 'All funds', Funds]],
  custodian: [['nav-review', 'NAV review', NavReview], ['my-funds', 'Funds in custody', (p) => html`<${Funds} mine=${true} ...${p} />`], ['contracts', 'Contracts', Contracts], ['exchange', 'Data exchange', Exchange]],
  regulator: [['alerts', 'Alerts', Alerts], ['overview', 'Overview', Overview], ['interventions', 'Interventions', Interventions], ['investor', 'Investor look-through', InvestorLookup], ['access-log', 'Access log', AccessLog], ['contracts', 'Contracts', Contracts], ['exchange', 'Data exchange', Exchange], ['governance', 'Governance', Governance], ['funds', 'Funds', Funds]],
  admin: [['identities', 'Identities and seals', Admin], ['governance', 'Governance', Governance], ['contracts', 'Contracts', Contracts], ['funds', 'Funds', Funds]],
  seal: [['funds', 'Funds', Funds]],
};

function useRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

function App() {
  const [status, setStatus] = useState(null);
  const [error, setError] = useState(null);
  const [identity, setIdentity] = useState(null);
  const [clock, setClock] = useState(null);
  const [tick, setTick] = useState(0); // bumps on every committed block seen: screens reload
  const route = useRoute();

  useEffect(() => {
    get('/v1/status', { auth: false }).then(setStatus, setError);
    startSigner().catch(setError); // load the WebAssembly while the user picks files
  }, []);
  const loadClock = () => query('clock', 'now').then(setClock, setError);
  useEffect(() => {
    if (!identity) return undefined;
    loadClock();
    const stop = follow((ev) => {
      setTick((t) => t + 1);
      if (ev.type === 'tx' || ev.type === 'block') loadClock();
    });
    const t = setInterval(loadClock, 30000);
    return () => { stop(); clearInterval(t); };
  }, [identity]);

  if (!identity) {
    return html`<div>
      <${ErrorBox} error=${error} />
      <${SignIn} status=${status} onSignedIn=${(id) => { setIdentity(id); if (!location.hash) location.hash = '#/'; }} />
    </div>`;
  }
  const mine = screens[identity.role] || [];
  const [first, ...rest] = route;
  let body;
  if (first === 'funds' && rest[0]) body = html`<${FundPage} code=${rest[0]} clock=${clock} tick=${tick} />`;
  else if (first === 'explorer') body = rest[0] === 'order' ? html`<${Explorer} order=${rest[1]} tick=${tick} />` : html`<${Explorer} hash=${rest[0]} tick=${tick} />`;
  else {
    const s = mine.find((x) => x[0] === first) || mine[0];
    body = s ? html`<${s[2]} clock=${clock} tick=${tick} key=${s[0]} />` : html`<p>No screen for the role ${identity.role} yet.</p>`;
  }
  const active = first || (mine[0] && mine[0][0]);
  const out = async () => {
    try {
      await signOut();
    } finally {
      setIdentity(null);
      setClock(null);
      location.hash = '';
    }
  };
  return html`<div class="shell">
    <header>
      <div class="brand">otcchain <span class="muted">${status && status.chain_id}</span></div>
      <nav aria-label="Screens">
        ${mine.map(([r, label]) => html`<a href=${'#/' + r} class=${active === r ? 'active' : ''}>${label}</a>`)}
        <a href="#/explorer" class=${active === 'explorer' ? 'active' : ''}>Explorer</a>
      </nav>
      <div class="who" id="who">
        <div>
          <div class="role">${roleNames[identity.role] || identity.role}</div>
          <div class="muted" title=${identity.id}>${identity.name} · ${identity.org} · ${identity.algorithm}</div>
        </div>
        <button class="secondary" id="signout" onClick=${out}>Sign out</button>
      </div>
    </header>
    <${ClockBanner} clock=${clock} onAdvanced=${loadClock} />
    <main>${body}</main>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
