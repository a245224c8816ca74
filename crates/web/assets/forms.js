// Business forms: shows a conditional field only while the field it depends on has the value
// it names (data-when-field / data-when-value, rendered from the form's UI hints). Without
// script every field shows; the server check enforces the condition either way.
(function () {
  "use strict";
  function current(form, name) {
    var inputs = form.querySelectorAll("[name=\"" + name.replace(/"/g, "\\\"") + "\"]");
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { return el.value; }
      } else {
        return el.value;
      }
    }
    return "";
  }
  function update(form) {
    var fields = form.querySelectorAll("[data-when-field]");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      var show = current(form, f.getAttribute("data-when-field")) === f.getAttribute("data-when-value");
      f.hidden = !show;
    }
  }
  // A repeatable group (e.g. 股东, 从业人员): "添加一行" copies the last row with the next index
  // (f:/staff/1/name → f:/staff/2/name) and empty values.
  function addRow(button) {
    var group = button.parentNode;
    var rows = group.querySelectorAll(".group-row");
    var last = rows[rows.length - 1];
    if (!last) { return; }
    var from = parseInt(last.getAttribute("data-row"), 10);
    var to = from + 1;
    var prefix = button.getAttribute("data-group") + "/";
    var copy = last.cloneNode(true);
    copy.setAttribute("data-row", String(to));
    var swap = function (v) {
      return v && v.indexOf(prefix + from + "/") === 0 ? prefix + to + "/" + v.slice((prefix + from + "/").length) : v;
    };
    var named = copy.querySelectorAll("[name], [id], [for], [data-field]");
    for (var i = 0; i < named.length; i++) {
      var el = named[i];
      ["name", "id", "for", "data-field"].forEach(function (a) {
        if (el.hasAttribute(a)) { el.setAttribute(a, swap(el.getAttribute(a))); }
      });
      if (el.tagName === "INPUT" && (el.type === "radio" || el.type === "checkbox")) {
        el.checked = false;
      } else if ("value" in el && el.tagName !== "BUTTON") {
        el.value = "";
      }
    }
    var errors = copy.querySelectorAll(".field-error");
    for (var j = 0; j < errors.length; j++) { errors[j].remove(); }
    group.insertBefore(copy, button);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("apply-form");
    if (!form) { return; }
    update(form);
    form.addEventListener("change", function () { update(form); });
    var buttons = form.querySelectorAll("button.add-row");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (e) { addRow(e.currentTarget); });
    }
  });
})();
