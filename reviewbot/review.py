"""From messages to reviews: skip what is not a patch, parse, pick a tree, run the rules."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, NamedTuple

from reviewbot.config import Config
from reviewbot.csyntax import SyntaxView
from reviewbot.diff import FileChange, parse_diff
from reviewbot.engine import Rule, rule_by_id, run_rules
from reviewbot.findings import Finding
from reviewbot.knowledge import Knowledge
from reviewbot.model import Message, Repair
from reviewbot.ruleapi import Scope
from reviewbot.suppress import mark_preexisting, trailer_ignores
from reviewbot.tree import directory_reader, git_commit_reader, post_image

Reader = Callable[[str], "str | None"]


class PatchReview(NamedTuple):
    message: Message
    findings: tuple[Finding, ...]
    notices: tuple[str, ...]
    quotes: tuple[tuple[str, int, str], ...] = ()   # (path, new line, text) of lines findings are on
    preexisting: int = 0     # findings not shown: moved code, faults the code had before (--show-preexisting)
    silenced: int = 0        # findings not shown: a Reviewbot-ignore trailer or a per-path ignore
    files: tuple[FileChange, ...] = ()   # the parsed diff, for renderers that quote it (email)

    def quote(self, path: str | None, line: int | None) -> str | None:
        for p, n, t in self.quotes:
            if p == path and n == line:
                return t
        return None


class Skipped(NamedTuple):
    label: str
    reason: str


class RunResult(NamedTuple):
    reviews: tuple[PatchReview, ...]
    skipped: tuple[Skipped, ...] = ()
    problems: tuple[str, ...] = ()


def _quotes(files: tuple[FileChange, ...], findings: list[Finding]) -> tuple[tuple[str, int, str], ...]:
    wanted = {}
    for f in findings:
        if f.line is not None:
            for n in range(f.line, (f.end_line or f.line) + 1):
                wanted[(f.path, n)] = None
    if not wanted:
        return ()
    out = []
    for fc in files:
        for h in fc.hunks:
            for x in h.post_image:
                if (fc.path, x.new) in wanted:
                    out.append((fc.path, x.new, x.text))
    return tuple(out)


def skip_reason(message: Message) -> str | None:
    """Why a message is not code-reviewed, or None when it is a patch to review."""
    if message.prefix.is_reply:
        return "reply"
    if message.prefix.is_cover_letter:
        return "cover letter"
    if not message.has_diff:
        return "no diff"
    return None


class Policy(NamedTuple):
    """What is shown of what the rules found."""

    config: Config = Config()
    ignore_types: frozenset[str] = frozenset()   # checkpatch types (--ignore TYPE)
    only_types: frozenset[str] = frozenset()     # checkpatch types (--types TYPE,...)
    show_preexisting: bool = False

    def keeps_type(self, checkpatch_type: str | None) -> bool:
        if checkpatch_type in self.ignore_types:
            return False
        return not self.only_types or checkpatch_type in self.only_types


class Reviewer(NamedTuple):
    """Everything that stays the same across the patches of one run."""

    rules: tuple[Rule, ...]
    knowledge: Knowledge
    tree: Path | None = None        # --tree DIR
    git_top: str | None = None      # the git work tree the command runs in, if any
    policy: Policy = Policy()

    def _reader(self, message: Message) -> Reader | None:
        """How to read the tree for this patch: its own commit, --tree, or the work tree."""
        if message.commit and self.git_top and self.tree is None:
            return git_commit_reader(self.git_top, message.commit)
        if self.tree is not None:
            return directory_reader(self.tree)
        if self.git_top:
            return directory_reader(Path(self.git_top))
        return None

    def _file_views(self, message: Message, files: tuple[FileChange, ...], notices: list[str]) -> dict[str, SyntaxView]:
        read = self._reader(message)   # lazy: it reads nothing until asked for a file
        if read is None:
            return {}
        function_rules = [r for r in self.rules if r.meta.scope is Scope.FUNCTION]
        wanted = [fc for fc in files if any(r.applies_to(fc.path) for r in function_rules)]
        if not wanted:
            return {}
        views = {}
        for fc in wanted:
            damaged = not message.whitespace_trusted or any(h.repaired for h in fc.hunks)
            image, notice = post_image(read, fc, damaged)
            if image is not None:
                added = frozenset(x.new for h in fc.hunks for x in h.added)
                views[fc.path] = SyntaxView(image.rows, image.new_lines, added, repaired=damaged, whole_file=True)
            elif notice:
                notices.append(notice)
        return views

    def review(self, message: Message) -> PatchReview:
        files, errors = parse_diff(message.diff_lines, message.diff_mail_lines, message.repaired_hunks,
                                   all_damaged=not message.whitespace_trusted)
        damage = message.repairs + tuple(
            Repair(f"the diff could not be parsed ({e.text}); not reviewed", e.path, e.mail_line, repaired=False)
            for e in errors)
        notices: list[str] = []
        if message.kind == "archive":
            for d in damage:
                notices.append(f"{d.path or message.label}: {d.what} (web-archive copy; indentation checks skipped)")
        silenced_ids = trailer_ignores(message)
        rules = self.rules
        if silenced_ids:
            unknown = sorted(silenced_ids - rule_by_id().keys())
            if unknown:
                notices.append(f"Reviewbot-ignore names no rule: {', '.join(unknown)} (see `reviewbot rules`)")
            rules = tuple(r for r in self.rules if r.id not in silenced_ids)
        views = self._file_views(message, files, notices)
        found = mark_preexisting(run_rules(message, files, damage, rules, self.knowledge, views), files)
        policy = self.policy
        shown, moved, silenced = [], 0, 0
        for f in found:
            if not policy.keeps_type(f.checkpatch_type):
                continue
            if policy.config.ignored_at(f.rule, f.path):
                silenced += 1
            elif f.preexisting and not policy.show_preexisting:
                moved += 1
            else:
                shown.append(f)
        return PatchReview(message, tuple(shown), tuple(notices), _quotes(files, shown), moved, silenced, files)
