// The printable export's "Print or save as PDF" button.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
