// The Able console's only script: times and numbers in the reader's locale and time zone. The page reads without it
// (UTC and plain numbers); nothing else depends on it.
(function () {
  "use strict";
  var dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  var utcDay = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });
  var number = new Intl.NumberFormat(undefined);
  var percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });
  function localise() {
    document.querySelectorAll("time[datetime]").forEach(function (element) {
      var at = new Date(element.dateTime);
      if (isNaN(at.getTime())) { return; }
      element.title = element.dateTime;
      element.textContent = element.hasAttribute("data-day") ? utcDay.format(at) : dateTime.format(at);
    });
    document.querySelectorAll("data[value]").forEach(function (element) {
      var value = Number(element.value);
      if (!isFinite(value)) { return; }
      try {
        if (element.dataset.format === "percent") {
          element.textContent = percent.format(value);
        } else if (element.dataset.currency) {
          element.textContent = new Intl.NumberFormat(undefined, { style: "currency", currency: element.dataset.currency }).format(value);
        } else {
          element.textContent = number.format(value);
        }
      } catch (e) {
        // An unknown currency code: keep the server's text.
      }
    });
    document.documentElement.setAttribute("data-localised", "");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", localise); } else { localise(); }
})();
