// Follows the first link marked data-auto-follow (the IdP's logout URL); no inline script (CSP).
document.addEventListener('DOMContentLoaded', function () {
  var link = document.querySelector('a[data-auto-follow]');
  if (link) window.location.assign(link.href);
});
