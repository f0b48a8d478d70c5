// Progressive enhancement: rows of running checks follow their task (status, pages read) until it ends,
// and onboarding and review pages reload when their status moves; every page works the same without
// this script, it just does not move by itself.
(function () {
  const ENDED = new Set(["Completed", "Not completed", "Blocked", "Joined"]);

  async function follow(row) {
    const id = row.dataset.runningTask;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      let task;
      try {
        const answer = await fetch(`/api/v1/tasks/${encodeURIComponent(id)}`, { headers: { Accept: "application/json" } });
        if (!answer.ok) return;
        task = await answer.json();
      } catch (error) {
        continue; // the console restarted or the network blinked: try again
      }
      row.querySelector('[data-field="status"]').textContent = task.status;
      const pages = row.querySelector('[data-field="pages"]');
      if (pages) pages.textContent = `${task.pages_read}${task.pages_total ? ` of ${task.pages_total}` : ""} page(s) read`;
      if (ENDED.has(task.status)) {
        window.location.reload(); // the outcome, counts and actions are the server's to draw
        return;
      }
    }
  }

  // Asks `url` every `everyMs` until `moved(answer)` says the page is out of date, then draws the page
  // again without a one-off message in its query.
  async function reloadWhenMoved(url, everyMs, moved) {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      let state;
      try {
        const answer = await fetch(url, { headers: { Accept: "application/json" } });
        if (!answer.ok) return;
        state = await answer.json();
      } catch (error) {
        continue; // the console restarted or the network blinked: try again
      }
      if (moved(state)) {
        window.location.replace(window.location.pathname);
        return;
      }
    }
  }

  // An onboarding waits on people for days: its page reloads when its step or status moves, unless the
  // person is typing into one of its forms.
  function followOnboarding(element) {
    const url = `/api/v1/partners/${encodeURIComponent(element.dataset.followOnboarding)}/onboarding`;
    reloadWhenMoved(url, 3000, (onboarding) => {
      const moved = (onboarding.step || "") !== element.dataset.step || onboarding.status !== element.dataset.status;
      const typing = element.contains(document.activeElement) && document.activeElement.matches("input, select");
      return moved && !typing;
    });
  }

  // A review whose every item is decided closes a moment later, in its workflow: its page reloads
  // when the status moves, so that the reviewer sees it closed and its record final.
  function followReview(element) {
    const url = `/api/v1/reviews/${encodeURIComponent(element.dataset.followReview)}`;
    reloadWhenMoved(url, 2000, (review) => review.status !== element.dataset.status);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-running-task]").forEach(follow);
    document.querySelectorAll("[data-follow-onboarding]").forEach(followOnboarding);
    document.querySelectorAll("[data-follow-review]").forEach(followReview);
  });
})();
