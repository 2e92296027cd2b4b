/* LeakPro web app: wizard toggles and live job progress. No dependencies, no requests beyond this server. */
(function () {
  "use strict";

  function syncSource(form) {
    var checked = form.querySelector('input[name="source"]:checked');
    var source = checked ? checked.value : "";
    form.querySelectorAll("[data-show]").forEach(function (box) {
      box.hidden = box.getAttribute("data-show") !== source;
    });
  }

  function syncThreat(form) {
    var checked = form.querySelector('input[name="threat_model"]:checked');
    if (!checked) return;
    form.querySelectorAll("label[data-threats]").forEach(function (label) {
      var ok = label.getAttribute("data-threats").split(" ").indexOf(checked.value) >= 0;
      var box = label.querySelector("input");
      box.disabled = !ok;
      if (!ok) box.checked = false;
      label.classList.toggle("disabled", !ok);
    });
  }

  document.querySelectorAll("form.wizard").forEach(function (form) {
    syncSource(form);
    syncThreat(form);
    form.addEventListener("change", function (ev) {
      if (ev.target.name === "source") syncSource(form);
      if (ev.target.name === "threat_model") syncThreat(form);
    });
  });

  function setBar(id, part) {
    var bar = document.getElementById(id), text = document.getElementById(id + "-text");
    if (!bar || !part || !part.total) return;
    bar.max = part.total;
    bar.value = part.done;
    text.textContent = part.done + " / " + part.total + (part.id ? " — " + part.target + ": " + part.id : "");
  }

  function show(data) {
    var status = document.getElementById("status");
    status.textContent = data.status;
    status.className = "status status-" + data.status;
    document.getElementById("stage").textContent = data.stage || "";
    setBar("models", data.models);
    setBar("attacks", data.attack);
    var log = document.getElementById("log");
    log.textContent = "";
    (data.log || []).forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      log.appendChild(li);
    });
    log.scrollTop = log.scrollHeight;
  }

  var job = document.getElementById("job");
  if (job && ["queued", "running"].indexOf(job.getAttribute("data-status")) >= 0) {
    var id = job.getAttribute("data-audit"), last = null;
    var source = new EventSource("/audits/" + id + "/events");
    source.addEventListener("progress", function (ev) {
      last = JSON.parse(ev.data);
      show(last);
    });
    source.addEventListener("end", function () {
      source.close();
      if (last && last.status === "done") window.location.href = "/audits/" + id + "/results";
      else window.location.reload();
    });
  }
})();
