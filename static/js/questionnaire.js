// The questionnaire saves each answer as it changes. A save posts that answer's fields,
// each with its "-was" (its value as last known stored), and reads JSON back: the
// server writes only what differs from "-was" (assessments/edits.py). Without this
// script the page's own Save buttons do the same for the whole page.
(() => {
  "use strict";

  const form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch) return;

  const NOTE_DELAY = 700; // ms after the last keystroke in a note
  const LABELS = {
    "": "Not answered", yes: "Yes", partly: "Partly", no: "No", na: "Not applicable",
  };
  const SPREADS = {
    strong: ["text-bg-danger", "‼ Strong disagreement: talk about it"],
    disagree: ["text-bg-warning", "≠ Members disagree"],
    agree: ["text-bg-success", "= All agree"],
  };
  // A practice shows the most pressing state of its answers.
  const STATES = [
    "failed", "conflict", "refused", "needs-note", "unsaved", "saving", "saved", "idle",
  ];
  const NEEDS_NOTE = "Not applicable needs a note saying why: write one and it is saved.";
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const answers = [];
  let submitting = false;

  class NotSaved extends Error {}

  // The server strips notes, and a browser may send line breaks as CRLF.
  const norm = (text) => text.replace(/\r\n?/g, "\n").trim();
  const same = (a, b) => norm(a) === norm(b);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(text, className, onClick) {
    const node = el("button", `btn btn-sm ${className}`, text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  class Answer {
    constructor(box) {
      this.box = box;
      this.practice = box.closest("[data-practice]");
      const status = box.dataset.answer; // p12-status, or p12-my-status
      this.names = { status, note: status.replace(/status$/, "note") };
      this.radios = [...box.querySelectorAll("input[type=radio]")];
      this.note = box.querySelector("textarea");
      this.was = {
        status: box.querySelector(`input[name="${this.names.status}-was"]`),
        note: box.querySelector(`input[name="${this.names.note}-was"]`),
      };
      this.conflicts = new Map(); // field -> its alert; held as stored until the user chooses
      this.state = "idle";
      this.message = "";
      this.timer = 0;
      this.inFlight = false;
      this.again = false;
      // A save without this script may have come back with conflicts: offer the choice here too.
      for (const alert of box.querySelectorAll(".conflict[data-field]")) {
        this.holdConflict(alert.dataset.field, alert);
      }
      if (this.conflicts.size) this.state = "conflict";
      else if (this.changed().length) this.state = "unsaved";
    }

    value(field) {
      if (field === "note") return this.note.value;
      return this.radios.find((radio) => radio.checked)?.value ?? "";
    }

    setValue(field, value) {
      if (field === "note") this.note.value = value;
      else for (const radio of this.radios) radio.checked = radio.value === value;
    }

    changed() {
      return ["status", "note"].filter(
        (f) => !this.conflicts.has(f) && !same(this.value(f), this.was[f].value),
      );
    }

    get unsaved() {
      return this.inFlight || this.timer !== 0 || this.conflicts.size > 0 || this.changed().length;
    }

    // What a save sends: a field in conflict as stored ("-was" holds theirs) until the
    // user chooses.
    sendable(field) {
      return this.conflicts.has(field) ? this.was[field].value : this.value(field);
    }

    needsNote() {
      return this.sendable("status") === "na" && !norm(this.sendable("note"));
    }

    schedule() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.save(), NOTE_DELAY);
      this.show("saving");
    }

    save() {
      clearTimeout(this.timer);
      this.timer = 0;
      if (this.inFlight) {
        this.again = true;
        return;
      }
      if (!this.changed().length) {
        this.show(this.conflicts.size ? "conflict" : this.state === "idle" ? "idle" : "saved");
        return;
      }
      if (this.needsNote()) {
        this.show("needs-note", NEEDS_NOTE); // the server would refuse it: wait for the note
        return;
      }
      this.send();
    }

    async send() {
      const sent = {}, sentWas = {};
      const body = new URLSearchParams({ csrfmiddlewaretoken: csrf });
      for (const field of ["status", "note"]) {
        sentWas[field] = this.was[field].value;
        sent[field] = this.sendable(field);
        if (sent[field] || field === "note") body.append(this.names[field], sent[field]);
        body.append(`${this.names[field]}-was`, sentWas[field]); // a blank status: "-was" alone
      }
      this.inFlight = true;
      this.show("saving");
      let data;
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body,
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          redirect: "manual", // to the sign-in page: not saved
          keepalive: true, // finishes even if the page is left meanwhile
        });
        if (!response.ok) throw new NotSaved(await failure(response));
        data = await response.json();
      } catch (error) {
        this.inFlight = this.again = false;
        this.show("failed", error instanceof NotSaved ? error.message : "");
        return;
      }
      this.inFlight = false;
      this.saved(data, sent, sentWas);
      if (this.again) {
        this.again = false;
        this.save();
      }
    }

    saved(data, sent, sentWas) {
      for (const field of ["status", "note"]) {
        const stored = data.values[this.names[field]];
        if (stored === undefined) continue;
        if (this.conflicts.has(field)) {
          this.was[field].value = stored; // theirs, as stored now
          continue;
        }
        if (same(sent[field], sentWas[field]) && !same(stored, sentWas[field])) {
          // A teammate changed a field this user did not: show theirs, unless the user
          // has changed it since (keeping the old "-was" makes the next save a conflict).
          if (!same(this.value(field), sent[field])) continue;
          this.setValue(field, stored);
        }
        this.was[field].value = stored;
      }
      for (const conflict of data.conflicts) {
        const field = ["status", "note"].find((f) => this.names[f] === conflict.field);
        if (field) this.holdConflict(field, conflictAlert(field, conflict));
      }
      showVotes(data.votes);
      for (const old of this.box.querySelectorAll(".invalid-feedback")) old.remove();
      for (const radio of this.radios) radio.classList.remove("is-invalid");
      const refused = data.refused.find((r) => r.field === this.names.status);
      if (refused) {
        const message = el("div", "invalid-feedback d-block", refused.message);
        message.id = `id_${this.names.status}_error`;
        const fieldset = this.box.querySelector("fieldset");
        fieldset.setAttribute("aria-describedby", message.id);
        fieldset.append(message);
        for (const radio of this.radios) radio.classList.add("is-invalid");
        this.box.querySelector("details").open = true;
        this.show("refused", refused.message);
      } else {
        this.show(this.conflicts.size ? "conflict" : this.changed().length ? "saving" : "saved");
      }
    }

    holdConflict(field, alert) {
      this.conflicts.get(field)?.remove();
      this.conflicts.set(field, alert);
      const choose = (keepMine) => () => {
        alert.remove();
        this.conflicts.delete(field);
        if (!keepMine) this.setValue(field, this.was[field].value); // "-was" is theirs
        this.save();
      };
      const actions = el("div", "d-flex flex-wrap gap-2 mt-2");
      actions.append(
        button("Keep theirs", "btn-outline-secondary", choose(false)),
        button("Use mine", "btn-warning", choose(true)),
      );
      alert.append(actions);
      if (!alert.isConnected) this.box.append(alert);
    }

    show(state, message = "") {
      this.state = state;
      this.message = message;
      showPractice(this.practice);
    }
  }

  function conflictAlert(field, { theirs, yours }) {
    const alert = el("div", "alert alert-warning py-2 small conflict");
    alert.setAttribute("role", "alert");
    alert.dataset.field = field;
    const value = (text) =>
      field === "status" ? el("strong", "", LABELS[text] ?? text) : el("q", "", text || "(empty)");
    alert.append(
      el("strong", "", "Changed by a teammate while you were editing."),
      field === "status" ? " Saved now: " : " Saved note now: ",
      value(theirs),
      ". Yours, not saved: ",
      value(yours),
      ".",
    );
    return alert;
  }

  async function failure(response) {
    if (response.type === "opaqueredirect" || response.status === 403) {
      return "You may be signed out: sign in again in another tab, then retry.";
    }
    if (response.status === 409 || response.status === 404) {
      return "This draft was submitted or discarded meanwhile: reload the page.";
    }
    if (response.status === 400) {
      const errors = (await response.json().catch(() => ({}))).errors ?? {};
      const first = Object.values(errors).flat()[0];
      return typeof first === "string" ? first : first?.message ?? "";
    }
    return "";
  }

  function showPractice(practice) {
    const mine = answers.filter((answer) => answer.practice === practice);
    const rank = (answer) => STATES.indexOf(answer.state);
    const worst = mine.reduce((a, b) => (rank(b) < rank(a) ? b : a));
    const line = practice.querySelector(".save-state");
    if (line.dataset.state === worst.state && line.dataset.message === worst.message) return;
    line.dataset.state = worst.state;
    line.dataset.message = worst.message;
    const text = {
      failed: "Not saved.",
      unsaved: "Not saved.",
      conflict: "Not saved: a teammate changed it meanwhile; choose which to keep.",
      refused: "Not saved.",
      "needs-note": "Not saved yet.",
      saving: "Saving…",
      saved: "Saved",
      idle: "",
    }[worst.state];
    line.replaceChildren(text);
    if (worst.message) line.append(" ", worst.message);
    if (worst.state === "failed" || worst.state === "unsaved") {
      const retry = () => {
        for (const answer of mine) if (["failed", "unsaved"].includes(answer.state)) answer.save();
      };
      line.append(" ", button("Retry", "btn-link p-0 align-baseline", retry));
    }
  }

  function showVotes(votes) {
    for (const [practiceId, count] of Object.entries(votes)) {
      const line = form.querySelector(`[data-votes="${practiceId}"]`);
      if (!line) continue;
      line.dataset.spread = count.spread;
      line.querySelector(".vote-counts").textContent =
        `Yes ${count.yes} · Partly ${count.partly} · No ${count.no} · N/a ${count.na}`;
      const [badge, text] = SPREADS[count.spread] ?? [];
      const mark = line.querySelector(".spread-mark");
      mark.replaceChildren(...(badge ? [el("span", `badge ${badge}`, text)] : []));
    }
  }

  for (const box of form.querySelectorAll(".answer-fields[data-answer]")) {
    answers.push(new Answer(box));
  }
  for (const practice of new Set(answers.map((answer) => answer.practice))) showPractice(practice);
  const answerOf = (target) => answers.find((answer) => answer.box.contains(target));

  form.addEventListener("change", (event) => {
    const answer = event.target.type === "radio" && answerOf(event.target);
    if (!answer) return;
    if (answer.value("status") === "na" && !norm(answer.value("note"))) {
      answer.box.querySelector("details").open = true;
      answer.note.focus();
    }
    answer.save();
  });
  form.addEventListener("input", (event) => {
    const answer = event.target.tagName === "TEXTAREA" && answerOf(event.target);
    if (answer) answer.schedule();
  });
  form.addEventListener("focusout", (event) => {
    const answer = event.target.tagName === "TEXTAREA" && answerOf(event.target);
    if (answer && answer.timer) answer.save();
  });

  // The page's own buttons send every field with its "-was": nothing to warn about. A
  // field held in conflict would be sent as the user's and overwrite the teammate's
  // without a choice: ask for the choice first.
  form.addEventListener("submit", (event) => {
    const held = answers.find((answer) => answer.conflicts.size);
    if (held) {
      event.preventDefault();
      held.box.querySelector(".conflict button")?.focus();
      held.show("conflict", "Choose which to keep before saving the page.");
      return;
    }
    submitting = true;
  });
  window.addEventListener("pageshow", () => {
    submitting = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (submitting) return;
    for (const answer of answers) if (answer.timer) answer.save(); // start it, at least
    if (answers.some((answer) => answer.unsaved)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
