// LiveDPO chat page: talks to serving's OpenAI-compatible API and sends votes to the feedback service.
// Plain ES module, no build step and nothing fetched from elsewhere: the page must work offline next to serving.

const $ = (id) => document.getElementById(id);
const form = $("composer");
const input = $("message");
const sendButton = $("send");
const modelSelect = $("model");
const abMode = $("ab-mode");
const streamMode = $("stream");
const log = $("conversation");
const statusLine = $("status");

// Messages sent as context with the next question. An answered turn contributes the answer the user saw, or in A/B
// mode the one they preferred, so the model continues the conversation the user actually had.
let history = [];

const userId = anonymousUserId();
// Serving tells us where feedback goes; asked once, awaited by every vote.
const feedbackBase = fetchJson("v1/config").then((c) => String(c.feedback_url).replace(/\/+$/, ""));

loadModels();
form.addEventListener("submit", (e) => {
  e.preventDefault();
  send();
});
input.addEventListener("keydown", (e) => {
  // Enter sends, as in every chat app; Shift+Enter keeps its meaning of a new line.
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    form.requestSubmit();
  }
});
$("new-conversation").addEventListener("click", () => {
  history = [];
  log.replaceChildren();
  say("New conversation started.");
  input.focus();
});

/** A random id kept in localStorage, so a browser's votes can be told apart without knowing who anyone is. */
function anonymousUserId() {
  const key = "livedpo.user-id";
  let id = null;
  try {
    id = localStorage.getItem(key);
  } catch {
    // Storage can be disabled (privacy modes); the id then lasts as long as the page.
  }
  if (!id) {
    // randomUUID exists only in secure contexts; getRandomValues works on plain http too.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = "anon-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    try {
      localStorage.setItem(key, id);
    } catch {
      /* see above */
    }
  }
  return id;
}

async function loadModels() {
  try {
    const list = await fetchJson("v1/models");
    const ids = list.data.map((m) => m.id);
    if (ids.length > 0) {
      modelSelect.replaceChildren(...ids.map((id) => new Option(id, id)));
    }
  } catch (e) {
    say(`Could not list models (${e.message}); using "default".`);
  }
}

async function send() {
  const question = input.value.trim();
  if (!question || sendButton.disabled) {
    return;
  }
  const n = abMode.checked ? 2 : 1;
  const messages = [...history, { role: "user", content: question }];
  addUserBubble(question);
  input.value = "";
  setBusy(true);
  const cards = addAnswerTurn(n);
  try {
    const body = { model: modelSelect.value, messages, n, user: userId, stream: streamMode.checked };
    const answers = streamMode.checked ? await completeStreamed(body, cards) : await completeWhole(body);
    answers.forEach((a, i) => showAnswer(cards[i], a));
    history = [...messages, { role: "assistant", content: answers[0].text }];
    if (n === 2) {
      addPreferenceButtons(cards, answers, (chosen) => {
        // Continue from the preferred answer: replace the provisional one in the history.
        history[history.length - 1] = { role: "assistant", content: chosen.text };
      });
    } else {
      addVoteButtons(cards[0], answers[0]);
    }
    say("");
  } catch (e) {
    cards.forEach((c) => c.root.remove());
    addError(`The model could not answer: ${e.message}`);
  } finally {
    setBusy(false);
    input.focus();
  }
}

/** Non-streamed: one JSON response with every choice. */
/**
 * The policy@version that wrote one answer: a response names its model once (both versions, comma-separated, when a
 * live canary pairs its parent and candidate in A/B mode); each choice carries its own version.
 */
function modelLabel(model, version) {
  return `${model.split("@")[0]}@${version}`;
}

async function completeWhole(body) {
  const res = await fetch("v1/chat/completions", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...body, stream: false }),
  });
  if (!res.ok) {
    throw new Error(await problemText(res));
  }
  const r = await res.json();
  return r.choices.map((c) => ({
    responseId: c.response_id,
    model: modelLabel(r.model, c.model_version),
    text: c.message.content,
  }));
}

/**
 * Streamed: server-sent events over a POST, so EventSource (GET only) cannot be used; the body is read and split
 * into events by hand. Text is shown as it arrives.
 */
async function completeStreamed(body, cards) {
  const res = await fetch("v1/chat/completions", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(await problemText(res));
  }
  const answers = cards.map(() => ({ responseId: null, model: null, raw: "" }));
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (data === "" || data === "[DONE]") {
        continue;
      }
      const chunk = JSON.parse(data);
      if (chunk.error) {
        // The status line was already 200 when decoding failed; the stream reports the failure in-band.
        throw new Error(chunk.error.message || "the stream failed");
      }
      for (const c of chunk.choices) {
        const a = answers[c.index];
        a.responseId = c.response_id;
        a.model = modelLabel(chunk.model, c.model_version);
        a.raw += c.delta?.content ?? "";
        cards[c.index].text.textContent = a.raw;
      }
    }
  }
  if (answers.some((a) => !a.responseId)) {
    throw new Error("the stream ended before every answer started");
  }
  return answers.map((a) => ({ responseId: a.responseId, model: a.model, text: a.raw }));
}

function addUserBubble(text) {
  const li = el("li", { class: "turn user" });
  li.append(el("p", { class: "bubble user-bubble" }, text));
  li.querySelector("p").prepend(el("span", { class: "visually-hidden" }, "You: "));
  log.append(li);
}

/** One list item for the model's turn: one answer card, or two side by side in A/B mode. */
function addAnswerTurn(n) {
  const li = el("li", { class: "turn assistant", "aria-busy": "true" });
  const grid = el("div", { class: n === 2 ? "answers ab" : "answers" });
  li.append(grid);
  const cards = [];
  for (let i = 0; i < n; i++) {
    const label = n === 2 ? `Answer ${"AB"[i]}` : "Answer";
    const root = el("article", { class: "answer bubble", "aria-label": label });
    if (n === 2) {
      root.append(el("h2", { class: "answer-label" }, label));
    }
    const text = el("p", { class: "answer-text" }, "…");
    root.append(text);
    grid.append(root);
    cards.push({ root, text, label, turn: li });
  }
  log.append(li);
  li.scrollIntoView({ block: "end" });
  return cards;
}

function showAnswer(card, answer) {
  card.turn.removeAttribute("aria-busy");
  card.text.textContent = answer.text;
  // An empty answer is possible (the model may stop at once); say so rather than show a blank bubble.
  card.text.classList.toggle("empty", answer.text === "");
  if (answer.text === "") {
    card.text.textContent = "(empty answer)";
  }
  card.root.dataset.responseId = answer.responseId;
  card.root.append(el("p", { class: "model-version", title: "policy@version that wrote this answer" },
    answer.model));
}

/** Thumbs up / down under a single answer; the first successful vote disables both. */
function addVoteButtons(card, answer) {
  const group = el("div", { class: "votes", role: "group", "aria-label": "Rate this answer" });
  const up = el("button", { type: "button", class: "vote up", "aria-label": "Good answer (thumbs up)", title: "Good answer" });
  const down = el("button", { type: "button", class: "vote down", "aria-label": "Bad answer (thumbs down)", title: "Bad answer" });
  up.append(thumbIcon());
  down.append(thumbIcon());
  const status = el("span", { class: "vote-status", role: "status" });
  group.append(up, down, status);
  card.root.append(group);
  for (const [button, rating] of [[up, "up"], [down, "down"]]) {
    button.addEventListener("click", () =>
      vote([up, down], button, status, "/v1/feedback", { response_id: answer.responseId, rating, user_id: userId }));
  }
}

/**
 * A thumb drawn inline rather than an emoji: emoji need a colour font that minimal systems lack (they showed as empty
 * boxes in headless Chromium), and an icon file would be one more request. The down thumb is this one rotated (CSS).
 */
function thumbIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z");
  svg.append(path);
  return svg;
}

/** "This one is better" under each of the two answers; the pick posts chosen/rejected to the pairwise endpoint. */
function addPreferenceButtons(cards, answers, onChosen) {
  const buttons = cards.map((card) =>
    el("button", { type: "button", class: "prefer", "aria-label": `${card.label} is better` }, "This one is better"));
  const status = el("p", { class: "vote-status pair-status", role: "status" });
  cards.forEach((card, i) => card.root.append(buttons[i]));
  cards[0].turn.append(status);
  buttons.forEach((button, i) => {
    const chosen = answers[i];
    const rejected = answers[1 - i];
    button.addEventListener("click", async () => {
      const ok = await vote(buttons, button, status, "/v1/feedback/pairwise", {
        chosen_response_id: chosen.responseId,
        rejected_response_id: rejected.responseId,
        user_id: userId,
      });
      if (ok) {
        cards[i].root.classList.add("chosen");
        onChosen(chosen);
      }
    });
  });
}

/** Posts one vote. Buttons stay disabled once it is recorded; on failure they come back so the user can retry. */
async function vote(buttons, pressed, status, path, body) {
  buttons.forEach((b) => (b.disabled = true));
  pressed.setAttribute("aria-pressed", "true");
  status.classList.remove("error");
  status.textContent = "Sending…";
  try {
    const res = await fetch((await feedbackBase) + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) {
      throw new Error(await problemText(res));
    }
    status.textContent = "Thanks, your vote was recorded.";
    return true;
  } catch (e) {
    // fetch rejects with a bare TypeError when the service is down or CORS refuses: say which part failed.
    const reason = e instanceof TypeError ? "the feedback service could not be reached" : e.message;
    status.textContent = `Vote not recorded: ${reason}.`;
    status.classList.add("error");
    pressed.removeAttribute("aria-pressed");
    buttons.forEach((b) => (b.disabled = false));
    return false;
  }
}

function addError(message) {
  const li = el("li", { class: "turn error" });
  li.append(el("p", { class: "bubble error-bubble", role: "alert" }, message));
  log.append(li);
}

function setBusy(busy) {
  sendButton.disabled = busy;
  say(busy ? "The model is answering…" : "");
}

function say(text) {
  statusLine.textContent = text;
}

async function fetchJson(url) {
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  if (!res.ok) {
    throw new Error(await problemText(res));
  }
  return res.json();
}

/** The most useful words in an error response: an RFC 9457 problem's detail, else the status line. */
async function problemText(res) {
  try {
    const p = await res.json();
    if (p.detail || p.title || p.message) {
      return p.detail || p.title || p.message;
    }
  } catch {
    // Not JSON: fall through to the status.
  }
  return `HTTP ${res.status}${res.statusText ? " " + res.statusText : ""}`;
}

/** createElement with attributes and optional text, so the DOM code above reads like the markup it makes. */
function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    node.setAttribute(k, v);
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}
