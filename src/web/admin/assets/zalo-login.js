// Zalo QR login from the admin: asks the API to start a login, shows the QR code while it waits,
// then tells who scanned it and whether the account was saved.
(function () {
  'use strict';
  var form = document.querySelector('form[data-zalo-login]');
  if (!form) return;
  var status = form.querySelector('[role=status]');
  var img = form.querySelector('img');
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var base = form.getAttribute('data-zalo-login');
  function call(method, url, body) {
    return fetch(url, { method: method, credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-csrf-token': token }, body: body ? JSON.stringify(body) : undefined })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { if (!r.ok) throw new Error((j.error && j.error.message) || 'Máy chủ trả lỗi ' + r.status + '.'); return j; }); });
  }
  function poll(id) {
    call('GET', base + '/' + id).then(function (j) {
      if (j.qrPng) { img.src = j.qrPng.indexOf('data:') === 0 ? j.qrPng : 'data:image/png;base64,' + j.qrPng; img.hidden = false; }
      if (j.state === 'waiting') status.textContent = 'Mở Zalo trên điện thoại của tài khoản xã và quét mã này.';
      if (j.state === 'scanned') status.textContent = 'Đã quét' + (j.scannedBy ? ' (' + j.scannedBy + ')' : '') + '. Xác nhận đăng nhập trên điện thoại.';
      if (j.state === 'done') { img.hidden = true; status.textContent = j.next || 'Đã lưu.'; return; }
      if (j.state === 'failed') { img.hidden = true; status.textContent = 'Không đăng nhập được: ' + (j.error || 'lỗi không rõ') + '.'; return; }
      setTimeout(function () { poll(id); }, 2000);
    }, function (e) { status.textContent = e.message; });
  }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    status.textContent = 'Đang lấy mã QR…';
    call('POST', base, { account: form.querySelector('input[name=account]').value }).then(function (j) { poll(j.id); }, function (e) { status.textContent = e.message; });
  });
})();
