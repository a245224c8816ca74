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
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("apply-form");
    if (!form) { return; }
    update(form);
    form.addEventListener("change", function () { update(form); });
  });
})();
