/* shenpi 审批 — starts the bpmn-js viewer (vendored, /assets/bpmn-js/) on every
   .bpmn-diagram container of a page. A separate file so pages need no inline script.

   Container attributes (rendered by the server):
     data-xml-url      where to fetch the BPMN XML (same origin, the page's session cookie)
     data-has-diagram  "false" when the file has no diagram interchange (BPMNDI)
     data-current      space-separated element ids with an open task   → marker class "current"
     data-done         space-separated element ids already passed      → marker class "done"
   After drawing, the container gets data-state="ready" (or "error" with a Chinese message). */
(function () {
  'use strict';

  var NO_DI = '该流程文件不含图形信息（BPMNDI），无法显示流程图';
  var FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", ' +
    '"WenQuanYi Micro Hei", system-ui, Arial, sans-serif';

  function ids(el, name) {
    return (el.getAttribute(name) || '').split(/\s+/).filter(Boolean);
  }

  function fail(el, message) {
    var status = el.querySelector('.diagram-status');
    if (status) {
      status.textContent = message;
      status.setAttribute('role', 'alert');
    }
    el.setAttribute('data-state', 'error');
  }

  function boot(el) {
    if (el.getAttribute('data-has-diagram') === 'false') {
      fail(el, NO_DI);
      return;
    }
    if (typeof window.BpmnJS !== 'function') {
      fail(el, '流程图组件未能加载，请刷新页面重试');
      return;
    }
    var viewer = new window.BpmnJS({
      container: el.querySelector('.diagram-canvas'),
      textRenderer: {
        defaultStyle: { fontFamily: FONT },
        externalStyle: { fontFamily: FONT }
      }
    });
    fetch(el.getAttribute('data-xml-url'), {
      credentials: 'same-origin',
      headers: { Accept: 'application/xml' }
    })
      .then(function (r) {
        if (!r.ok) {
          throw new Error('HTTP ' + r.status);
        }
        return r.text();
      })
      .then(function (xml) {
        return viewer.importXML(xml);
      })
      .then(function () {
        var canvas = viewer.get('canvas');
        var registry = viewer.get('elementRegistry');
        var root = canvas.getRootElement();
        var shapes = registry.filter(function (e) {
          return e !== root && e.type !== 'label';
        });
        if (!shapes.length) {
          fail(el, NO_DI);
          return;
        }
        canvas.zoom('fit-viewport', 'auto');
        ids(el, 'data-done').forEach(function (id) {
          if (registry.get(id)) {
            canvas.addMarker(id, 'done');
          }
        });
        ids(el, 'data-current').forEach(function (id) {
          if (registry.get(id)) {
            canvas.addMarker(id, 'current');
          }
        });
        el.setAttribute('data-state', 'ready');
        var timer = null;
        window.addEventListener('resize', function () {
          clearTimeout(timer);
          timer = setTimeout(function () {
            canvas.resized();
            canvas.zoom('fit-viewport', 'auto');
          }, 150);
        });
      })
      .catch(function (err) {
        var text = String((err && err.message) || err);
        fail(el, /no diagram to display|BPMNDI|BPMNDiagram/i.test(text)
          ? NO_DI
          : '流程图加载失败：' + text);
      });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('.bpmn-diagram'), boot);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
