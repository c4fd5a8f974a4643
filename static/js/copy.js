// "Copy" buttons: data-copy names the field whose text they copy, and a [data-copied]
// beside the button says what happened. Where the clipboard can't be written (an older
// browser, or a server reached over plain HTTP), the text is selected for Ctrl+C instead.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var field = document.querySelector(button.dataset.copy);
  var status = button.parentElement.querySelector("[data-copied]");
  function select() {
    var details = field.closest("details");
    if (details) details.open = true;
    field.focus();
    field.select();
    status.textContent = "Selected: press Ctrl+C (⌘C) to copy";
  }
  if (!navigator.clipboard) {
    select();
    return;
  }
  navigator.clipboard.writeText(field.value).then(function () {
    status.textContent = "Copied";
  }, select);
});
