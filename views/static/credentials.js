// Credentials page: reveal and copy secrets, and count down to expiry. No inline scripts (CSP).
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('button[data-reveal]').forEach(function (button) {
    button.addEventListener('click', function () {
      var target = document.getElementById(button.getAttribute('data-reveal'));
      if (!target) return;
      target.hidden = !target.hidden;
      var mask = document.getElementById(target.id + '-mask');
      if (mask) mask.hidden = !target.hidden;
      button.textContent = target.hidden ? 'Show' : 'Hide';
    });
  });
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var target = document.getElementById(button.getAttribute('data-copy'));
      if (!target || !navigator.clipboard) return;
      navigator.clipboard.writeText(target.textContent).then(function () {
        button.textContent = 'Copied';
        setTimeout(function () { button.textContent = 'Copy'; }, 1500);
      });
    });
  });
  var expiry = document.querySelector('[data-expires]');
  var countdown = document.querySelector('.countdown');
  if (!expiry || !countdown) return;
  var expiresAt = Date.parse(expiry.getAttribute('data-expires'));
  function tick() {
    var left = Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
    countdown.textContent = left === 0 ? 'expired' : Math.floor(left / 60) + ' min ' + (left % 60) + ' s';
    if (left === 0) expiry.classList.add('expired');
  }
  tick();
  setInterval(tick, 1000);
});
