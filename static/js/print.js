// "Print / save as PDF": shows the page's print buttons and opens the browser's print dialog.
"use strict";
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
