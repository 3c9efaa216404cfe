// A form marked data-autosubmit is sent as soon as the page loads (the Deep Linking answer to the LMS);
// without JavaScript its button sends it.
export function autosubmit(root) {
  for (const form of root.querySelectorAll("form[data-autosubmit]")) {
    form.submit();
  }
}
