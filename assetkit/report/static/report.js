document.documentElement.classList.remove('no-js');
(function () {
  // The status filter: native buttons, so Tab, Enter and Space work; aria-pressed says which is on.
  var buttons = document.querySelectorAll('.filter button');
  function show(s) {
    buttons.forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.filter === s)); });
    document.querySelectorAll('section.out').forEach(function (o) {
      o.classList.toggle('hidden', s !== 'all' && o.dataset.status !== s);
    });
    document.querySelectorAll('article.asset').forEach(function (a) {
      a.classList.toggle('hidden', s !== 'all' && a.dataset.statuses.split(' ').indexOf(s) < 0);
    });
    var n = document.querySelectorAll('article.asset:not(.hidden)').length;
    document.getElementById('shown').textContent = n + (n === 1 ? ' file' : ' files') + ' shown';
  }
  buttons.forEach(function (b) { b.addEventListener('click', function () { show(b.dataset.filter); }); });
})();
