"""`reviewbot github`: review a pull request's commits and put the review on the pull request.

Each commit of `base..head` is reviewed as its own patch (`git format-patch` in the
checkout, so commit messages meet the mail-level rules and whole functions come from
the commit itself).  Then, by mode:

- `review`: one pull-request review; a line comment for each finding that sits on a
  line of the pull request's diff (every anchor is checked against the diff first), the
  rest in the review's body; at most 30 comments a request, the rest summarised.  Each
  comment carries a hidden fingerprint; on a new push what is already there is skipped,
  and a comment whose finding is gone is deleted (or, when someone replied, marked
  outdated).
- `check`: a check run with a Markdown summary and annotations, 50 a request.
- `annotations`: workflow commands and the step summary (no token needed).
- `sarif`: a SARIF file for code scanning.

A read-only token (403: a pull request from a fork) falls back to annotations; the exit
status then still says what was found.  Pure planning (`plan_review`) is separate from
the calls (`post_review`), so the planning is tested without a server.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Mapping, NamedTuple

from reviewbot.errors import InputError
from reviewbot.fingerprint import fingerprints
from reviewbot.findings import Finding, Severity
from reviewbot.review import PatchReview, RunResult

MODES = ("review", "check", "annotations", "sarif")
MAX_COMMENTS = 30
MAX_ANNOTATIONS = 50
SUMMARY_LIMIT = 65535
MARKER = re.compile(r"<!-- reviewbot:([0-9a-f]{16,64}) -->")
LEVELS = {Severity.ERROR: "failure", Severity.WARNING: "warning", Severity.NOTE: "notice"}


class Event(NamedTuple):
    number: int
    base: str
    head: str


class Item(NamedTuple):
    """One finding of one commit, with what the pull request needs to place it."""

    finding: Finding
    review: PatchReview
    fingerprint: str
    text: str | None     # the flagged line's text, when it is a line finding

    @property
    def commit(self) -> str:
        return (self.review.message.commit or "")[:12]


class Plan(NamedTuple):
    comments: tuple[dict, ...]        # review comments to create now
    body_items: tuple[Item, ...]      # findings for the review body (no anchor, or over the cap)
    delete: tuple[int, ...]           # our comments whose finding is gone and nobody answered
    outdate: tuple[int, ...]          # ... and those someone answered
    kept: int                         # findings already commented on


# --- reading the event --------------------------------------------------------------------


def read_event(environ: Mapping[str, str]) -> Event:
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        raise InputError("GITHUB_EVENT_PATH is not set: run this in a GitHub Actions job on pull_request")
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"GITHUB_EVENT_PATH {path}: cannot read the event ({e})") from None
    pr = doc.get("pull_request")
    if pr is None and doc.get("workflow_run", {}).get("pull_requests"):
        pr = doc["workflow_run"]["pull_requests"][0]
    if not pr:
        raise InputError(f"GITHUB_EVENT_PATH {path}: not a pull_request (or workflow_run of one) event")
    try:
        return Event(int(pr["number"]), pr["base"]["sha"], pr["head"]["sha"])
    except (KeyError, TypeError, ValueError):
        raise InputError(f"GITHUB_EVENT_PATH {path}: the pull request has no number, base.sha or head.sha") from None


# --- fingerprints and items ----------------------------------------------------------------


def items(result: RunResult) -> list[Item]:
    """Each finding with its review, its fingerprint (`reviewbot.fingerprint`, as in SARIF) and
    the text of the line it is anchored on."""
    prints = iter(fingerprints(result.reviews))
    return [Item(f, review, next(prints), review.quote(f.path, f.end_line or f.line) if f.line is not None else None)
            for review in result.reviews for f in review.findings]


def comment_body(item: Item, many_commits: bool) -> str:
    f = item.finding
    where = f" (commit {item.commit}: {item.review.message.title})" if many_commits and item.commit else ""
    hint = f"\n\n{f.hint[0].upper()}{f.hint[1:]}." if f.hint else ""
    return (f"**{f.severity}** [`{f.rule}`]{where}: {f.message}{hint}\n\n"
            f"<!-- reviewbot:{item.fingerprint} -->")


# --- planning the review (pure) -----------------------------------------------------------------


def anchor(item: Item, lines: Mapping[str, Mapping[int, str]]) -> tuple[int, int | None] | None:
    """(line, start line) on the RIGHT side of the pull request's diff, or None.  The
    finding's own line when its text is there; else the one line of the file's diff
    with the same text (a later commit moved it); else nothing."""
    f = item.finding
    if f.path is None or f.line is None or f.path not in lines:
        return None
    right = lines[f.path]
    end = f.end_line or f.line
    if item.text is not None and right.get(end) == item.text:
        start = f.line if f.end_line and all(n in right for n in range(f.line, end)) else None
        return end, start
    same = [n for n, t in right.items() if item.text is not None and t == item.text]
    return (same[0], None) if len(same) == 1 else None


def plan_review(all_items: list[Item], lines: Mapping[str, Mapping[int, str]], existing: list[dict],
                many_commits: bool) -> Plan:
    ours = {}
    for c in existing:
        m = MARKER.search(c.get("body") or "")
        if m:
            ours[c["id"]] = (m.group(1), c)
    answered = {c.get("in_reply_to_id") for c in existing if c.get("in_reply_to_id")}
    posted = {fp for fp, _ in ours.values()}
    current = {i.fingerprint for i in all_items}
    comments, body, kept = [], [], 0
    for item in all_items:
        if item.fingerprint in posted:
            kept += 1
            continue
        where = anchor(item, lines)
        if where is None or len(comments) >= MAX_COMMENTS:
            body.append(item)
            continue
        line, start = where
        c = {"path": item.finding.path, "line": line, "side": "RIGHT", "body": comment_body(item, many_commits)}
        if start is not None and start < line:
            c.update(start_line=start, start_side="RIGHT")
        comments.append(c)
    gone = [(cid, c) for cid, (fp, c) in ours.items() if fp not in current]
    delete = tuple(cid for cid, c in gone if cid not in answered)
    outdate = tuple(cid for cid, c in gone if cid in answered and not c["body"].startswith("~~"))
    return Plan(tuple(comments), tuple(body), delete, outdate, kept)


def _where(item: Item) -> str:
    f = item.finding
    if f.path is None:
        return f"commit {item.commit or '?'} message"
    return f"`{f.path}`" if f.line is None else f"`{f.path}:{f.line}`"


def review_body(plan: Plan, all_items: list[Item], posted_body: set[str]) -> str | None:
    """The review's text: the counts, and every finding that has no line comment; None when
    there is nothing new to say."""
    fresh = [i for i in plan.body_items if i.fingerprint not in posted_body]
    if not plan.comments and not fresh:
        return None
    counts = {s: sum(1 for i in all_items if i.finding.severity is s) for s in Severity}
    head = ", ".join(f"{n} {s}{'s' if n > 1 else ''}" for s, n in sorted(counts.items(), reverse=True) if n)
    lines = [f"reviewbot found {head or 'nothing'} in this pull request."]
    if plan.comments:
        lines.append(f"{len(plan.comments)} new comment{'s' if len(plan.comments) > 1 else ''} on the changed lines.")
    if fresh:
        lines += ["", "Not on a line of the diff, or over the comment limit:", ""]
        for i in fresh:
            lines.append(f"- **{i.finding.severity}** [`{i.finding.rule}`] {_where(i)}: {i.finding.message} "
                         f"<!-- reviewbot:{i.fingerprint} -->")
    lines += ["", "_An automated review: if a comment is wrong, say so in a reply._"]
    text = "\n".join(lines)
    return text if len(text) <= SUMMARY_LIMIT else text[:SUMMARY_LIMIT - 20] + "\n\n(truncated)"


# --- the check run ---------------------------------------------------------------------------


def annotation(item: Item) -> dict | None:
    f = item.finding
    if f.path is None:
        return None
    start = f.line or 1
    return {"path": f.path, "start_line": start, "end_line": f.end_line or start,
            "annotation_level": LEVELS[f.severity], "message": f.message + (f"\n{f.hint}" if f.hint else ""),
            "title": f.rule}


def conclusion(all_items: list[Item], fail_on: Severity) -> str:
    if any(i.finding.severity >= fail_on for i in all_items):
        return "failure"
    return "neutral" if all_items else "success"


def post_check(client, event: Event, all_items: list[Item], summary: str, fail_on: Severity) -> int:
    notes = [a for a in (annotation(i) for i in all_items) if a]
    title = f"reviewbot: {len(all_items)} finding{'s' if len(all_items) != 1 else ''}"
    summary = summary if len(summary) <= SUMMARY_LIMIT else summary[:SUMMARY_LIMIT - 20] + "\n\n(truncated)"
    first = {"name": "reviewbot", "head_sha": event.head, "status": "completed",
             "conclusion": conclusion(all_items, fail_on),
             "output": {"title": title, "summary": summary, "annotations": notes[:MAX_ANNOTATIONS]}}
    run = client.create_check_run(first)
    for k in range(MAX_ANNOTATIONS, len(notes), MAX_ANNOTATIONS):
        client.update_check_run(run["id"], {"output": {"title": title, "summary": summary,
                                                       "annotations": notes[k:k + MAX_ANNOTATIONS]}})
    return run["id"]


def post_review(client, event: Event, all_items: list[Item], request_changes: bool, stderr) -> str:
    """Plan against the pull request as it is now, then create the review and tidy old comments."""
    from reviewbot.deliver.github import GitHubError, right_lines

    files = client.pr_files(event.number)
    lines = {f["filename"]: right_lines(f.get("patch")) for f in files}
    existing = client.review_comments(event.number)
    posted_body = {m for r in client.reviews(event.number) for m in MARKER.findall(r.get("body") or "")}
    many = len({i.review.message.commit for i in all_items}) > 1
    plan = plan_review(all_items, lines, existing, many)
    for cid in plan.delete:
        client.delete_comment(cid)
    for cid in plan.outdate:
        old = next(c for c in existing if c["id"] == cid)
        client.edit_comment(cid, f"~~{old['body'].split(chr(10))[0]}~~\n\nOutdated: reviewbot no longer finds "
                                 f"this.\n\n{MARKER.search(old['body']).group(0)}")
    body = review_body(plan, all_items, posted_body)
    if body is None:
        return f"review: nothing new ({plan.kept} already commented, {len(plan.delete)} deleted, " \
               f"{len(plan.outdate)} marked outdated)"
    errors = any(i.finding.severity is Severity.ERROR for i in all_items)
    event_name = "REQUEST_CHANGES" if request_changes and errors else "COMMENT"
    request = {"commit_id": event.head, "event": event_name, "body": body, "comments": list(plan.comments)}
    try:
        client.create_review(event.number, request)
    except GitHubError as e:
        if e.status != 422 or not plan.comments:
            raise
        stderr.write(f"reviewbot: {diagnose_422(e, plan.comments, client.pr_files(event.number))}\n")
        fallback = plan._replace(comments=(), body_items=plan.body_items + tuple(
            i for i in all_items if i.fingerprint in {MARKER.search(c['body']).group(1) for c in plan.comments}))
        request = {"commit_id": event.head, "event": event_name, "body": review_body(fallback, all_items, posted_body),
                   "comments": []}
        client.create_review(event.number, request)
        return "review: posted without line comments after a 422 (see above)"
    return f"review: {len(plan.comments)} comments, {len(plan.body_items)} in the body, {plan.kept} already there"


def diagnose_422(error, comments: tuple[dict, ...], files: list[dict]) -> str:
    """Which anchors GitHub could not place, judged against the diff as it is now."""
    from reviewbot.deliver.github import right_lines

    lines = {f["filename"]: right_lines(f.get("patch")) for f in files}
    bad = []
    for c in comments:
        right = lines.get(c["path"])
        if right is None:
            bad.append(f"{c['path']}:{c['line']} (the file is not in the pull request's diff)")
        elif c["line"] not in right or ("start_line" in c and c["start_line"] not in right):
            bad.append(f"{c['path']}:{c['line']} (the line is not inside a hunk of the diff)")
    which = "; ".join(bad) if bad else "every anchor is inside the diff as it is now; the diff changed, or " \
                                       "GitHub refused something else: " + ", ".join(
                                           f"{c['path']}:{c['line']}" for c in comments)
    return f"GitHub refused the review ({error}); anchors: {which}; posted the findings in the review body instead"


# --- running ----------------------------------------------------------------------------------


def review_commits(options, event: Event) -> tuple[RunResult, object]:
    from reviewbot.pipeline import review_items, session
    from reviewbot.ingest import read_inputs

    run = session(options)
    result = review_items(run.reviewer, read_inputs([f"{event.base}..{event.head}"]))
    return result, run


def main(args, environ: Mapping[str, str], stdout, stderr) -> int:
    from reviewbot.deliver.github import API, Client, GitHubError
    from reviewbot.pipeline import Options
    from reviewbot.render import github as annotations

    modes = [m.strip() for m in args.mode.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise InputError(f"--mode: unknown mode {', '.join(unknown) or '(none)'} (use {', '.join(MODES)})")
    event = read_event(environ)
    result, run = review_commits(Options.of(args), event)
    fail_on = Severity.parse(args.fail_on or run.fail_on)
    all_items = items(result)
    token, repository = environ.get("GITHUB_TOKEN"), environ.get("GITHUB_REPOSITORY")
    wants_api = any(m in ("review", "check") for m in modes)
    if wants_api and (not token or not repository):
        raise InputError("GITHUB_TOKEN and GITHUB_REPOSITORY must be set for --mode review or check")
    client = Client(environ.get("GITHUB_API_URL") or API, repository or "", token or "") if wants_api else None
    fallback = "annotations" in modes
    for mode in modes:
        try:
            if mode == "review":
                stderr.write(f"reviewbot: {post_review(client, event, all_items, args.request_changes, stderr)}\n")
            elif mode == "check":
                run_id = post_check(client, event, all_items, annotations.summary(result), fail_on)
                stderr.write(f"reviewbot: check run {run_id}: {conclusion(all_items, fail_on)}\n")
            elif mode == "sarif":
                from reviewbot.render import sarif

                Path(args.sarif_output).write_text(sarif.render(result), encoding="utf-8")
                stderr.write(f"reviewbot: wrote {args.sarif_output}\n")
        except GitHubError as e:
            if not e.forbidden:
                raise
            stderr.write(f"reviewbot: {mode}: the token cannot write here (403, a pull request from a fork?); "
                         "showing the findings as annotations instead\n")
            fallback = True
    if fallback:
        stdout.write(annotations.render(result))
        for path, text in annotations.extra_outputs(result, environ):
            try:
                with open(path, "a", encoding="utf-8") as out:
                    out.write(text)
            except OSError as e:
                stderr.write(f"reviewbot: cannot write {path}: {e.strerror or e}\n")
    for problem in result.problems:
        stderr.write(f"reviewbot: {problem}\n")
    if result.problems:
        return 2
    return 1 if any(i.finding.severity >= fail_on for i in all_items) else 0
