// Dragging a normal one-off bulletin on the week calendar: dropped on a slot it takes the slot's
// day and time, dropped elsewhere in a day it keeps its time. The item's own move form is filled
// and submitted, so the server checks it exactly as when typed by hand.
(function () {
  'use strict';
  var dragged = null;
  document.querySelectorAll('[draggable=true][data-schedule-id]').forEach(function (item) {
    item.addEventListener('dragstart', function (ev) {
      dragged = item;
      ev.dataTransfer.effectAllowed = 'move';
      ev.dataTransfer.setData('text/plain', item.getAttribute('data-schedule-id'));
      item.classList.add('dragging');
    });
    item.addEventListener('dragend', function () { item.classList.remove('dragging'); dragged = null; });
  });
  document.querySelectorAll('section.day').forEach(function (day) {
    day.addEventListener('dragover', function (ev) { if (dragged) { ev.preventDefault(); day.classList.add('drop'); } });
    day.addEventListener('dragleave', function () { day.classList.remove('drop'); });
    day.addEventListener('drop', function (ev) {
      ev.preventDefault();
      day.classList.remove('drop');
      if (!dragged) return;
      var slot = ev.target.closest ? ev.target.closest('.slot') : null;
      var date = day.getAttribute('data-date');
      var time = slot ? slot.getAttribute('data-time') : dragged.getAttribute('data-time');
      var form = dragged.querySelector('form[data-move]');
      form.querySelector('input[name=runAt]').value = date + 'T' + time;
      form.submit();
    });
  });
})();
