// Renders /api/openapi.json as a reference page: operations by tag, their parameters,
// request bodies and replies with the schemas resolved. No dependencies.
(function () {
  "use strict";
  var doc;
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.append(c); });
    return node;
  }
  function resolve(schema, depth) {
    if (!schema || depth > 6) return schema;
    if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.split("/").pop()], depth + 1);
    var out = Array.isArray(schema) ? [] : {};
    Object.keys(schema).forEach(function (k) {
      var v = schema[k];
      out[k] = v && typeof v === "object" ? resolve(v, depth + 1) : v;
    });
    return out;
  }
  function example(schema, depth) {
    schema = resolve(schema, 0) || {};
    if (depth > 4) return null;
    if (schema.anyOf) return example(schema.anyOf[0], depth + 1);
    if (schema.enum) return schema.enum[0];
    if (schema.type === "object" || schema.properties) {
      var out = {};
      Object.keys(schema.properties || {}).forEach(function (k) { out[k] = example(schema.properties[k], depth + 1); });
      return out;
    }
    if (schema.type === "array") return [example(schema.items || {}, depth + 1)];
    return { string: "…", integer: 0, number: 0, boolean: true, null: null }[schema.type] ?? null;
  }
  function prose(tag, text) {  // `backticks` become code
    return el(tag, {}, text.split("`").map(function (part, i) { return i % 2 ? el("code", {}, [part]) : part; }));
  }
  function typeOf(schema) {
    if (schema.enum) return schema.enum.map(function (v) { return JSON.stringify(v); }).join(" | ");
    var parts = [schema.type || "value"];
    if (schema.pattern) parts.push("pattern " + schema.pattern);
    if (schema.minimum !== undefined) parts.push("≥ " + schema.minimum);
    if (schema.maximum !== undefined) parts.push("≤ " + schema.maximum);
    if (schema.maxLength !== undefined) parts.push("≤ " + schema.maxLength + " chars");
    return parts.join(", ");
  }
  function parameters(list) {
    if (!list.length) return [];
    var rows = list.map(function (p) {
      return el("tr", {}, [el("td", {}, [el("code", {}, [p.name])]), el("td", {}, [p.in + (p.required ? ", required" : "")]),
        el("td", {}, [typeOf(p.schema || {}) + (p.schema && p.schema.default !== undefined ? " (default " + JSON.stringify(p.schema.default) + ")" : "")]),
        el("td", { class: "muted" }, [p.description || ""])]);
    });
    return [el("h4", {}, ["Parameters"]), el("table", {}, [el("tr", {}, ["name", "in", "type", ""].map(function (h) { return el("th", {}, [h]); }))].concat(rows))];
  }
  function operation(path, method, op) {
    var id = op.operationId;
    var parts = [el("h3", { id: id }, [el("span", { class: "method " + method }, [method.toUpperCase()]), el("code", {}, [path]), op.summary])];
    if (op.description) parts.push(prose("p", op.description));
    parts = parts.concat(parameters(op.parameters || []));
    if (op.requestBody) {
      var body = op.requestBody.content["application/json"].schema;
      parts.push(el("h4", {}, ["Body"]), el("pre", {}, [JSON.stringify(resolve(body, 0), null, 2)]));
    }
    var ok = op.responses["200"].content["application/json"].schema;
    parts.push(el("h4", {}, ["Reply"]), el("pre", {}, [JSON.stringify(example(ok, 0), null, 2)]));
    parts.push(el("p", { class: "muted" }, ["Errors: " + Object.keys(op.responses).filter(function (s) { return s !== "200"; }).join(", ") + " as {ok: false, error, code}"]));
    return el("section", { class: "op" }, parts);
  }
  fetch("/api/openapi.json").then(function (r) { return r.json(); }).then(function (d) {
    doc = d;
    document.getElementById("intro").replaceWith(prose("p", d.info.description));
    var byTag = {};
    Object.keys(d.paths).forEach(function (path) {
      Object.keys(d.paths[path]).forEach(function (method) {
        var op = d.paths[path][method];
        (byTag[op.tags[0]] = byTag[op.tags[0]] || []).push([path, method, op]);
      });
    });
    var toc = document.getElementById("toc"), main = document.getElementById("operations");
    Object.keys(byTag).forEach(function (tag) {
      toc.append(el("h2", {}, [tag]));
      main.append(el("h2", {}, [tag]));
      byTag[tag].forEach(function (item) {
        toc.append(el("a", { href: "#" + item[2].operationId, title: item[1].toUpperCase() + " " + item[0] }, [item[2].summary]));
        main.append(operation(item[0], item[1], item[2]));
      });
    });
  });
})();
