// milia-scan page: small DOM helpers shared by app.js and profiles.js (loaded first, no build step).
// Label text only ever goes into the page through textContent and text nodes, never as HTML.
"use strict";

window.MiliaPage = (function () {
  const $ = (id) => document.getElementById(id);

  // An element; attrs: class, text (as textContent), on<event> handlers, other attributes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // How much of the score a hit carries: 3 high share, 2 some, 1 small (the marks' shades).
  function level(contribution) {
    return contribution >= 15 ? 3 : contribution >= 5 ? 2 : 1;
  }

  // Points as the page shows them: at most two decimals.
  function points(x) {
    return (Math.round(x * 100) / 100).toString();
  }

  // A label token on one line: a word hyphenated across a line break joined, other breaks a space
  // (as render._one_line, so the page names a token as `milia-scan scan` does).
  function oneLine(text) {
    return text.replace(/(?<=[a-z])-[ \t]*(?:\r\n|[\r\n])[ \t]*(?=[a-z])/g, "").split(/\s+/).filter(Boolean).join(" ");
  }

  // Open the <details> with this id, scroll to it and focus its summary.
  function openDetails(targetId) {
    const details = $(targetId);
    if (!details) return;
    details.open = true;
    details.scrollIntoView({ block: "nearest", behavior: "smooth" });
    details.querySelector("summary").focus({ preventScroll: true });
  }

  // A mark in the label that opens the <details> with id targetId (click, or Enter / Space).
  function interactive(mark, targetId) {
    mark.tabIndex = 0;
    mark.setAttribute("role", "button");
    mark.setAttribute("aria-controls", targetId);
    const open = (event) => {
      event.preventDefault();
      openDetails(targetId);
    };
    mark.addEventListener("click", open);
    mark.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") open(event);
    });
    return mark;
  }

  return { $, el, clear, level, points, oneLine, openDetails, interactive };
})();
