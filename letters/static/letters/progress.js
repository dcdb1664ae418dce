// A send's page: read its progress again every few seconds while it runs.
(function () {
  const status = document.getElementById("send-progress");
  if (!status || status.dataset.running !== "true") return;
  const update = async function () {
    const response = await fetch(status.dataset.url, { credentials: "same-origin" });
    if (!response.ok) return;
    const state = await response.json();
    status.querySelector("strong").textContent = state.progress;
    if (state.running) {
      window.setTimeout(update, 5000);
    } else {
      status.querySelector(".send-progress__running").textContent = "";
    }
  };
  window.setTimeout(update, 5000);
})();
