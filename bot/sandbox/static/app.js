// ATENSI sandbox web chat. Plain JavaScript, no build step, no dependencies.
//
// The page acts as one person at a time through the sandbox's JSON API and long-polls
// /api/updates to follow everything live. Messages arrive as plain text plus Telegram entities;
// they are turned into DOM nodes here, never into HTML strings, so nothing a user or the bot
// wrote can become markup.
"use strict";

(() => {
  const T = {
    id: {
      sandbox: "Sandbox", tagline: "Bot asli, Telegram lokal, data fiktif.", who: "Pilih orang",
      time: "Waktu sandbox", hour: "jam", hours: "jam", day: "hari", days: "hari", advance: "Maju",
      travel_help: "Pengingat dan tenggat dihitung dari waktu ini.", reset: "Kembalikan data demo",
      chats: "Chat", menu: "Menu", cancel: "Batal", offline: "Sandbox tidak terhubung…", message: "Pesan",
      operators: "Operator IPWL", pics: "Tim PIC", centre: "Pusat (BRSKPN)", public: "Masyarakat",
      role_operator: "Operator", role_pic: "PIC", role_finance: "Keuangan", role_head: "Kepala Balai", role_admin: "Admin",
      role_complaint_officer: "Petugas pengaduan", role_guest: "Warga (tanpa peran)",
      bot: "bot", members: "{n} anggota", empty: "Belum ada pesan. Ketik /start atau tekan Menu.",
      no_answer: "Bot tidak menjawab tombol ini.", edited: "diedit",
      reset_confirm: "Hapus semua yang terjadi di sandbox dan mulai lagi dari data demo?",
      resetting: "Menyiapkan data demo…", reset_done: "Data demo dipulihkan.",
      travelled: "⏩ Waktu maju {d}.", ahead: "+{d} dari waktu nyata",
      health_ok: "✓ Bot API: tidak ada pelanggaran", health_bad: "⚠ Bot API: {n} pelanggaran",
      unvalidated: "Spesifikasi Bot API tidak ditemukan: permintaan tidak divalidasi.",
      unit_d: "{n} hari", unit_h: "{n} jam", unit_m: "{n} menit", failed: "Gagal: {e}",
      how: "Cara mencoba", tip1: "Pilih seorang operator IPWL dan ketik /ajukan untuk menyiapkan proposal.",
      tip2: "Tekan tombol di bawah pesan bot, seperti di Telegram.",
      tip3: "Pindah ke PIC timnya untuk melihat grup tim.",
      tip4: "Majukan waktu untuk melihat pengingat dan tenggat.",
      morning: "⏭ Pagi kerja berikutnya ({when})",
      sent_n: "Bot mengirim {n} pesan:", nothing_closed: "Tidak ada pesan baru: di luar jam kerja ({start}–{end}, Senin–Jumat). Pengingat menunggu sampai {next}.",
      nothing_due: "Tidak ada pesan baru: tidak ada yang jatuh tempo pada waktu ini.",
      too_long: "Pesan terlalu panjang: {n} karakter, paling banyak {max}. Teks tetap di kotak pesan; persingkat atau bagi menjadi beberapa pesan.",
      no_command: "Tidak ada perintah yang cocok.",
    },
    en: {
      sandbox: "Sandbox", tagline: "The real bot, a local Telegram, fictional data.", who: "Choose a person",
      time: "Sandbox time", hour: "hour", hours: "hours", day: "day", days: "days", advance: "Go",
      travel_help: "Reminders and deadlines count from this time.", reset: "Reset demo data",
      chats: "Chats", menu: "Menu", cancel: "Cancel", offline: "Sandbox not connected…", message: "Message",
      operators: "IPWL operators", pics: "PIC teams", centre: "Centre (BRSKPN)", public: "Public",
      role_operator: "Operator", role_pic: "PIC", role_finance: "Finance", role_head: "Head of centre", role_admin: "Admin",
      role_complaint_officer: "Complaint officer", role_guest: "Member of the public (no role)",
      bot: "bot", members: "{n} members", empty: "No messages yet. Type /start or press Menu.",
      no_answer: "The bot did not answer this button.", edited: "edited",
      reset_confirm: "Erase everything done in the sandbox and start again from the demo data?",
      resetting: "Preparing the demo data…", reset_done: "Demo data restored.",
      travelled: "⏩ Time moved forward {d}.", ahead: "+{d} ahead of real time",
      health_ok: "✓ Bot API: no violations", health_bad: "⚠ Bot API: {n} violations",
      unvalidated: "Bot API spec not found: requests are not validated.",
      unit_d: "{n} d", unit_h: "{n} h", unit_m: "{n} min", failed: "Failed: {e}",
      how: "How to try it", tip1: "Pick an IPWL operator and type /ajukan to prepare a proposal.",
      tip2: "Press the buttons under the bot's messages, as in Telegram.",
      tip3: "Switch to a PIC of their team to see the team's group.",
      tip4: "Move time forward to see reminders and deadlines.",
      morning: "⏭ Next working morning ({when})",
      sent_n: "The bot sent {n} message(s):", nothing_closed: "No new messages: outside working hours ({start}–{end}, Monday–Friday). Reminders wait until {next}.",
      nothing_due: "No new messages: nothing was due at this time.",
      too_long: "The message is too long: {n} characters, at most {max}. The text stays in the box; shorten it or split it into several messages.",
      no_command: "No command matches.",
    },
  };

  // Telegram's limit for one message; the server refuses longer ones (counted as Python does).
  const MAX_TEXT = 4096;

  const S = {
    // The page's own language (the bot speaks each person's language, chosen with /bahasa).
    lang: localStorage.getItem("sandbox.lang") || ((navigator.language || "id").startsWith("en") ? "en" : "id"),
    version: -1,
    state: null, // /api/state
    view: null, // /api/chat for the open chat
    persona: localStorage.getItem("sandbox.persona") || "op-jb01",
    chat: null, // id of the open chat, or null: the chat list
    seen: new Map(), // "persona:chat" -> message count read
    signatures: new Map(), // message id -> what it looked like (to flash edits)
    keyboardOpen: false,
    commandsTyped: false, // the command menu was opened by typing "/" (typing on closes it)
    commandsPrefix: null, // what was typed after "/" while the menu is open (null: the whole menu)
    stick: true, // the open chat is scrolled to its newest message
    clockBase: { utc: Date.now(), at: Date.now() },
    refreshing: null,
    again: false,
  };

  const $ = (id) => document.getElementById(id);
  const t = (key, params = {}) =>
    (T[S.lang][key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // An element from a tag, properties and children; text only ever goes in as text nodes.
  function h(tag, props = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key === "dataset") Object.assign(el.dataset, value);
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  async function api(path, { method = "GET", body = null, form = null } = {}) {
    const init = { method, headers: {} };
    if (method === "POST") init.headers["X-Sandbox"] = "1";
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify({ ...body, lang: S.lang });
    }
    if (form) init.body = form;
    const response = await fetch(path, init);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  // ------------------------------------------------------------------------- people & clock

  const persona = () => S.state?.people.find((p) => p.key === S.persona) ?? S.state?.people[0];
  const colour = (id) => Math.abs(Number(id)) % 7;
  const seenKey = (key, chat) => `${key}:${chat}`;
  const unread = (key, chat) => Math.max(0, chat.count - (S.seen.get(seenKey(key, chat.id)) ?? chat.count));

  function detail(p) {
    if (p.ipwl) return `${p.ipwl.code} · ${p.ipwl.name} · ${p.zone.label}`;
    if (p.team) return `${t("role_pic")} · ${p.team.name} (${p.team.code})`;
    return `${t("role_" + p.role)} · ${p.zone.label}`;
  }

  function renderPeople() {
    const box = $("people");
    box.replaceChildren();
    const groups = [
      ["operators", (p) => p.role === "operator"],
      ["pics", (p) => p.role === "pic"],
      ["centre", (p) => !["operator", "pic", "guest"].includes(p.role)],
      ["public", (p) => p.role === "guest"],
    ];
    for (const [title, belongs] of groups) {
      box.append(h("h3", { text: t(title) }));
      for (const p of S.state.people.filter(belongs)) {
        const count = p.chats.reduce((sum, chat) => sum + unread(p.key, chat), 0);
        box.append(h("button", {
          type: "button", class: "person" + (p.key === S.persona ? " active" : ""),
          dataset: { persona: p.key }, onclick: () => choosePerson(p.key),
        },
        h("div", { class: `avatar small-avatar c${colour(p.id)}`, text: p.initials }),
        h("div", { class: "who" }, h("div", { class: "name", text: p.name }), h("div", { class: "detail", text: detail(p) })),
        count ? h("span", { class: "badge", text: count }) : null));
      }
    }
  }

  function duration(seconds) {
    const d = Math.floor(seconds / 86400), hrs = Math.floor((seconds % 86400) / 3600), min = Math.floor((seconds % 3600) / 60);
    const parts = [];
    if (d) parts.push(t("unit_d", { n: d }));
    if (hrs) parts.push(t("unit_h", { n: hrs }));
    if (!d && !hrs) parts.push(t("unit_m", { n: min }));
    return parts.join(" ");
  }

  // "Senin, 30 Nov 2026 01.00 WIB": the weekday says at once whether reminders can go out.
  function weekday(iso, zone) {
    return new Intl.DateTimeFormat(S.lang, { weekday: "long", timeZone: zone }).format(new Date(iso));
  }

  function wallTime(iso, zone) {
    const parts = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone })
      .format(new Date(iso));
    return S.lang === "id" ? parts.replace(":", ".") : parts;
  }

  function renderClock() {
    const clock = S.state.clock;
    $("clock-centre").textContent = `${weekday(clock.utc, clock.zone)}, ${clock.centre}`;
    const morning = clock.working_morning;
    $("travel-morning").textContent = t("morning", { when: `${weekday(morning, clock.zone)} ${wallTime(morning, clock.zone)}` });
    $("clock-offset").textContent = clock.offset_seconds > 0 ? t("ahead", { d: duration(clock.offset_seconds) }) : "";
    tickPhoneClock();
  }

  function tickPhoneClock() {
    const p = persona();
    if (!p) return;
    const now = S.clockBase.utc + (Date.now() - S.clockBase.at) + p.zone.offset_minutes * 60000;
    const local = new Date(now);
    const pad = (n) => String(n).padStart(2, "0");
    const sep = S.lang === "id" ? "." : ":";
    $("phone-time").textContent = `${pad(local.getUTCHours())}${sep}${pad(local.getUTCMinutes())} ${p.zone.label}`;
  }

  function renderHealth() {
    const box = $("health");
    const count = S.state.violations.length;
    box.className = "health small " + (count ? "bad" : "ok");
    box.textContent = !S.state.validated ? t("unvalidated") : count ? t("health_bad", { n: count }) : t("health_ok");
    box.title = S.state.violations.join("\n");
  }

  // ------------------------------------------------------------------------------ chat list

  function chatAvatar(chat) {
    if (chat.type === "private") return h("div", { class: "avatar bot-avatar", text: "A" });
    const initials = chat.title.split(/\s+/).filter((w) => /^[A-Za-z]/.test(w)).slice(0, 2).map((w) => w[0]).join("");
    return h("div", { class: `avatar c${colour(chat.id)}`, text: initials || "G" });
  }

  function subtitle(chat) {
    return chat.type === "private" ? t("bot") : t("members", { n: chat.members });
  }

  function renderChatList() {
    const p = persona();
    $("phone-owner").textContent = p.name;
    $("list-owner").textContent = p.name;
    const list = $("chat-list");
    list.replaceChildren();
    const chats = [...p.chats].sort((a, b) => (b.date ?? 0) - (a.date ?? 0));
    for (const chat of chats) {
      const count = unread(p.key, chat);
      list.append(h("button", { type: "button", class: "chat-item", dataset: { chat: chat.id }, onclick: () => openChat(chat.id) },
        chatAvatar(chat),
        h("div", { class: "text" },
          h("div", { class: "top" }, h("span", { class: "title", text: chat.title }), h("span", { class: "when", text: chat.date ? shortTime(chat.date, p) : "" })),
          h("div", { class: "bottom" }, h("span", { class: "preview", text: chat.preview || subtitle(chat) }),
            count ? h("span", { class: "badge", text: count }) : null))));
    }
  }

  // The chat list shows the time for today's messages and the date for older ones, as Telegram does.
  function shortTime(unix, p) {
    const shift = p.zone.offset_minutes * 60000;
    const local = new Date(unix * 1000 + shift);
    const today = new Date(S.clockBase.utc + (Date.now() - S.clockBase.at) + shift);
    if (local.toISOString().slice(0, 10) !== today.toISOString().slice(0, 10)) {
      const month = new Intl.DateTimeFormat(S.lang, { month: "short", timeZone: "UTC" }).format(local);
      return `${local.getUTCDate()} ${month}`;
    }
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(local.getUTCHours())}${S.lang === "id" ? "." : ":"}${pad(local.getUTCMinutes())}`;
  }

  // ---------------------------------------------------------------------------- messages

  const BOT_LINK = /^https?:\/\/(?:t\.me|telegram\.me)\/([A-Za-z0-9_]+)\/?(?:\?start=([A-Za-z0-9_-]*))?$/i;

  // Telegram entities (UTF-16 offsets, as JavaScript strings count) as nested DOM nodes.
  function formatted(text, entities) {
    const root = document.createDocumentFragment();
    const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
    build(root, text, 0, text.length, sorted);
    return root;
  }

  function build(parent, text, start, end, entities) {
    let pos = start;
    let i = 0;
    while (i < entities.length) {
      const e = entities[i];
      const stop = Math.min(e.offset + e.length, end);
      let j = i + 1;
      const inner = [];
      while (j < entities.length && entities[j].offset < stop) inner.push(entities[j++]);
      if (e.offset > pos) parent.append(plain(text.slice(pos, e.offset), parent));
      const el = entityElement(e, text.slice(e.offset, stop));
      build(el, text, e.offset, stop, inner);
      parent.append(el);
      pos = stop;
      i = j;
    }
    if (pos < end) parent.append(plain(text.slice(pos, end), parent));
  }

  // "/lpj", "/status KODE"… in plain text: tappable as in Telegram, which finds bot commands in
  // any message even without an entity. Not inside code, links or an existing command.
  const COMMAND = /(^|[\s(«“"'])(\/[A-Za-z][A-Za-z0-9_]{0,31})(?![A-Za-z0-9_\/])/g;
  function plain(text, parent) {
    if (parent.closest?.("code, pre, a, .link") || !text.includes("/")) return text;
    const out = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(COMMAND)) {
      const start = match.index + match[1].length;
      out.append(text.slice(last, start), h("span", { class: "link command", onclick: () => sendText(match[2]) }, match[2]));
      last = start + match[2].length;
    }
    out.append(text.slice(last));
    return out;
  }

  function entityElement(e, slice) {
    switch (e.type) {
      case "bold": return h("strong");
      case "italic": return h("em");
      case "underline": return h("u");
      case "strikethrough": return h("s");
      case "spoiler": return h("span", { class: "spoiler", onclick: (ev) => ev.currentTarget.classList.add("shown") });
      case "code": return h("code");
      case "pre": return h("pre");
      case "blockquote": case "expandable_blockquote": return h("blockquote");
      case "text_link": return link(e.url);
      case "url": return link(/^[a-z]+:\/\//i.test(slice) ? slice : "https://" + slice);
      case "email": return h("a", { href: "mailto:" + slice });
      case "bot_command": return h("span", { class: "link", onclick: () => sendText(slice) });
      case "mention": case "text_mention": case "hashtag": case "cashtag": case "phone_number":
        return h("span", { class: "link" });
      default: return h("span");
    }
  }

  function link(url) {
    if (BOT_LINK.test(url)) return h("span", { class: "link", onclick: () => openUrl(url) });
    if (/^https?:\/\//i.test(url)) return h("a", { href: url, target: "_blank", rel: "noopener noreferrer" });
    return h("span", { class: "link" });
  }

  // As the bot writes sizes: "193 B", "4,5 KB", "1,2 MB" (decimal comma in Indonesian).
  function fileSize(bytes) {
    if (bytes == null) return "";
    const number = (value, digits) => new Intl.NumberFormat(S.lang === "id" ? "id-ID" : "en-US",
      { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1000 * 1024) return `${number(bytes / 1024, bytes < 10 * 1024 ? 1 : 0)} KB`;
    return `${number(bytes / 1024 / 1024, bytes < 100 * 1024 * 1024 ? 1 : 0)} MB`;
  }

  function fileUrl(id, download) {
    return `/api/files/${encodeURIComponent(id)}` + (download ? "?download=1" : "");
  }

  function messageRow(m, chat) {
    const group = chat.type !== "private";
    const bubble = h("div", { class: "bubble" });
    if (group && !m.out) bubble.append(h("div", { class: `sender s${colour(m.from.id)}`, text: m.from.name }));
    if (m.reply_to) bubble.append(h("div", { class: "quote" }, h("b", { text: m.reply_to.name }), m.reply_to.text));
    if (m.photo) bubble.append(h("img", { class: "photo", src: fileUrl(m.photo.file_id, false), alt: "", onload: keepAtBottom }));
    if (m.document && /^image\/(png|jpeg|gif|webp)$/.test(m.document.mime || "")) {
      // Telegram previews pictures sent as files (the bot's report charts) above the file card.
      bubble.append(h("img", { class: "photo", src: fileUrl(m.document.file_id, false), alt: m.document.name || "", onload: keepAtBottom }));
    }
    if (m.document) {
      bubble.append(h("a", { class: "file", href: fileUrl(m.document.file_id, true), download: m.document.name || "file",
        dataset: { file: m.document.name || "" } },
        h("div", { class: "file-icon", text: "⬇" }),
        h("div", {}, h("div", { class: "file-name", text: m.document.name || "file" }),
          h("div", { class: "file-size", text: fileSize(m.document.size) }))));
    }
    // The time sits in the bottom-right corner; a hidden copy at the end of the text keeps
    // the last line from running under it, as in Telegram's apps.
    const stamp = (m.edited ? t("edited") + " " : "") + m.time + (m.out ? " ✓✓" : "");
    if (m.text) {
      bubble.append(h("div", { class: "text" }, formatted(m.text, m.entities), h("span", { class: "meta-space", text: stamp })));
      bubble.append(h("span", { class: "meta", text: stamp }));
    } else {
      bubble.append(h("div", { class: "meta-line" }, h("span", { class: "meta inline", text: stamp })));
    }

    const signature = JSON.stringify([m.text, m.buttons, m.edited]);
    const before = S.signatures.get(`${chat.id}:${m.id}`);
    if (before !== undefined && before !== signature) bubble.classList.add("flash");
    S.signatures.set(`${chat.id}:${m.id}`, signature);

    const row = h("div", { class: "row" + (m.out ? " out" : ""),
      dataset: { messageId: m.id, from: m.from.bot ? "bot" : m.out ? "me" : "user" } }, bubble);
    if (m.buttons.length) row.append(inlineKeyboard(m, chat));
    return row;
  }

  function inlineKeyboard(m, chat) {
    return h("div", { class: "inline-keyboard" }, m.buttons.map((buttons) =>
      h("div", { class: "inline-row" }, buttons.map((b) =>
        h("button", { type: "button", class: b.url ? "url" : "", title: b.text, dataset: b.data ? { callback: b.data } : {},
          onclick: (ev) => (b.url ? openUrl(b.url) : press(chat.id, m.id, b.data, ev.currentTarget)) }, b.text)))));
  }

  function renderChat() {
    const view = S.view;
    if (!view) return;
    const p = persona();
    const chat = view.chat;
    $("chat-title").textContent = chat.title;
    $("chat-subtitle").textContent = subtitle(chat);
    $("chat-avatar").replaceWith(Object.assign(chatAvatar(chat), { id: "chat-avatar" }));
    $("chat-avatar").classList.add("small-avatar");

    const box = $("messages");
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60 || box.dataset.chat !== String(chat.id);
    box.replaceChildren();
    box.dataset.chat = String(chat.id);
    let day = null;
    for (const m of view.messages) {
      if (m.day_key !== day) {
        day = m.day_key;
        box.append(h("div", { class: "day", text: m.day }));
      }
      box.append(messageRow(m, chat));
    }
    if (!view.messages.length) box.append(h("div", { class: "empty-chat", text: t("empty") }));
    S.stick = atBottom;
    keepAtBottom();

    renderReplyKeyboard(view.keyboard);
    const menu = $("menu-button");
    menu.hidden = !view.commands.length;
    // An open menu follows the chat's commands too: they may arrive after it opened (a new role's
    // menu is published by the bot a moment after the person joined).
    renderCommands(view.commands, $("commands").hidden ? null : S.commandsPrefix);
    $("composer-input").placeholder = view.keyboard?.placeholder || t("message");
    S.seen.set(seenKey(p.key, chat.id), view.messages.length);
  }

  // Pictures load after the chat is drawn: keep the newest message in view if it was.
  function keepAtBottom() {
    const box = $("messages");
    if (S.stick) box.scrollTop = box.scrollHeight;
  }

  function renderReplyKeyboard(keyboard) {
    const box = $("reply-keyboard");
    const toggle = $("keyboard-toggle");
    toggle.hidden = !keyboard;
    if (!keyboard) {
      box.hidden = true;
      return;
    }
    box.hidden = keyboard.collapsed && !S.keyboardOpen;
    box.replaceChildren(...keyboard.rows.map((row) =>
      h("div", { class: "kb-row" }, row.map((label) =>
        h("button", { type: "button", dataset: { key: label }, onclick: () => { S.keyboardOpen = false; sendText(label); } }, label)))));
  }

  // The command menu: all commands (Menu), or those starting with what was typed after "/".
  function renderCommands(commands, prefix = null) {
    const shown = commands.filter((c) => prefix === null || c.command.startsWith(prefix.toLowerCase()));
    $("commands").replaceChildren(...shown.map((c) =>
      h("button", { type: "button", dataset: { command: c.command }, onclick: () => {
        closeCommands();
        $("composer-input").value = "";
        sendText("/" + c.command);
      } },
      h("span", { class: "cmd", text: "/" + c.command }), h("span", { text: c.description }))));
    if (!shown.length) $("commands").append(h("p", { class: "no-command", text: t("no_command") }));
  }

  function openCommands(prefix) {
    S.commandsTyped = prefix !== null;
    S.commandsPrefix = prefix;
    renderCommands(S.view?.commands ?? [], prefix);
    $("commands").hidden = false;
  }

  function closeCommands() {
    S.commandsTyped = false;
    S.commandsPrefix = null;
    $("commands").hidden = true;
  }

  // ------------------------------------------------------------------------------ acting

  // Returns whether the text went out (a refused one stays in the message box).
  async function sendText(text) {
    if (!S.chat || !text.trim()) return false;
    const length = [...text.trim()].length;
    if (length > MAX_TEXT) {
      toast(t("too_long", { n: length, max: MAX_TEXT }), 6000);
      return false;
    }
    try {
      await api("/api/send", { method: "POST", body: { as: S.persona, chat: S.chat, text } });
      await refresh();
      return true;
    } catch (error) {
      toast(t("failed", { e: error.message }));
      return false;
    }
  }

  async function press(chat, message, data, button) {
    button.classList.add("busy");
    button.disabled = true;
    try {
      const { answer } = await api("/api/press", { method: "POST", body: { as: S.persona, chat, message, data } });
      if (!answer) toast(t("no_answer"));
      else if (answer.url) openUrl(answer.url);
      if (answer?.text) answer.show_alert ? await ask(answer.text, false) : toast(answer.text);
    } catch (error) {
      toast(t("failed", { e: error.message }));
    } finally {
      button.classList.remove("busy");
      button.disabled = false;
      refresh();
    }
  }

  // A t.me link to this bot opens the private chat and starts it, as Telegram does.
  function openUrl(url) {
    const match = BOT_LINK.exec(url);
    if (match && match[1].toLowerCase() === S.state.bot.username.toLowerCase()) {
      const p = persona();
      openChat(p.id).then(() => sendText(match[2] ? `/start ${match[2]}` : "/start"));
      return;
    }
    if (/^https?:\/\//i.test(url)) window.open(url, "_blank", "noopener,noreferrer");
  }

  async function upload(file) {
    const form = new FormData();
    form.append("as", S.persona);
    form.append("chat", String(S.chat));
    form.append("lang", S.lang);
    form.append("file", file, file.name);
    const input = $("composer-input");
    if (input.value.trim()) form.append("caption", input.value.trim());
    if (["image/jpeg", "image/png"].includes(file.type)) form.append("photo", "1");
    try {
      await api("/api/upload", { method: "POST", form });
      input.value = "";
      await refresh();
    } catch (error) {
      toast(t("failed", { e: error.message }));
    }
  }

  async function travel(body) {
    const from = S.state ? Date.parse(S.state.clock.utc) + (Date.now() - S.clockBase.at) : Date.now();
    try {
      const report = await api("/api/clock", { method: "POST", body });
      toast(t("travelled", { d: duration(Math.max(0, (Date.parse(report.utc) - from) / 1000)) }));
      await refresh();
      renderTravelReport(report);
    } catch (error) {
      toast(t("failed", { e: error.message }));
    }
  }

  // After a jump: what became due (each message, tappable when the person sees that chat), or why
  // nothing did — outside working hours reminders wait, and whole days keep the hour.
  function renderTravelReport(report) {
    const box = $("travel-report");
    const zone = S.state.clock.zone;
    const hm = (text) => (S.lang === "id" ? text.replace(":", ".") : text);
    if (!report.sent.length) {
      box.replaceChildren(h("p", { text: report.working_hours ? t("nothing_due") : t("nothing_closed", {
        start: hm(report.work_start), end: hm(report.work_end),
        next: `${weekday(report.next_working, zone)} ${wallTime(report.next_working, zone)}` }) }));
    } else {
      const p = persona();
      box.replaceChildren(h("p", { text: t("sent_n", { n: report.sent.length }) }), h("ul", {}, report.sent.map((m) => {
        const mine = p.chats.some((c) => c.id === m.chat);
        return h("li", {}, h(mine ? "button" : "span", { type: mine ? "button" : null, class: mine ? "report-link" : "",
          dataset: { chat: String(m.chat) }, onclick: mine ? () => openChat(m.chat) : null },
          h("b", { text: m.title }), " — " + m.preview));
      })));
    }
    box.hidden = false;
  }

  async function reset() {
    if (!(await ask(t("reset_confirm"), true))) return;
    const button = $("reset");
    button.disabled = true;
    button.textContent = t("resetting");
    try {
      await api("/api/reset", { method: "POST", body: {} });
      S.seen.clear();
      S.signatures.clear();
      S.version = -1;
      await refresh();
      toast(t("reset_done"));
    } catch (error) {
      toast(t("failed", { e: error.message }));
    } finally {
      button.disabled = false;
      button.textContent = t("reset");
    }
  }

  // ---------------------------------------------------------------------------- navigation

  // A person's phone opens where the news is: the chat with unread messages (the newest of them),
  // else their private chat — a PIC's new card waits in the team's group, not in the private chat.
  async function choosePerson(key) {
    S.persona = key;
    localStorage.setItem("sandbox.persona", key);
    S.keyboardOpen = false;
    const p = persona();
    const news = p.chats.filter((c) => unread(p.key, c) > 0).sort((a, b) => (b.date ?? 0) - (a.date ?? 0));
    await openChat(news.length ? news[0].id : p.id);
  }

  async function openChat(chatId) {
    S.chat = chatId;
    $("screen-list").hidden = true;
    $("screen-chat").hidden = false;
    $("commands").hidden = true;
    await refresh();
    // Focusing would scroll the page to the box and push the chat out of a small screen: bring the
    // whole phone into view instead, then focus without scrolling.
    if (window.matchMedia("(max-width: 820px)").matches) $("phone").scrollIntoView({ block: "start" });
    $("composer-input").focus({ preventScroll: true });
  }

  function showList() {
    S.chat = null;
    S.view = null;
    $("screen-chat").hidden = true;
    $("screen-list").hidden = false;
    refresh();
  }

  // ---------------------------------------------------------------------------- live data

  // One refresh at a time; a request for another while one runs makes it run once more.
  async function refresh() {
    if (S.refreshing) {
      S.again = true;
      return S.refreshing;
    }
    S.refreshing = (async () => {
      do {
        S.again = false;
        const state = await api(`/api/state?lang=${S.lang}`);
        const first = S.state === null;
        S.state = state;
        S.clockBase = { utc: Date.parse(state.clock.utc), at: Date.now() };
        if (first || S.seen.size === 0) {
          // What happened before the page opened counts as read.
          for (const p of state.people) for (const c of p.chats) S.seen.set(seenKey(p.key, c.id), c.read ?? c.count);
        }
        if (!state.people.some((p) => p.key === S.persona)) S.persona = state.people[0].key;
        const p = persona();
        if (S.chat !== null && !p.chats.some((c) => c.id === S.chat)) S.chat = p.chats[0].id;
        const asked = S.chat;
        S.view = asked === null ? null
          : await api(`/api/chat?as=${encodeURIComponent(S.persona)}&chat=${asked}&lang=${S.lang}`);
        if (S.chat !== asked) {
          // Another chat was opened while this one loaded: never paint the old one over it.
          S.again = true;
          continue;
        }
        if (S.view) renderChat();
        renderPeople();
        renderChatList();
        renderClock();
        renderHealth();
        S.version = state.version;
      } while (S.again);
      // (Only now is the page showing this version, for the chat that is open.)
      document.body.dataset.version = String(S.version);
    })();
    try {
      await S.refreshing;
    } finally {
      S.refreshing = null;
    }
  }

  async function follow() {
    let delay = 500;
    for (;;) {
      try {
        const { version } = await api(`/api/updates?since=${S.version}&timeout=25`);
        $("offline").hidden = true;
        delay = 500;
        if (version !== S.version) await refresh();
      } catch {
        $("offline").hidden = false;
        await sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  // ------------------------------------------------------------------------- toast & modal

  let toastTimer = null;
  function toast(text, ms = 2800) {
    const box = $("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, ms);
  }

  function ask(text, cancellable) {
    return new Promise((resolve) => {
      $("modal-text").textContent = text;
      $("modal-cancel").hidden = !cancellable;
      $("modal").hidden = false;
      const done = (value) => {
        $("modal").hidden = true;
        $("modal-ok").onclick = $("modal-cancel").onclick = null;
        resolve(value);
      };
      $("modal-ok").onclick = () => done(true);
      $("modal-cancel").onclick = () => done(false);
      $("modal-ok").focus();
    });
  }

  // ---------------------------------------------------------------------------------- start

  function applyLanguage() {
    document.documentElement.lang = S.lang;
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-lang]")) el.classList.toggle("active", el.dataset.lang === S.lang);
  }

  function wire() {
    for (const el of document.querySelectorAll("[data-lang]")) {
      el.addEventListener("click", () => {
        S.lang = el.dataset.lang;
        localStorage.setItem("sandbox.lang", S.lang);
        applyLanguage();
        refresh();
      });
    }
    $("back").addEventListener("click", showList);
    $("messages").addEventListener("scroll", () => {
      const box = $("messages");
      S.stick = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    });
    $("composer").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const input = $("composer-input");
      const text = input.value;
      if ([...text.trim()].length > MAX_TEXT) {
        sendText(text); // says the limit; the text stays where it is
        return;
      }
      input.value = "";
      closeCommands();
      if (!(await sendText(text)) && !input.value) input.value = text; // refused: give it back
    });
    // "/" at the start of the box suggests the commands of this chat, as Telegram does.
    $("composer-input").addEventListener("input", () => {
      const value = $("composer-input").value;
      if (/^\/[A-Za-z0-9_]*$/.test(value)) openCommands(value.slice(1));
      else if (S.commandsTyped) closeCommands();
    });
    $("composer-input").addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey) {
        ev.preventDefault();
        $("composer").requestSubmit();
      }
    });
    $("attach").addEventListener("click", () => $("file-input").click());
    $("file-input").addEventListener("change", (ev) => {
      const file = ev.target.files[0];
      ev.target.value = "";
      if (file) upload(file);
    });
    $("menu-button").addEventListener("click", () => ($("commands").hidden ? openCommands(null) : closeCommands()));
    document.addEventListener("keydown", (ev) => {
      if (ev.key !== "Escape") return;
      if (!$("modal").hidden) $("modal-cancel").hidden ? $("modal-ok").click() : $("modal-cancel").click();
      else if (!$("commands").hidden) {
        closeCommands();
        $("composer-input").focus({ preventScroll: true });
      }
    });
    $("keyboard-toggle").addEventListener("click", () => {
      S.keyboardOpen = $("reply-keyboard").hidden;
      renderReplyKeyboard(S.view?.keyboard);
    });
    for (const el of document.querySelectorAll("[data-travel-hours]")) el.addEventListener("click", () => travel({ hours: Number(el.dataset.travelHours) }));
    for (const el of document.querySelectorAll("[data-travel-days]")) el.addEventListener("click", () => travel({ days: Number(el.dataset.travelDays) }));
    $("travel-morning").addEventListener("click", () => travel({ to: "working_morning" }));
    $("travel-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const amount = Number($("travel-amount").value);
      if (amount > 0) travel({ [$("travel-unit").value]: amount });
    });
    $("reset").addEventListener("click", reset);
    setInterval(tickPhoneClock, 10_000);
  }

  async function main() {
    applyLanguage();
    wire();
    for (;;) {
      try {
        await refresh();
        break;
      } catch {
        $("offline").hidden = false;
        await sleep(1000);
      }
    }
    $("offline").hidden = true;
    await openChat(persona().id);
    follow();
  }

  main();
})();
