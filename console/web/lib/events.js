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
