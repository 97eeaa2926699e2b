// The resident's chat page and the one-line embed script for the commune website. Plain HTML and
// a little script, large text, works on old phones; no build step.
import { escapeHtml } from '../plugins/resident-page.ts';

/** The page of one commune's chat; `base` is where its routes are (/chat, or /chat/<slug>). */
export function renderChatPage(communeName: string, base = '/chat'): string {
  const name = escapeHtml(communeName);
  // The base is built from encodeURIComponent (commune-paths.ts): nothing in it can end the script.
  const api = JSON.stringify(`${base}/api`);
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hỏi đáp với ${name}</title>
<style>
  :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 18px; color: #1b1b1b; }
  body { margin: 0; display: flex; flex-direction: column; height: 100vh; background: #f4f6f8; }
  header { background: #b71c1c; color: #fff; padding: .7rem 1rem; font-weight: 600; }
  #log { flex: 1; overflow-y: auto; padding: 1rem; display: flex; flex-direction: column; gap: .6rem; }
  .msg { max-width: 85%; padding: .6rem .8rem; border-radius: .8rem; white-space: pre-wrap; line-height: 1.4; }
  .resident { align-self: flex-end; background: #d7ecff; }
  .commune { align-self: flex-start; background: #fff; border: 1px solid #dde; }
  .buttons { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .5rem; }
  .buttons button { font-size: 1rem; padding: .5rem .8rem; border-radius: .5rem; border: 1px solid #b71c1c; background: #fff; color: #b71c1c; }
  form { display: flex; gap: .5rem; padding: .7rem; background: #fff; border-top: 1px solid #dde; }
  textarea { flex: 1; font-size: 1rem; padding: .6rem; border-radius: .5rem; border: 1px solid #99a; resize: none; height: 3.2rem; }
  .photo { display: flex; align-items: center; font-size: 1.6rem; cursor: pointer; }
  .photo input { position: absolute; width: 1px; height: 1px; opacity: 0; }
  form button { font-size: 1rem; padding: 0 1.2rem; border: 0; border-radius: .5rem; background: #b71c1c; color: #fff; }
  #status { font-size: .85rem; color: #666; padding: 0 1rem .3rem; min-height: 1.1rem; }
</style>
</head>
<body>
<header>Hỏi đáp, phản ánh với ${name}</header>
<div id="log" role="log" aria-live="polite"></div>
<div id="status"></div>
<form id="f">
  <label class="photo" title="Gửi ảnh">📷<input id="p" type="file" accept="image/jpeg,image/png,image/webp" aria-label="Gửi ảnh (JPEG, PNG, tối đa 10 MB)"></label>
  <textarea id="t" name="text" maxlength="4000" placeholder="Nhập câu hỏi hoặc phản ánh…" aria-label="Nội dung"></textarea>
  <button type="submit">Gửi</button>
</form>
<script>
(function () {
  var api = ${api};
  var log = document.getElementById('log'), form = document.getElementById('f'), input = document.getElementById('t'), status = document.getElementById('status');
  var seen = {};
  function uuid() { return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)); }
  function show(e) {
    if (seen[e.id]) { return update(e.id, e.buttons); }
    var div = document.createElement('div');
    div.className = 'msg ' + e.from; div.id = 'm-' + e.id; div.textContent = e.text;
    seen[e.id] = div; log.appendChild(div); update(e.id, e.buttons); log.scrollTop = log.scrollHeight;
  }
  function update(id, buttons) {
    var div = seen[id]; if (!div) return;
    var old = div.querySelector('.buttons'); if (old) old.remove();
    if (!buttons || !buttons.length) return;
    var box = document.createElement('div'); box.className = 'buttons';
    buttons.forEach(function (row) { row.forEach(function (b) {
      var btn = document.createElement('button'); btn.type = 'button'; btn.textContent = b.label;
      btn.onclick = function () { post(api + '/actions', { data: b.data, messageId: id, actionId: uuid() }); };
      box.appendChild(btn);
    }); });
    div.appendChild(box);
  }
  function post(url, body) {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, credentials: 'same-origin', body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error((j.error && j.error.message) || 'Không gửi được, xin thử lại.'); return j; }); })
      .catch(function (e) { status.textContent = (e && e.message) || 'Không gửi được, xin thử lại.'; throw e; });
  }
  form.onsubmit = function (ev) {
    ev.preventDefault();
    var text = input.value.trim(); if (!text) return;
    var id = uuid();
    show({ id: 'r-' + id, from: 'resident', text: text });
    input.value = ''; status.textContent = 'Đang gửi…';
    post(api + '/messages', { text: text, clientMessageId: id }).then(function () { status.textContent = ''; }, function () {});
  };
  // A photo goes as it is, with what is typed as its caption; the server checks type and size.
  var photo = document.getElementById('p');
  photo.onchange = function () {
    var file = photo.files && photo.files[0]; if (!file) return;
    if (file.size > 10 * 1024 * 1024) { status.textContent = 'Ảnh lớn quá (tối đa 10 MB).'; photo.value = ''; return; }
    var id = uuid(), caption = input.value.trim();
    show({ id: 'r-' + id, from: 'resident', text: '📷 Ảnh' + (caption ? ': ' + caption : '') });
    input.value = ''; status.textContent = 'Đang gửi ảnh…';
    fetch(api + '/photos?clientMessageId=' + encodeURIComponent(id) + '&caption=' + encodeURIComponent(caption), { method: 'POST', headers: { 'content-type': file.type || 'image/jpeg' }, credentials: 'same-origin', body: file })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error((j.error && j.error.message) || 'Không gửi được ảnh.'); status.textContent = ''; }); })
      .catch(function (e) { status.textContent = (e && e.message) || 'Không gửi được ảnh, xin thử lại.'; });
    photo.value = '';
  };
  input.addEventListener('keydown', function (e) { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });
  function connect() {
    var es = new EventSource(api + '/events');
    es.onmessage = function (m) {
      var ev = JSON.parse(m.data);
      if (ev.type === 'message') show(ev.entry); else if (ev.type === 'buttons') update(ev.id, ev.buttons);
      status.textContent = '';
    };
    es.onerror = function () { status.textContent = 'Mất kết nối, đang thử lại…'; };
  }
  connect();
})();
</script>
</body>
</html>`;
}

/** `<script src="…/chat/embed.js"></script>` on the commune website adds a chat button. */
export function renderEmbedScript(baseUrl: string, chatPath = '/chat'): string {
  const url = JSON.stringify(`${baseUrl.replace(/\/$/, '')}${chatPath}`);
  return `(function () {
  if (window.__loaxaChat) return; window.__loaxaChat = true;
  var btn = document.createElement('button');
  btn.textContent = 'Hỏi đáp với xã';
  btn.setAttribute('style', 'position:fixed;right:16px;bottom:16px;z-index:2147483646;padding:12px 18px;border:0;border-radius:24px;background:#b71c1c;color:#fff;font:600 16px system-ui,sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer');
  var frame = null;
  btn.onclick = function () {
    if (frame) { frame.style.display = frame.style.display === 'none' ? 'block' : 'none'; return; }
    frame = document.createElement('iframe');
    frame.src = ${url};
    frame.title = 'Hỏi đáp với xã';
    frame.setAttribute('style', 'position:fixed;right:16px;bottom:72px;width:min(380px,calc(100vw - 32px));height:min(600px,calc(100vh - 96px));border:1px solid #ccc;border-radius:12px;z-index:2147483647;background:#fff');
    document.body.appendChild(frame);
  };
  document.body.appendChild(btn);
})();
`;
}
