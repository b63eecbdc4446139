// Formatting for people: amounts with thousands separators and their own
// decimals (money is a decimal string end to end: never a float), dates as
// YYYY-MM-DD and times in China time, labelled.

// group inserts thousands separators into a decimal string ("1234567.50"
// gives "1,234,567.50"); other text is returned as it is.
export function group(s) {
  if (s === undefined || s === null || s === '') return '';
  const str = String(s);
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(str);
  if (!m) return str;
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] || '');
}

// amount shows money with two decimals ("10000" gives "10,000.00").
export function amount(s) {
  if (s === undefined || s === null || s === '') return '';
  const str = String(s);
  const m = /^(-?\d+)(?:\.(\d*))?$/.exec(str);
  if (!m) return str;
  const dec = ((m[2] || '') + '00').slice(0, Math.max(2, (m[2] || '').length));
  return group(m[1] + '.' + dec);
}

const chinaFmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

function parts(t) {
  const d = t instanceof Date ? t : new Date(t);
  if (isNaN(d)) return null;
  const p = {};
  for (const x of chinaFmt.formatToParts(d)) p[x.type] = x.value;
  return p;
}

// chinaTime: "2026-12-08 15:05:00 China time".
export function chinaTime(t) {
  const p = parts(t);
  if (!p) return '';
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} China time`;
}

// chinaDate: the China calendar date of a time, "2026-12-08".
export function chinaDate(t) {
  const p = parts(t);
  return p ? `${p.year}-${p.month}-${p.day}` : '';
}

// chinaHM: "15:05" China time.
export function chinaHM(t) {
  const p = parts(t);
  return p ? `${p.hour}:${p.minute}` : '';
}

// unixTime shows a block time given in seconds or nanoseconds since 1970.
export function unixTime(n) {
  if (!n) return '';
  const ms = n > 1e14 ? n / 1e6 : n * 1000;
  return chinaTime(new Date(ms));
}

// short shortens a long hex id for a table cell (the title keeps it whole).
export function short(h, n = 10) {
  if (!h) return '';
  return h.length > n + 2 ? h.slice(0, n) + '…' : h;
}

// navChange is the change from one NAV to the next in percent, computed on
// the decimal strings (4 decimals) with integers, to two decimals.
export function navChange(prev, next) {
  const p = toUnits(prev), n = toUnits(next);
  if (p === null || n === null || p === 0n) return '';
  const hp = ((n - p) * 10000n) / p; // hundredths of a percent, truncated
  const sign = hp < 0n ? '-' : '+';
  const a = hp < 0n ? -hp : hp;
  return `${sign}${a / 100n}.${String(a % 100n).padStart(2, '0')}%`;
}

function toUnits(s) {
  const m = /^(\d+)(?:\.(\d{0,4}))?$/.exec(String(s || ''));
  if (!m) return null;
  return BigInt(m[1]) * 10000n + BigInt(((m[2] || '') + '0000').slice(0, 4));
}

// cents parses a decimal string with up to two decimals into integer
// hundredths (BigInt); null when it is not one.
export function cents(s) {
  const m = /^(-?)(\d+)(?:\.(\d{0,2}))?$/.exec(String(s === undefined || s === null ? '' : s).trim());
  if (!m) return null;
  const v = BigInt(m[2]) * 100n + BigInt(((m[3] || '') + '00').slice(0, 2));
  return m[1] ? -v : v;
}

// fromCents is the decimal string of integer hundredths: 123456n gives "1234.56".
export function fromCents(c) {
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

// valueAt is shares (two decimals) times a NAV (four decimals) in CNY,
// rounded half up to the cent, computed on integers.
export function valueAt(shares, nav) {
  const s = cents(shares), n = toUnits(nav);
  if (s === null || n === null) return '';
  const v = s * n; // 1e-6 CNY
  return fromCents((v + 5000n) / 10000n);
}
