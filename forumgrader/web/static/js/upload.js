// The import form's drop zone: drop a file on it instead of using the picker. The picker works without this script.
const zone = document.querySelector("[data-drop-zone]");

if (zone) {
  const input = zone.querySelector('input[type="file"]');
  const shown = zone.querySelector(".drop-zone-file");
  const show = () => {
    const file = input.files && input.files[0];
    shown.hidden = !file;
    shown.textContent = file ? `Chosen: ${file.name} (${Math.max(1, Math.round(file.size / 1024))} KB)` : "";
  };
  input.addEventListener("change", show);
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("drop-zone-active");
    });
  }
  for (const name of ["dragleave", "dragend"]) {
    zone.addEventListener(name, () => zone.classList.remove("drop-zone-active"));
  }
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("drop-zone-active");
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
      input.focus();
    }
  });
}
