// Submits the page's form[data-auto-submit] (the demo IdP's SAML POST) once the page is parsed.
// A separate file rather than an inline script, so the CSP can forbid inline scripts; without
// JavaScript the form's Continue button does the same.
function submitAutoForm() {
  const form = document.querySelector('form[data-auto-submit]');
  if (form) form.submit();
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', submitAutoForm);
} else {
  submitAutoForm();
}
