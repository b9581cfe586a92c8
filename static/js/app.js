// Site behaviour that must not be inline (the Content-Security-Policy forbids inline script).
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the first invalid field after a failed form submission.
  const invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
});
