// detente serve: the one script, embedded in the binary. The pages work without it; it
// shows a cell's details (its tooltip: stance summary and sources) on click, for touch
// screens where there is no hover.
document.addEventListener("click", function (event) {
  var cell = event.target.closest("td[title]");
  var detail = document.getElementById("detail");
  if (!cell || !detail) return;
  detail.textContent = cell.getAttribute("title");
});
