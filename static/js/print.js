// The "Print or save as PDF" button: hidden until this script can make it work.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
});
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
