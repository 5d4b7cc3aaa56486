// tsgen: the "copy the digest" button of the statistics report pages. It copies the text of the
// element named by data-copy-target (the digest, already escaped text in a <pre>); nothing else.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("button.tsgen-copy") : null;
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy-target"));
  if (!source) return;
  var text = source.textContent;
  var done = function () {
    button.setAttribute("data-copied", "true");
    button.blur();
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
  } else {
    fallback(text);
    done();
  }
  function fallback(value) {
    var area = document.createElement("textarea");
    area.value = value;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* the text stays selectable in the page */ }
    document.body.removeChild(area);
  }
});
