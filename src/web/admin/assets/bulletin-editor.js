// The bulletin editor's live parts: the length and reading-time estimate under each text box (the
// same rule as src/bulletins/speech-estimate.ts, with the numbers the page carries), uploading a
// recording to the API (streamed, limit checked there) and listening to the rendered result.
(function () {
  'use strict';
  function estimate(text, wpm, pause) {
    var t = text.trim();
    var words = t ? t.split(/\s+/).length : 0;
    var sentences = (t.match(/[.!?…]+(\s|$)/g) || []).length;
    return { chars: Array.from(t).length, words: words, seconds: Math.round((words / wpm) * 60 + sentences * pause) };
  }
  document.querySelectorAll('textarea[data-estimate]').forEach(function (area) {
    var out = document.getElementById(area.getAttribute('data-estimate'));
    if (!out) return;
    var wpm = Number(out.getAttribute('data-words-per-minute')) || 150;
    var pause = Number(out.getAttribute('data-sentence-pause')) || 0;
    var nf = new Intl.NumberFormat('vi-VN');
    var update = function () {
      var e = estimate(area.value, wpm, pause);
      out.querySelector('[data-chars]').textContent = nf.format(e.chars);
      out.querySelector('[data-words]').textContent = nf.format(e.words);
      out.querySelector('[data-duration]').textContent = Math.floor(e.seconds / 60) + ' phút ' + (e.seconds % 60) + ' giây';
    };
    area.addEventListener('input', update);
    update();
  });

  var csrf = document.querySelector('meta[name="csrf-token"]');
  var token = csrf ? csrf.getAttribute('content') : '';
  function api(method, url, body, type) {
    var headers = { 'x-csrf-token': token };
    if (type) headers['content-type'] = type;
    return fetch(url, { method: method, headers: headers, body: body, credentials: 'same-origin' }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error((j.error && j.error.message) || 'Máy chủ trả lỗi ' + r.status + '.');
        return j;
      });
    });
  }

  document.querySelectorAll('form[data-upload]').forEach(function (form) {
    var status = form.querySelector('[role=status]');
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var file = form.querySelector('input[type=file]').files[0];
      var lang = form.querySelector('select[name=language]').value;
      var max = Number(form.getAttribute('data-max-bytes'));
      if (!file) { status.textContent = 'Chọn tệp ghi âm trước.'; return; }
      if (max && file.size > max) { status.textContent = 'Tệp quá lớn (' + Math.round(file.size / 1048576) + ' MB, tối đa ' + Math.round(max / 1048576) + ' MB).'; return; }
      status.textContent = 'Đang tải lên và kiểm tra…';
      api('PUT', form.getAttribute('data-upload').replace(':language', encodeURIComponent(lang)), file, file.type || 'application/octet-stream').then(function (j) {
        var warn = (j.warnings || []).map(function (w) { return w.message || w; }).join(' ');
        status.textContent = 'Đã lưu bản ghi âm (' + Math.round(j.version.durationMs / 1000) + ' giây).' + (warn ? ' Lưu ý: ' + warn : '') + ' Đang tải lại trang…';
        setTimeout(function () { location.reload(); }, 800);
      }, function (e) { status.textContent = e.message; });
    });
  });

  document.querySelectorAll('button[data-preview]').forEach(function (btn) {
    btn.addEventListener('click', function () {
      var player = document.getElementById(btn.getAttribute('aria-controls'));
      var status = btn.parentElement.querySelector('[role=status]');
      status.textContent = 'Đang tạo bản nghe thử…';
      btn.disabled = true;
      api('POST', btn.getAttribute('data-preview'), '{}', 'application/json').then(function (j) {
        player.src = j.url;
        player.hidden = false;
        status.textContent = 'Bản sẽ phát: ' + Math.round(j.durationMs / 1000) + ' giây.';
      }, function (e) { status.textContent = e.message; }).then(function () { btn.disabled = false; });
    });
  });
})();
