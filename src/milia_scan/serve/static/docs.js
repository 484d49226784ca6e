// The /docs page: GET /openapi.json and lay it out (endpoints, bodies, responses, schemas).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const refName = (ref) => ref.split("/").pop();

  function schemaLink(schema) {
    if (!schema) return el("span", { text: "—" });
    if (schema.$ref) return el("a", { href: "#schema-" + refName(schema.$ref), text: refName(schema.$ref) });
    return el("code", { text: typeOf(schema) });
  }

  function typeOf(schema) {
    if (!schema) return "any";
    if (schema.$ref) return refName(schema.$ref);
    if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    if (schema.anyOf) return schema.anyOf.map(typeOf).join(" | ");
    if (schema.type === "array") return typeOf(schema.items) + "[]";
    const limits = [];
    if (schema.maxLength !== undefined) limits.push(`≤ ${schema.maxLength} chars`);
    if (schema.maxItems !== undefined) limits.push(`≤ ${schema.maxItems} items`);
    if (schema.minimum !== undefined) limits.push(`≥ ${schema.minimum}`);
    if (schema.maximum !== undefined) limits.push(`≤ ${schema.maximum}`);
    return (schema.type || "any") + (limits.length ? ` (${limits.join(", ")})` : "");
  }

  function endpoint(path, method, op, base) {
    const box = el("section", { class: "endpoint", id: `${method}-${path}` });
    box.append(el("h3", {}, el("span", { class: "method " + method, text: method.toUpperCase() }), path));
    if (op.summary) box.append(el("p", {}, el("strong", { text: op.summary })));
    if (op.description) box.append(el("p", { text: op.description }));
    const body = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
    if (body) {
      box.append(el("p", {}, "Body (JSON): ", schemaLink(body.schema)));
      const example = exampleBody(body.schema);
      if (example) {
        box.append(el("pre", { text: `curl -s ${base}${path} -H 'Content-Type: application/json' \\\n  -d '${JSON.stringify(example)}'` }));
      }
    } else if (method === "get") {
      box.append(el("pre", { text: `curl -s '${base}${path.replace(/\{[^}]+\}/, "isopropyl-myristate")}'` }));
    }
    const rows = Object.entries(op.responses || {}).map(([status, response]) => {
      const content = response.content && response.content["application/json"];
      return el("tr", {}, el("td", { text: status }), el("td", { text: response.description || "" }),
        el("td", {}, schemaLink(content && content.schema)));
    });
    box.append(el("table", {}, el("thead", {}, el("tr", {}, el("th", { text: "status" }), el("th", { text: "meaning" }),
      el("th", { text: "body" }))), el("tbody", {}, ...rows)));
    return box;
  }

  let components = {};
  function exampleBody(schema) {
    const target = schema && schema.$ref ? components[refName(schema.$ref)] : schema;
    if (!target || !target.properties) return null;
    const out = {};
    for (const [name, prop] of Object.entries(target.properties)) {
      if (prop.examples && prop.examples.length) out[name] = prop.examples[0];
      else if (prop.default !== undefined) out[name] = prop.default;
    }
    return out;
  }

  function schemaTable(name, schema) {
    const box = el("section", { class: "schema", id: "schema-" + name }, el("h3", { text: name }));
    if (schema.description) box.append(el("p", { text: schema.description }));
    const required = new Set(schema.required || []);
    if (schema.properties) {
      const rows = Object.entries(schema.properties).map(([field, prop]) =>
        el("tr", {}, el("td", {}, el("code", { text: field })), el("td", { text: typeOf(prop) }),
          el("td", { text: required.has(field) ? "required" : "default " + JSON.stringify(prop.default === undefined ? null : prop.default) }),
          el("td", { text: prop.description || "" })));
      box.append(el("table", {}, el("thead", {}, el("tr", {}, el("th", { text: "field" }), el("th", { text: "type" }),
        el("th", { text: "" }), el("th", { text: "meaning" }))), el("tbody", {}, ...rows)));
    } else if (schema.enum) {
      box.append(el("p", { text: "One of: " + schema.enum.join(", ") }));
    }
    return box;
  }

  async function init() {
    let spec;
    try {
      const response = await fetch("/openapi.json");
      spec = await response.json();
    } catch (err) {
      $("message").textContent = "Could not load /openapi.json from this service.";
      $("message").hidden = false;
      return;
    }
    components = (spec.components && spec.components.schemas) || {};
    $("title").textContent = `${spec.info.title} ${spec.info.version}: HTTP API`;
    $("summary").textContent = spec.info.summary || "";
    $("description").textContent = spec.info.description || "";
    const base = location.origin;
    const list = $("endpoints");
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) list.append(endpoint(path, method, op, base));
    }
    const schemas = $("schemas");
    for (const name of Object.keys(components).sort()) schemas.append(schemaTable(name, components[name]));
  }

  init();
})();
