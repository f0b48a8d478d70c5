"""HTML for each page of the contract. Only roles and accessible names are contractual;
the decoys (look-alike links, hidden cells) are here to keep clients honest."""

from __future__ import annotations

import json
import math
from html import escape

from pinterest_sim.world import Business, Member, WorldState

MEMBERS_PER_PAGE = 25

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#111}
header{background:#e60023;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
header a{color:#fff}
main{padding:16px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
.avatar{display:inline-block;background:#eee;border-radius:50%;padding:0 4px;margin-right:4px;font-size:11px}
[role=alert]{background:#fee;border:1px solid #e60023;padding:8px;margin:8px 0}
ul.assets{margin:0;padding-left:16px}
"""


def layout(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | Pinterest Business (simulated)</title>
<style>{_STYLE}</style></head>
<body><header><strong>Pinterest Business</strong>
<a href="/business/">Business hub</a>
<a href="#guide">Next-gen ads guide</a></header>
<main>{body}</main></body></html>"""


def login(next_path: str, alert: str | None = None, email: str = "") -> str:
    alert_html = f'<div role="alert">{escape(alert)}</div>' if alert else ""
    return layout("Log in", f"""<h1>Log in to Pinterest Business</h1>{alert_html}
<form method="post" action="/login">
<input type="hidden" name="next" value="{escape(next_path)}">
<p><label for="email">Email</label> <input id="email" name="email" type="text" autocomplete="username" value="{escape(email)}"></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit">Log in</button></p>
</form>
<p><button type="button" disabled>Log in with QR code</button> <a href="#help">Trouble logging in?</a></p>""")


def verify(alert: str | None = None) -> str:
    alert_html = f'<div role="alert">{escape(alert)}</div>' if alert else ""
    return layout("Two-step verification", f"""<h1>Two-step verification</h1>{alert_html}
<form method="post" action="/login/verify">
<p><label for="code">Verification code</label> <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"></p>
<p><button type="submit">Verify</button></p>
</form>""")


def error(status: int, message: str) -> str:
    return layout(f"Error {status}", f'<h1>Something went wrong</h1><div role="alert">{escape(message)}</div>')


def hub(businesses: list[Business]) -> str:
    items = "".join(
        f'<li><a href="/business/{escape(b.business_id)}/">{escape(b.name)}</a></li>' for b in businesses
    )
    return layout("Your businesses", f"""<h1>Your businesses</h1>
<ul aria-label="Your businesses">{items}</ul>
<p><a href="#create">Create a business</a></p>""")


def business(b: Business) -> str:
    bid = escape(b.business_id)
    return layout(b.name, f"""<h1>{escape(b.name)}</h1>
<nav aria-label="Business settings"><ul>
<li><a href="/business/{bid}/members">Members</a></li>
<li><a href="/business/{bid}/partners">Partners</a></li>
<li><a href="/business/{bid}/assets">Assets</a></li>
</ul></nav>
<p><a href="#members-guide">Members guide</a></p>""")


def _member_row(state: WorldState, m: Member) -> dict:
    return {
        "name": m.name,
        "email": m.email,
        "role": m.role,
        "status": m.status,
        "assets": [f"{state.asset_label(a.asset_id)}: {a.permission}" for a in m.assets],
        "last_active": m.last_active or "—",
    }


# The page holds only a `Loading…` row; its script fetches the rows after a short delay and draws
# them, as a single-page site does. So a client that reads on the load event sees `Loading…`; a session
# that ends between the page and its data sends the browser to sign in from the script (the contract's
# redirect, done by the page after it answered 200); a failed fetch leaves an alert and no rows.
_MEMBERS_SCRIPT = """
(function () {
  var body = document.getElementById('members-body');
  var here = location.pathname + location.search;
  function cell(tr, text) { var td = document.createElement('td'); td.textContent = text; tr.appendChild(td); return td; }
  function draw(data) {
    body.replaceChildren();
    data.rows.forEach(function (m) {
      var tr = document.createElement('tr');
      var name = document.createElement('td');
      var avatar = document.createElement('span');
      avatar.className = 'avatar'; avatar.setAttribute('aria-hidden', 'true');
      avatar.textContent = m.name.split(/\\s+/).map(function (w) { return w.charAt(0); }).join('').slice(0, 2);
      var hint = document.createElement('span'); hint.hidden = true; hint.textContent = 'Open profile';
      name.appendChild(avatar); name.appendChild(hint); name.appendChild(document.createTextNode(m.name));
      tr.appendChild(name);
      cell(tr, m.email); cell(tr, m.role); cell(tr, m.status);
      var assets = document.createElement('td');
      if (m.assets.length) {
        var ul = document.createElement('ul'); ul.className = 'assets';
        m.assets.forEach(function (a) { var li = document.createElement('li'); li.textContent = a; ul.appendChild(li); });
        assets.appendChild(ul);
      }
      tr.appendChild(assets);
      cell(tr, m.last_active);
      body.appendChild(tr);
    });
  }
  function fail(message) {
    body.replaceChildren();
    var alert = document.createElement('div');
    alert.setAttribute('role', 'alert'); alert.textContent = message;
    document.getElementById('members-status').appendChild(alert);
  }
  setTimeout(function () {
    fetch(%(data_url)s, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (answer) {
        if (answer.status === 401) { location.assign('/login?next=' + encodeURIComponent(here)); return; }
        if (!answer.ok) { fail(answer.status === 429 ? 'Too many requests. Try again in a moment.'
                                                      : 'Something went wrong loading members. Try again.'); return; }
        return answer.json().then(function (data) { draw(%(draw)s ? data : {rows: []}); });
      })
      .catch(function () { fail('Something went wrong loading members. Try again.'); });
  }, %(delay_ms)d);
})();
"""


def members_data(state: WorldState, b: Business, page: int) -> dict:
    everyone = state.members_sorted(b.business_id)
    return {"rows": [_member_row(state, m) for m in everyone[(page - 1) * MEMBERS_PER_PAGE : page * MEMBERS_PER_PAGE]]}


def page_count(state: WorldState, b: Business) -> int:
    return max(1, math.ceil(len(state.members.get(b.business_id, {})) / MEMBERS_PER_PAGE))


def members(state: WorldState, b: Business, page: int, delay_ms: int, broken: str | None = None) -> str:
    pages = page_count(state, b)
    bid = escape(b.business_id)
    data_url = json.dumps(f"/business/{b.business_id}/api/members?page={page}").replace("</", "<\\/")
    next_link = f'<a href="/business/{bid}/members?page={page + 1}">Next</a>' if page < pages else ""
    prev_link = f'<a href="/business/{bid}/members?page={page - 1}">Previous</a>' if page > 1 else ""
    return layout("Members", f"""<h1>Members</h1>
<p><a href="#invite">Invite members</a> <a href="#next-steps">Next steps for new members</a></p>
<div id="members-status"></div>
<table aria-label="Members">
<thead><tr><th>Name</th><th>{"Contact" if broken == "members_columns" else "Email"}</th><th>Role</th><th>Status</th><th>Assets</th><th>Last active</th></tr></thead>
<tbody id="members-body"><tr><td colspan="6">Loading…</td></tr></tbody>
</table>
<nav aria-label="Pagination"><span>Page {page} of {pages}</span> {prev_link} {next_link}</nav>
<script>{_MEMBERS_SCRIPT % {"delay_ms": delay_ms, "data_url": data_url, "draw": "0" if broken == "members_empty" else "1"}}</script>""")


def partners(state: WorldState, b: Business) -> str:
    rows = []
    for p in state.partnerships:
        if p.owner == b.business_id:
            other, relation = p.partner, "Has access to your assets"
        elif p.partner == b.business_id:
            other, relation = p.owner, "Shared assets with you"
        else:
            continue
        other_b = state.businesses.get(other)
        items = "".join(f"<li>{escape(state.asset_label(a))}</li>" for a in p.assets)
        rows.append(
            f"<tr><td>{escape(other_b.name if other_b else other)}</td><td>{escape(other)}</td>"
            f"<td>{relation}</td><td><ul class=\"assets\">{items}</ul></td></tr>"
        )
    return layout("Partners", f"""<h1>Partners</h1>
<table aria-label="Partners">
<thead><tr><th>Partner</th><th>Business ID</th><th>Relationship</th><th>Shared assets</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>""")


def assets(state: WorldState, b: Business) -> str:
    shared_in = {a for p in state.partnerships if p.partner == b.business_id for a in p.assets}
    visible = [a for a in state.assets.values() if a.owner == b.business_id or a.asset_id in shared_in]
    rows = "".join(
        f"<tr><td>{escape(a.name)}</td><td>{escape(a.type)}</td><td>{escape(a.asset_id)}</td></tr>"
        for a in sorted(visible, key=lambda a: a.asset_id)
    )
    return layout("Assets", f"""<h1>Assets</h1>
<table aria-label="Assets">
<thead><tr><th>Name</th><th>Type</th><th>Asset ID</th></tr></thead>
<tbody>{rows}</tbody></table>""")
