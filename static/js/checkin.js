// Check-in autosave. Every answer (a fieldset: a score, or a trigger with its note; or
// one of the last .field rows) saves itself, and its status never claims more than the
// server confirmed:
//  - one request at a time, in the order the answers changed, so an older value can
//    never overwrite a newer one on the server;
//  - an answer changed again while it waits is sent once, with its latest value;
//  - "Saved" only when the server confirmed exactly what the page now shows;
//  - a failed save stays queued and is retried with backoff, and at once when the
//    browser comes back online; a refusal (422) shows its message and is not retried;
//  - leaving the page while anything is unsaved asks first.
// Each answer the server confirms brings back where the check-in stands: the live summary,
// "N of M answered" and, once all is answered, the done state. They are copied from that
// answer, never worked out here.
// "Copy last month's answers" goes through the same queue: it is sent once every answer
// before it is saved, and answers changed while it is out are sent after it.
// The introduction's open or closed state is kept on the server, not in the browser.
(function () {
  "use strict";

  const form = document.querySelector("form.checkin");
  if (!form) return;
  const ANSWERS = "fieldset, .field";
  const summary = document.getElementById("summary");
  const progress = document.getElementById("progress");
  const done = document.getElementById("done");
  const copyForm = document.querySelector("form.copy-last");

  // Every answer saves itself: the button a page without JavaScript needs would only make
  // people wonder whether to press it. Enter in a field still posts the form (see "submit").
  form.querySelector(".actions").hidden = true;

  const LEVEL_PAUSE = 500; // arrow keys step through the levels: save where they stop;
  // a click or a tap chooses once, and saves at once
  const TYPING_PAUSE = 800;
  const FIRST_RETRY = 1000;
  const LAST_RETRY = 30000;
  const TIMEOUT = 20000; // a request that never answers must not hold the queue forever

  const timers = new Map(); // answer → its pending pause before queueing
  let waiting = new Map(); // answer → body to send, oldest change first
  const confirmed = new Map(); // answer → the body the server last saved
  const refused = new Map(); // answer → { body, message } the server refused
  let sending = null; // { answer, body } while a request is out
  let failing = false;
  let retryIn = 0;
  let retryTimer = null;
  let submitWhenSaved = false;
  let copyWhenSaved = false;
  let leaving = false;
  let pointing = false; // the last choice came from a pointer, not the keyboard

  const SAVING = { text: "Saving…", className: "saving" };
  const SAVED = { text: "Saved", className: "ok" };
  const FAILED = { text: "Not saved — retrying", className: "failed", role: "alert" };
  const refusal = (message) => ({ text: message, className: "error" });
  const SAVING_COPY = { text: "Copying…", className: "saving" };

  function show(answer, { text, className, role }) {
    // A refusal marks the answer's fields invalid and describes them with its message, under
    // the id the page gives a refusal it was sent back with.
    const refused = className === "error";
    const errorId = `${answer.querySelector("[name]").name}_error`;
    for (const field of answer.querySelectorAll("[name]")) {
      if (refused) {
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("aria-describedby", errorId);
      } else {
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
      }
    }
    const status = answer.querySelector(".status");
    const current = status.firstElementChild;
    if (current && current.textContent === text) return; // an alert must not repeat on every retry
    const span = document.createElement("span");
    if (refused) span.id = errorId;
    span.className = className;
    span.textContent = text;
    if (role) span.setAttribute("role", role);
    status.replaceChildren(span);
  }

  function bodyOf(answer) {
    const names = new Set(Array.from(answer.querySelectorAll("[name]"), (field) => field.name));
    const body = new URLSearchParams();
    new FormData(form).forEach((value, name) => names.has(name) && body.append(name, value));
    return body.toString();
  }

  // The cookie's token, read for each request: logging in again (in another tab, say)
  // replaces it, and the queued answers must still get through afterwards.
  function csrfToken() {
    const cookie = document.cookie.split("; ").find((pair) => pair.startsWith("csrftoken="));
    return cookie ? cookie.slice("csrftoken=".length) : form.elements.csrfmiddlewaretoken.value;
  }

  function changed(answer, pause) {
    clearTimeout(timers.get(answer));
    timers.set(answer, setTimeout(() => queue(answer), pause));
    show(answer, SAVING);
  }

  function queue(answer) {
    clearTimeout(timers.get(answer));
    timers.delete(answer);
    waiting.delete(answer); // added again at the end: its value is now the newest change
    const body = bodyOf(answer);
    const number = answer.querySelector("input[type=number]");
    const refusedBefore = refused.get(answer);
    const onItsWay = sending && sending.answer === answer ? sending.body : null;
    if (number && number.validity.badInput) {
      refused.set(answer, { body: null, message: "Enter a whole number." });
      show(answer, refusal("Enter a whole number."));
    } else if (refusedBefore && refusedBefore.body === body) {
      show(answer, refusal(refusedBefore.message)); // the server said no to exactly this
    } else {
      refused.delete(answer);
      if (body === onItsWay) {
        // already on its way: its answer will tell
      } else if (onItsWay === null && body === confirmed.get(answer)) {
        show(answer, SAVED); // back to what the server holds: nothing to send
      } else {
        waiting.set(answer, body);
        show(answer, failing ? FAILED : SAVING);
      }
    }
    if (failing) retry(); // someone is changing things: try now, not at the next backoff
    else pump();
  }

  function pending(answer) {
    return timers.has(answer) || waiting.has(answer);
  }

  function unsaved() {
    return timers.size > 0 || waiting.size > 0 || sending !== null || refused.size > 0;
  }

  function pump() {
    if (sending || retryTimer) return;
    if (waiting.size === 0) {
      if (copyWhenSaved && timers.size === 0) {
        copy();
        return;
      }
      if (submitWhenSaved && timers.size === 0) {
        leaving = true;
        form.submit(); // every answer is saved: now post the form for its confirmation
      }
      return;
    }
    const [answer, body] = waiting.entries().next().value;
    waiting.delete(answer);
    sending = { answer, body };
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(body),
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      credentials: "same-origin",
      signal: AbortSignal.timeout(TIMEOUT),
    })
      .then((response) => response.text().then((text) => outcome(response, text)))
      .catch(() => ({}))
      .then((result) => settle(answer, body, result));
  }

  // What the server said: where the check-in now stands (its summary, progress and done
  // state, and what a copy filled in), a refusal's message, or nothing usable (a network
  // error, a 5xx, a redirect to the log-in page, a timeout).
  function outcome(response, text) {
    const part = new DOMParser().parseFromString(text, "text/html");
    const newSummary = part.getElementById("summary");
    const error = part.querySelector(".error");
    if (response.ok && !response.redirected && newSummary) {
      const copied = part.getElementById("copied");
      return {
        summary: newSummary.textContent,
        progress: part.getElementById("progress"),
        done: part.getElementById("done"),
        message: part.querySelector(".ok").textContent,
        copied: copied ? JSON.parse(copied.textContent) : null,
      };
    }
    if (response.status === 422 && error) return { refusal: error.textContent };
    return {};
  }

  // The same elements, new words: a live region is heard when its text changes, not when
  // it is replaced. The done state is announced once, when it arrives or changes.
  function standing(result) {
    summary.textContent = result.summary;
    progress.textContent = result.progress.textContent;
    progress.className = result.progress.className;
    if (done.textContent.trim() !== result.done.textContent.trim()) {
      done.replaceChildren(...Array.from(result.done.childNodes, (node) => document.importNode(node, true)));
    }
    if (copyForm && result.progress.classList.contains("complete")) retireCopy();
  }

  function settle(answer, body, result) {
    sending = null;
    if (result.summary === undefined && result.refusal === undefined) {
      failed(answer, body);
      return;
    }
    if (failing) {
      failing = false;
      waiting.forEach((_, other) => show(other, SAVING));
    }
    retryIn = 0;
    if (result.summary !== undefined) {
      confirmed.set(answer, body);
      standing(result);
      if (pending(answer)) {
        // a newer value is on its way: not "Saved" yet
      } else if (bodyOf(answer) === body) {
        show(answer, SAVED);
      } else {
        queue(answer); // changed without an event (autofill, say): save what is shown
      }
    } else if (!pending(answer)) {
      refused.set(answer, { body, message: result.refusal });
      show(answer, refusal(result.refusal));
    }
    pump();
  }

  // "Copy last month's answers", sent when nothing else is waiting or out. What the server
  // filled in is shown as saved, except where the person has changed that answer since
  // pressing: their newer value is queued, and is sent after the copy.
  function copy() {
    copyWhenSaved = false;
    sending = { answer: copyForm, body: null };
    fetch(copyForm.action, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      credentials: "same-origin",
      signal: AbortSignal.timeout(TIMEOUT),
    })
      .then((response) => response.text().then((text) => outcome(response, text)))
      .catch(() => ({}))
      .then((result) => {
        sending = null;
        if (result.copied) {
          for (const [name, value] of Object.entries(result.copied)) {
            const radio = form.querySelector(`input[name="${name}"][value="${value}"]`);
            const answer = radio && radio.closest(ANSWERS);
            if (!answer || pending(answer)) continue;
            radio.checked = true;
            refused.delete(answer);
            const note = answer.querySelector("textarea");
            if (note && note.value !== "") {
              queue(answer); // a note typed before its level: it goes with the level now
            } else {
              confirmed.set(answer, bodyOf(answer));
              show(answer, SAVED);
            }
          }
          const focused = document.activeElement === copyForm.querySelector("button");
          standing(result);
          copyStatus({ text: result.message, className: "ok" });
          retireCopy();
          if (focused) nextAfterCopy().focus();
        } else if (result.refusal) {
          copyStatus(refusal(result.refusal));
        } else {
          copyStatus({ text: "Not copied — please try again.", className: "failed" });
        }
        pump();
      });
  }

  function copyStatus({ text, className }) {
    const line = document.createElement("span");
    line.className = className;
    line.textContent = text;
    copyForm.querySelector(".status").replaceChildren(line);
  }

  // Once copied, or once every question is answered, there is nothing left to copy.
  function retireCopy() {
    for (const part of copyForm.querySelectorAll("button, .hint")) part.hidden = true;
  }

  // Where the keyboard goes once the copy button is gone: the way on from the done state,
  // or the first question still unanswered.
  function nextAfterCopy() {
    const onward = done.querySelector("a");
    if (onward) return onward;
    for (const answer of form.querySelectorAll("fieldset")) {
      if (!answer.querySelector("input:checked")) return answer.querySelector("input");
    }
    return summary;
  }

  function failed(answer, body) {
    if (!pending(answer)) waiting = new Map([[answer, body], ...waiting]); // first again
    failing = true;
    waiting.forEach((_, other) => show(other, FAILED));
    retryIn = Math.min(retryIn ? retryIn * 2 : FIRST_RETRY, LAST_RETRY);
    retryTimer = setTimeout(retry, retryIn);
  }

  function retry() {
    clearTimeout(retryTimer);
    retryTimer = null;
    pump();
  }

  for (const answer of form.querySelectorAll(ANSWERS)) {
    // A page sent back with refusals shows what was typed, not what is stored.
    const error = answer.querySelector(".status .error");
    if (error) refused.set(answer, { body: bodyOf(answer), message: error.textContent });
    else confirmed.set(answer, bodyOf(answer));
  }

  form.addEventListener("pointerdown", () => { pointing = true; });
  form.addEventListener("keydown", () => { pointing = false; });
  form.addEventListener("change", (event) => {
    const answer = event.target.closest(ANSWERS);
    if (!answer) return;
    if (event.target.type === "radio" && !pointing) changed(answer, LEVEL_PAUSE);
    else queue(answer); // clicked, or a text field left or confirmed: save now
  });
  form.addEventListener("input", (event) => {
    const answer = event.target.closest(ANSWERS);
    if (answer && event.target.type !== "radio") changed(answer, TYPING_PAUSE);
  });
  // With JavaScript the form still posts (Enter in a field, the button), but only once
  // every answer is saved, so no autosave still out can land after it.
  form.addEventListener("submit", (event) => {
    if (timers.size === 0 && waiting.size === 0 && sending === null) {
      leaving = true;
      return;
    }
    event.preventDefault();
    submitWhenSaved = true;
    timers.forEach((_, answer) => queue(answer));
  });
  if (copyForm) {
    copyForm.addEventListener("submit", (event) => {
      event.preventDefault();
      if (copyWhenSaved || (sending && sending.answer === copyForm)) return; // pressed twice
      copyWhenSaved = true;
      copyStatus(SAVING_COPY);
      timers.forEach((_, answer) => queue(answer)); // answers still in their pause go first
      pump();
    });
  }

  // The introduction: opened or closed, the server keeps it so for next time.
  const intro = document.getElementById("intro");
  if (intro) {
    const closeForm = intro.querySelector("form");
    let kept = intro.open;
    intro.addEventListener("toggle", () => {
      if (intro.open === kept) return; // the page opening as it was served
      const open = intro.open;
      fetch(closeForm.action, {
        method: "POST",
        body: new URLSearchParams({ open: open ? "1" : "0" }),
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
        credentials: "same-origin",
      })
        .then((response) => { if (response.ok) kept = open; })
        .catch(() => {}); // not kept this time: the page works the same
    });
    closeForm.addEventListener("submit", (event) => {
      event.preventDefault();
      intro.open = false;
      intro.querySelector("summary").focus();
    });
  }

  window.addEventListener("online", retry);
  window.addEventListener("beforeunload", (event) => {
    if (leaving || !unsaved()) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers ask only when this is set
  });
})();
