// Settings: the calendar address's "Copy" button.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var field = document.querySelector(button.dataset.copy);
  var status = button.parentElement.querySelector("[data-copied]");
  field.select();
  navigator.clipboard.writeText(field.value).then(
    function () { status.textContent = "Copied"; },
    function () { status.textContent = "Selected: press Ctrl+C (⌘C) to copy"; }
  );
});
