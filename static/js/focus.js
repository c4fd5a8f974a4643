// When htmx swaps part of a page, the keyboard keeps its place and a screen reader hears
// what happened.
//
// htmx already puts the focus back on an element with the id of the one that had it, and
// on an [autofocus] element it swaps in (the first field with an error). Where neither
// applies the focus would drop to <body>; it goes instead to the first of:
//  - the control that was used, in its new place (same id), if it is still enabled;
//  - the ids in the control's data-then (after "Save", the row's "Edit" link);
//  - the first control of the row after the control's row, or of the one before it
//    (after "Delete" or "Retire");
//  - a control of the same kind and words in the new content ("Save thresholds");
//  - the first control in the new content.
// Then a polite live region says what the server did: its own message when the new content
// has one, else the control's data-announce ("Moved up") if the server said yes.
(function () {
  "use strict";

  const CONTROLS = "a[href], button:not(:disabled), input:not([type=hidden]):not(:disabled), select, textarea";
  const region = document.createElement("div");
  region.className = "visually-hidden";
  region.setAttribute("role", "status");
  (document.querySelector("main") || document.body).append(region);

  let used = null;

  function say(text) {
    region.textContent = "";
    // A beat later, so that the same words twice in a row are read twice.
    if (text) setTimeout(() => { region.textContent = text; }, 50);
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    const triggering = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    const control = (triggering && triggering.submitter) || event.detail.elt;
    const row = control.closest("li[id]");
    const neighbours = row ? [row.nextElementSibling, row.previousElementSibling] : [];
    used = {
      target: event.detail.target ? event.detail.target.id : "",
      id: control.id,
      then: (control.dataset.then || "").split(" ").filter(Boolean),
      rows: neighbours.filter((each) => each && each.id).map((each) => each.id),
      kind: control.tagName,
      words: control.textContent.trim(),
      announce: control.dataset.announce || "",
    };
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    if (!used || event.target.id !== used.target) return;
    const was = used;
    used = null;
    const content = event.target;
    const active = document.activeElement;
    if (!active || active === document.body) {
      const byId = (id) => id && document.getElementById(id);
      const sameKind = Array.from(content.getElementsByTagName(was.kind));
      const next = [
        byId(was.id),
        ...was.then.map(byId),
        ...was.rows.map((id) => byId(id) && byId(id).querySelector(CONTROLS)),
        sameKind.find((each) => each.textContent.trim() === was.words),
        content.querySelector(CONTROLS),
      ].find((each) => each && each.matches(CONTROLS) && each.getClientRects().length);
      if (next) next.focus();
    }
    const message = content.querySelector(".messages");
    const ok = event.detail.xhr && event.detail.xhr.status < 300;
    say(message ? message.textContent.trim() : ok ? was.announce : "");
  });
})();
