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
(function () {
  "use strict";

  const form = document.querySelector("form.checkin");
  if (!form) return;
  const ANSWERS = "fieldset, .field";
  const summary = document.getElementById("summary");

  const LEVEL_PAUSE = 500; // arrow keys step through the levels: save where they stop
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
  let leaving = false;

  const SAVING = { text: "Saving…", className: "saving" };
  const SAVED = { text: "Saved", className: "ok" };
  const FAILED = { text: "Not saved — retrying", className: "failed", role: "alert" };
  const refusal = (message) => ({ text: message, className: "error" });

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

  // What the server said: the new summary, a refusal's message, or nothing usable
  // (a network error, a 5xx, a redirect to the log-in page, a timeout).
  function outcome(response, text) {
    const part = new DOMParser().parseFromString(text, "text/html");
    const newSummary = part.getElementById("summary");
    const error = part.querySelector(".error");
    if (response.ok && !response.redirected && newSummary) return { summary: newSummary.textContent };
    if (response.status === 422 && error) return { refusal: error.textContent };
    return {};
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
      summary.textContent = result.summary; // the same live region, new words
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

  form.addEventListener("change", (event) => {
    const answer = event.target.closest(ANSWERS);
    if (!answer) return;
    if (event.target.type === "radio") changed(answer, LEVEL_PAUSE);
    else queue(answer); // a text field left or confirmed: save now
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
  window.addEventListener("online", retry);
  window.addEventListener("beforeunload", (event) => {
    if (leaving || !unsaved()) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers ask only when this is set
  });
})();
