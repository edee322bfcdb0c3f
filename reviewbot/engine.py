"""Rule discovery, contexts, running rules over a patch, and turning reports into findings."""

from __future__ import annotations

import fnmatch
import functools
import importlib
import os
import re
from types import MappingProxyType
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple

from reviewbot.csyntax import SyntaxView
from reviewbot.diff import DiffLine, FileChange, Hunk
from reviewbot.findings import Finding, Severity, sort_key
from reviewbot.knowledge import Knowledge
from reviewbot.model import Message, Repair
from reviewbot.ruleapi import Report, RuleMeta, Scope

NO_OPTIONS: Mapping[str, object] = MappingProxyType({})
DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")


class Rule(NamedTuple):
    meta: RuleMeta
    check: Callable[..., Iterable[Report]]
    doc: str
    module: str
    options: Mapping[str, object] = NO_OPTIONS   # effective options: the defaults, then the config's

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def summary(self) -> str:
        """The first sentence of *What it does*."""
        body = section(self.doc, "What it does")
        first = " ".join(body.split())
        return first.split(". ")[0].rstrip(".") + "." if first else ""

    def applies_to(self, path: str) -> bool:
        return not self.meta.paths or _path_matches(self.meta.paths, path)


@functools.lru_cache(maxsize=4096)
def _path_matches(globs: tuple[str, ...], path: str) -> bool:
    """Does the path, or its file name, match one of the globs?  (Asked per rule and file.)"""
    name = path.rsplit("/", 1)[-1]
    pattern = _glob_pattern(globs)
    return bool(pattern.match(os.path.normcase(path)) or pattern.match(os.path.normcase(name)))


@functools.lru_cache(maxsize=64)
def _glob_pattern(globs: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for the globs, each as fnmatch.fnmatch reads it (a few sets of globs, one
    pattern each, instead of one fnmatch call per glob, path and name)."""
    return re.compile("|".join(fnmatch.translate(os.path.normcase(g)) for g in globs) or "(?!)")


def section(doc: str, name: str) -> str:
    """The text of one `## Name` section of a rule's docstring."""
    lines = doc.splitlines()
    out, inside = [], False
    for line in lines:
        if line.startswith("## "):
            inside = line[3:].strip() == name
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip("\n")


@functools.cache
def registry() -> tuple[Rule, ...]:
    """Every rule in the `reviewbot.rules` package, sorted by id (built once, immutable)."""
    import reviewbot.rules as package

    rules = []
    # A plain listing: pkgutil.iter_modules imports `inspect`, a tenth of the start-up time.
    names = sorted({f[:-3] for d in package.__path__ for f in os.listdir(d)
                    if f.endswith(".py") and not f.startswith("_")})
    for name in names:
        module = importlib.import_module(f"reviewbot.rules.{name}")
        check = getattr(module, "check", None)
        meta = getattr(check, "rule_meta", None)
        if meta is None:
            continue
        if meta.id.replace("-", "_") != name:
            raise RuntimeError(f"rule {meta.id} lives in {name}.py; the file must be named after the id")
        rules.append(Rule(meta, check, (module.__doc__ or "").strip("\n"), module.__name__, meta.options))
    return tuple(sorted(rules, key=lambda r: r.id))


def rule_by_id() -> dict[str, Rule]:
    return {r.id: r for r in registry()}


# --- contexts: what each scope may see -------------------------------------------------


class MailContext(NamedTuple):
    message: Message
    files: tuple[FileChange, ...]
    damage: tuple[Repair, ...]      # repairs made and hunks given up on the way in
    knowledge: Knowledge
    options: Mapping[str, object] = NO_OPTIONS


class FileContext(NamedTuple):
    message: Message
    file: FileChange
    knowledge: Knowledge
    options: Mapping[str, object] = NO_OPTIONS


class LineContext(NamedTuple):
    message: Message
    file: FileChange
    hunk: Hunk
    line: DiffLine
    knowledge: Knowledge
    options: Mapping[str, object] = NO_OPTIONS


class HunkContext(NamedTuple):
    message: Message
    file: FileChange
    hunk: Hunk
    view: SyntaxView
    knowledge: Knowledge
    files: tuple[FileChange, ...] = ()   # every file of the patch, for "is the whole patch like this?"
    options: Mapping[str, object] = NO_OPTIONS


class FunctionContext(NamedTuple):
    """Whole functions when a tree gave the post-image (`view.whole_file`), else one hunk window."""

    message: Message
    file: FileChange
    hunks: tuple[Hunk, ...]
    view: SyntaxView
    knowledge: Knowledge
    options: Mapping[str, object] = NO_OPTIONS


def window(fc: FileChange, hunk: Hunk) -> SyntaxView:
    image = hunk.post_image
    return SyntaxView(tuple([x.text for x in image]), tuple([x.new for x in image]),
                      frozenset([x.new for x in hunk.added]), repaired=hunk.repaired,
                      whole_file=fc.status == "added")


# --- running ---------------------------------------------------------------------------


def _also(report: Report, mail_line: int | None,
          added: Mapping[int, DiffLine] | None) -> tuple[tuple[int | None, int | None], ...]:
    """The other places of `report.also`, as (new-file line, mail line): for a report on no
    line, its mail lines but the report's own; for a report on a line, the lines of `added`
    (the patch's added lines, by new-file line) but the report's own, and none without them."""
    if report.line is None:
        own = report.mail_line or mail_line
        return tuple((None, m) for m in report.also if m != own)
    if added is None:
        return ()
    return tuple((n, added[n].mail_line) for n in report.also if n in added and n != report.line)


def _finding(rule: Rule, report: Report, path: str | None, mail_line: int | None,
             added: Mapping[int, DiffLine] | None = None) -> Finding:
    """The finding a rule's report makes, placed at `mail_line` unless the report knows better;
    `added` (a file's added lines) places the report's `also` lines."""
    also = _also(report, mail_line, added) if report.also else ()
    return Finding(
        rule=rule.id,
        severity=rule.meta.severity,
        message=report.message,
        path=report.path if rule.meta.scope is Scope.MAIL else path,
        line=report.line,
        end_line=report.end_line if report.end_line and report.end_line != report.line else None,
        mail_line=report.mail_line or mail_line,
        hint=report.hint,
        # Report(checkpatch="") says this report has no checkpatch type, whatever the rule maps to.
        checkpatch_type=(report.checkpatch if report.checkpatch is not None
                         else (rule.meta.checkpatch[0] if rule.meta.checkpatch else None)) or None,
        also=also,
        also_message=report.also_message if also else None,
        preexisting=report.preexisting,
    )


def run_rules(message: Message, files: tuple[FileChange, ...], damage: tuple[Repair, ...], rules: tuple[Rule, ...],
              knowledge: Knowledge, file_views: dict[str, SyntaxView] | None = None) -> list[Finding]:
    """Every finding of `rules` on one patch, de-duplicated and sorted.

    `file_views` holds whole post-images (from a tree) by path for function-scope
    rules; files without one are judged hunk window by hunk window.
    """
    plan = _plan(rules)
    found: list[Finding] = []

    for r in plan.mail_rules:
        for report in r.check(MailContext(message, files, damage, knowledge, r.options)):
            found.append(_finding(r, report, None, None))

    for fc in files:
        path = fc.path
        found += _file_findings(message, fc, files, plan, knowledge, (file_views or {}).get(path))
    return dedupe(found)


class _Plan:
    """A run's rules by scope, and the ones of each scope that apply to a path.  Most rules
    name one of a few sets of globs: a path is matched against each set once, and the rules
    for each way of matching them are listed once."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules   # (held, so that the ids _plan finds a plan by stay theirs)
        self.mail_rules = [r for r in rules if r.meta.scope is Scope.MAIL]
        self.globs = list(dict.fromkeys(r.meta.paths for r in rules if r.meta.paths))
        self.kinds: dict[tuple[bool, ...], tuple[list, list, list, list]] = {}

    def for_path(self, path: str) -> tuple[list, list, list, list]:
        """(file rules, (line rule, its skip_line), (hunk rule, its options or None),
        (function rule, its options or None)) of the rules that apply to the path, in order."""
        kind = tuple([_path_matches(globs, path) for globs in self.globs])
        found = self.kinds.get(kind)
        if found is None:
            ok = dict(zip(self.globs, kind))
            rules = [r for r in self.rules if not r.meta.paths or ok[r.meta.paths]]
            found = self.kinds[kind] = (
                [r for r in rules if r.meta.scope is Scope.FILE],
                [(r, r.meta.skip_line) for r in rules if r.meta.scope is Scope.LINE],
                # (the rules without options share one context per hunk)
                [(r, r.options or None) for r in rules if r.meta.scope is Scope.HUNK],
                [(r, r.options or None) for r in rules if r.meta.scope is Scope.FUNCTION],
            )
        return found


_PLANS: dict[tuple[int, ...], _Plan] = {}


def _plan(rules: tuple[Rule, ...]) -> _Plan:
    """The plan of a set of rules: made once for the many patches of a run (a few kept)."""
    key = tuple(map(id, rules))
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= 8:
            _PLANS.clear()
        plan = _PLANS[key] = _Plan(rules)
    return plan


def _file_findings(message, fc, files, plan, knowledge, file_view) -> Iterator[Finding]:
    path = fc.path
    file_rules, line_rules, hunk_rules, function_rules = plan.for_path(path)
    for r in file_rules:
        for report in r.check(FileContext(message, fc, knowledge, r.options)):
            yield _finding(r, report, path, fc.mail_line)
    if fc.binary or fc.status == "deleted" or not fc.hunks:
        return
    if not any([h.added for h in fc.hunks]):
        return
    added: dict[int, DiffLine] | None = None   # (the added lines by new-file line: made for the first report)

    def on_added(r: Rule, report: Report) -> Finding | None:
        nonlocal added
        if report.line is None:
            return _finding(r, report, path, fc.mail_line)
        if added is None:
            added = {x.new: x for h in fc.hunks for x in h.added}
        if report.line not in added:
            return None   # never blame lines the patch did not add
        return _finding(r, report, path, added[report.line].mail_line, added)

    for hunk in fc.hunks:
        hunk_added = hunk.added
        if not hunk_added and not hunk_rules:
            continue
        # Rule by rule, not line by line: a rule's own reports come in the same order, and
        # findings of different rules are never duplicates of one another (dedupe, sort_key).
        for r, skip in line_rules:
            options = r.options
            for line in (hunk_added if skip is None else
                         [x for x in hunk_added if not skip(x.text, options)]):
                for report in r.check(LineContext(message, fc, hunk, line, knowledge, options)):
                    if (f := on_added(r, report)) is not None:
                        yield f
        if not hunk_rules and (not function_rules or file_view is not None):
            continue
        view = window(fc, hunk)
        shared = HunkContext(message, fc, hunk, view, knowledge, files)
        for r, options in hunk_rules:
            ctx = shared if options is None else HunkContext(message, fc, hunk, view, knowledge, files, options)
            for report in r.check(ctx):
                if (f := on_added(r, report)) is not None:
                    yield f
        if file_view is None and hunk_added:
            shared = FunctionContext(message, fc, (hunk,), view, knowledge)
            for r, options in function_rules:
                ctx = shared if options is None else FunctionContext(message, fc, (hunk,), view, knowledge, options)
                for report in r.check(ctx):
                    if (f := on_added(r, report)) is not None:
                        yield f
    if file_view is not None:
        for r, _ in function_rules:
            for report in r.check(FunctionContext(message, fc, fc.hunks, file_view, knowledge, r.options)):
                if (f := on_added(r, report)) is not None:
                    yield f


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per rule and place (the first reported wins), in the one sort order."""
    seen = set()
    out = []
    for f in findings:
        key = (f.rule, f.path, f.line, f.message if f.line is None else None)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return sorted(out, key=sort_key)


def at_or_above(findings: Iterable[Finding], level: Severity) -> bool:
    return any(f.severity >= level for f in findings)
