// Demo mode keys: → / Space / PageDown next step, ← / PageUp previous, F full screen.
// Served from the app's own assets folder: no network needed.
(function () {
  function click(id) {
    var el = document.getElementById(id);
    if (el && !el.disabled) { el.click(); }
  }
  function fullscreen() {
    var page = document.getElementById("demo-page");
    if (!page) { return; }
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (page.requestFullscreen) { page.requestFullscreen(); }
  }
  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("demo-page")) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") { return; }
    if (event.key === "ArrowRight" || event.key === " " || event.key === "PageDown") {
      event.preventDefault(); click("demo-next");
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      event.preventDefault(); click("demo-prev");
    } else if (event.key === "f" || event.key === "F") {
      fullscreen();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#demo-fullscreen")) { fullscreen(); }
  });
})();
