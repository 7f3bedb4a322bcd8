// Credentials page: reveal and copy secrets (with a select-and-copy fallback where the clipboard
// API is missing or refused), times in the reader's local time, and a countdown that says
// "expired" as a sentence of its own. No inline scripts (CSP).
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

  function selectText(target) {
    var range = document.createRange();
    range.selectNodeContents(target);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // Without navigator.clipboard (plain http, old browsers): show the text, select it, try the old
  // copy command, and if that fails too, ask for Ctrl+C.
  function fallbackCopy(button, target) {
    target.hidden = false;
    var mask = document.getElementById(target.id + '-mask');
    if (mask) mask.hidden = true;
    selectText(target);
    var copied = false;
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
    if (copied) return done(button);
    var help = document.querySelector('.copy-help');
    if (help) help.hidden = false;
    button.textContent = 'Press Ctrl+C';
  }

  function done(button) {
    button.textContent = 'Copied';
    setTimeout(function () { button.textContent = 'Copy'; }, 1500);
  }

  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var target = document.getElementById(button.getAttribute('data-copy'));
      if (!target) return;
      if (!navigator.clipboard || !navigator.clipboard.writeText) return fallbackCopy(button, target);
      navigator.clipboard.writeText(target.textContent).then(
        function () { done(button); },
        function () { fallbackCopy(button, target); },
      );
    });
  });

  document.querySelectorAll('time.local').forEach(function (time) {
    var at = new Date(time.getAttribute('datetime'));
    if (!isNaN(at.getTime())) time.textContent = at.toLocaleString();
  });

  var expiry = document.querySelector('[data-expires]');
  var countdown = document.querySelector('.countdown');
  var status = document.getElementById('expiry-status');
  if (!expiry || !countdown) return;
  var expiresAt = Date.parse(expiry.getAttribute('data-expires'));
  var timer;
  // The polite live region changes only when the whole minutes left change, and at expiry; the
  // ticking text beside it is aria-hidden, so a screen reader is not interrupted every second.
  function announcement(left) {
    if (left <= 0) return 'The database password has expired.';
    var minutes = Math.ceil(left / 60);
    return 'The database password expires in ' + minutes + (minutes === 1 ? ' minute.' : ' minutes.');
  }
  function tick() {
    var left = Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
    countdown.textContent = Math.floor(left / 60) + ' min ' + (left % 60) + ' s';
    var said = announcement(left);
    if (status && status.textContent !== said) status.textContent = said;
    if (left > 0) return;
    expiry.classList.add('expired');
    expiry.querySelector('.when-live').hidden = true;
    expiry.querySelector('.when-expired').hidden = false;
    clearInterval(timer);
  }
  tick();
  timer = setInterval(tick, 1000);
});
