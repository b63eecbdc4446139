// follow reads the API's event stream (server-sent events) with the
// session's token and calls fn with {type: 'tx' | 'block', data} for each
// event; it reconnects after a pause and returns a stop function.
// EventSource cannot send the Authorization header, so this reads the
// stream with fetch.
import { session } from './api.js';

export function follow(fn) {
  let stopped = false;
  let ctrl = null;
  let from = '';
  const run = async () => {
    while (!stopped) {
      ctrl = new AbortController();
      try {
        const res = await fetch('/v1/events' + (from ? '?from=' + from : ''), {
          headers: { Accept: 'text/event-stream', Authorization: 'Bearer ' + session.token },
          signal: ctrl.signal, cache: 'no-store',
        });
        if (!res.ok || !res.body) throw new Error('stream ' + res.status);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const chunk = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const ev = { type: 'message', data: '' };
            for (const line of chunk.split('\n')) {
              if (line.startsWith('event:')) ev.type = line.slice(6).trim();
              else if (line.startsWith('data:')) ev.data += line.slice(5).trim();
              else if (line.startsWith('id:')) ev.id = line.slice(3).trim();
            }
            if (!ev.data) continue;
            if (ev.id) from = String(parseInt(ev.id, 10) + 1);
            try {
              fn({ type: ev.type, data: JSON.parse(ev.data) });
            } catch (e) {
              // a screen's reload failed; it shows its own error
            }
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      await new Promise((r) => setTimeout(r, 3000));
    }
  };
  run();
  return () => { stopped = true; if (ctrl) ctrl.abort(); };
}

// entryAt finds the first entry of the event stream at height that matches
// filter ({type, ...attributes}, as the API's query parameters): a tx
// entry ({type: 'tx', data: {hash, height, time, events...}}) or an
// end-block one. It resolves null when the stream shows none at that
// height within a few seconds (the filter hides what does not match, so
// silence means nothing there).
export async function entryAt(height, filter, { wait = 6000 } = {}) {
  const q = new URLSearchParams({ from: String(height), ...filter });
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), wait);
  try {
    const res = await fetch('/v1/events?' + q.toString(), {
      headers: { Accept: 'text/event-stream', Authorization: 'Bearer ' + session.token },
      signal: ctrl.signal, cache: 'no-store',
    });
    if (!res.ok || !res.body) return null;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return null;
      buf += value;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const chunk = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let type = 'message', data = '';
        for (const line of chunk.split('\n')) {
          if (line.startsWith('event:')) type = line.slice(6).trim();
          else if (line.startsWith('data:')) data += line.slice(5).trim();
        }
        if (!data || (type !== 'tx' && type !== 'block')) continue;
        const d = JSON.parse(data);
        return d.height === height ? { type, data: d } : null;
      }
    }
  } catch (e) {
    return null;
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
}
