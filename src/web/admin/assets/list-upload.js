// A CSV file chosen for a list is read in the page into its text box (the server only ever receives
// the text, pasted or read): too large a file is stopped here with its size, before anything is sent.
(function () {
  'use strict';
  var status = document.getElementById('upload-status');
  var say = function (text) { if (status) status.textContent = text; };
  document.querySelectorAll('input[type=file][data-fills]').forEach(function (input) {
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      var box = document.getElementById(input.getAttribute('data-fills'));
      if (!file || !box) return;
      var max = Number(input.getAttribute('data-max-bytes'));
      if (file.size > max) {
        say('Tệp "' + file.name + '" quá lớn (' + Math.ceil(file.size / 1000) + ' KB, tối đa ' + Math.round(max / 1000) + ' KB). Hãy chọn đúng tệp danh sách.');
        input.value = '';
        return;
      }
      var reader = new window.FileReader();
      reader.onload = function () {
        box.value = String(reader.result || '');
        say('Đã đọc tệp "' + file.name + '" vào ô danh sách; xem lại rồi bấm Tạo xã.');
      };
      reader.onerror = function () { say('Không đọc được tệp "' + file.name + '".'); };
      reader.readAsText(file, 'utf-8');
    });
  });
})();
