// The admin's autocomplete boxes (select2) have no accessible name: give each the label of
// the select it stands for, once select2 has drawn it, and again in each inline row added.
"use strict";
{
  const name = (root) => {
    root.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const label = document.querySelector(`label[for="${select.id}"]`);
      const box = select.nextElementSibling;
      if (!label || !box || !box.classList.contains("select2")) return;
      box
        .querySelectorAll("[role=combobox], [role=textbox], .select2-search__field")
        .forEach((part) => part.setAttribute("aria-label", label.textContent.trim()));
    });
  };
  if (window.django && django.jQuery) {
    // After admin/js/autocomplete.js, which draws the boxes when the page is ready.
    django.jQuery(() => name(document));
    document.addEventListener("formset:added", (event) => name(event.target));
  }
}
