"""The only user of tree-sitter: parse post-image text once and answer questions about it.

A `SyntaxView` is the post-image a rule looks at — one hunk's window, or a whole
file with the patch applied — with, for every row, the line of the new file it
is (None for rows outside the patch) and whether the patch added it.  Parsing is
lazy and cached by content, so every rule that asks shares one tree.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import OrderedDict
from functools import cached_property
from importlib import resources
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

import tree_sitter
import tree_sitter_c

Node = tree_sitter.Node

FUNCTION_LIKE = frozenset({"function_definition"})


@functools.cache
def language() -> tree_sitter.Language:
    return tree_sitter.Language(tree_sitter_c.language())


@functools.cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(language())


class _Recent:
    """A small LRU of values computed from their key (a series repeats its windows; rules
    run one query over one unit in turn)."""

    def __init__(self, compute: Callable, size: int) -> None:
        self.compute = compute
        self.size = size
        self.values: OrderedDict = OrderedDict()

    def get(self, key, compute: Callable | None = None):
        value = self.values.get(key)
        if value is None:
            value = (compute or self.compute)(key)
            self.values[key] = value
            if len(self.values) > self.size:
                self.values.popitem(last=False)
        else:
            self.values.move_to_end(key)
        return value


def _parse_source(source: bytes) -> tree_sitter.Tree:
    return _parser().parse(source)


class _Found:
    """What one query found under one node: tree-sitter's matches as it gives them, made into
    {capture name: node} dicts per part of a bundle only when a rule asks for that part."""

    __slots__ = ("raw", "parts", "starts")

    def __init__(self, raw: list[tuple[int, dict[str, list[Node]]]]) -> None:
        self.raw = raw
        self.parts: dict[tuple[int, int], list[dict[str, Node]]] = {}
        self.starts: list[tuple[int, int]] | None = None

    def under(self, node: Node) -> list[tuple[int, dict[str, list[Node]]]]:
        """The matches whose nodes are under `node`, in their order: what the query finds run
        under `node` alone, for a node no pattern of more than one node has in it (a
        function_definition or an ERROR).  A match's nodes hang from its pattern's top node
        by direct children of the types the pattern names; so if one of them is under `node`,
        the top is too (else `node` would be one of those types), and with it all of them."""
        if self.starts is None:
            # (the start of one node of each match, with its place: sorted, to find a range's at once)
            self.starts = sorted((next(iter(caps.values()))[0].start_byte, k) for k, (_, caps) in enumerate(self.raw))
        lo, hi = node.start_byte, node.end_byte
        first = bisect.bisect_left(self.starts, (lo, -1))
        last = bisect.bisect_right(self.starts, (hi, len(self.raw)))
        out = []
        for _, k in sorted(self.starts[first:last], key=lambda sk: sk[1]):
            match = self.raw[k]
            one = next(iter(match[1].values()))[0]
            start, end = one.start_byte, one.end_byte
            if end > hi:
                continue
            if (start == lo and end == hi) or (start == end and start in (lo, hi)):
                # (a node of the same range, or an empty one at an edge, may be above or beside it)
                if one != node and node not in ancestors(one):
                    continue
            out.append(match)
        return out

    def part(self, first: int, end: int) -> list[dict[str, Node]]:
        found = self.parts.get((first, end))
        if found is None:
            found = self.parts[(first, end)] = [{name: nodes[0] for name, nodes in caps.items()}
                                                for i, caps in self.raw if first <= i < end]
        return found


def _all_matches(key: tuple[tree_sitter.Query, Node]) -> _Found:
    q, node = key
    return _Found(tree_sitter.QueryCursor(q).matches(node))


# Trees by source bytes; matches by (query, node): a key node holds its tree, so a key
# cannot come to stand for another tree's node.  Enough of them for a patch sent again a few
# hundred patches later (to another list, or resent) to find its windows parsed (~3 MB more).
_TREES = _Recent(_parse_source, 256)
_MATCHES = _Recent(_all_matches, 256)


def parse(source: bytes) -> tree_sitter.Tree:
    return _TREES.get(source)


# Queries that several rules run over nearly every unit, and the node types several hunk rules
# walk every window for: compiled into one query, which finds all of them in one pass over the
# tree (as fast as one of them alone), then sorted out by pattern index.
BUNDLE = ("call_results", "null_sources", "null_tests")
SHARED_TYPES = frozenset({"if_statement", "for_statement", "while_statement", "do_statement",
                          "compound_statement", "ERROR"})
_SHARED_PART = "(shared types)"


class Part(NamedTuple):
    """One query of a bundle: the patterns `first` to `end` of the compiled bundle."""

    bundle: tree_sitter.Query
    first: int
    end: int


def _source(name: str, package: str) -> str:
    return resources.files(package).joinpath(f"queries/{name}.scm").read_text()


@functools.cache
def query(name: str, package: str = "reviewbot.rules") -> tree_sitter.Query | Part:
    """A query shipped as package data (`queries/<name>.scm`), compiled once (on first use)."""
    if package == "reviewbot.rules" and name in BUNDLE:
        return _bundle()[name]
    return tree_sitter.Query(language(), _source(name, package))


@functools.cache
def _bundle() -> dict[str, Part]:
    """The part of each bundled query, and (under _SHARED_PART) the last pattern: SHARED_TYPES."""
    sources = [_source(name, "reviewbot.rules") + "\n" for name in BUNDLE]
    bundle = tree_sitter.Query(language(), "".join(sources) + _types_pattern(SHARED_TYPES))
    starts = [bundle.start_byte_for_pattern(i) for i in range(bundle.pattern_count)]
    parts, offset = {}, 0
    for name, source in zip(BUNDLE, sources):
        end_offset = offset + len(source.encode())
        indices = [i for i, at in enumerate(starts) if offset <= at < end_offset]
        parts[name] = Part(bundle, indices[0], indices[-1] + 1)
        offset = end_offset
    parts[_SHARED_PART] = Part(bundle, bundle.pattern_count - 1, bundle.pattern_count)
    return parts


def _types_pattern(types: frozenset[str]) -> str:
    return "[" + " ".join(f"({t})" for t in sorted(types)) + "] @node"


def matches(q: tree_sitter.Query | Part, node: Node) -> list[dict[str, Node]]:
    """Each match of the query under `node`, as {capture name: node} (first node of each).

    Several rules run one query over the same unit: the matches are found once (the
    dicts are shared; read them, do not change them)."""
    if isinstance(q, Part):
        return list(_bundle_matches(q.bundle, node).part(q.first, q.end))
    return list(_MATCHES.get((q, node)).part(0, q.pattern_count))


UNITS = frozenset({"function_definition", "ERROR"})


def _bundle_matches(bundle: tree_sitter.Query, node: Node) -> _Found:
    """The bundle's matches under `node`.  For a function of a whole file (or an ERROR node),
    picked out of those under the whole tree when the walks have found them already, instead
    of running the bundle over the function a second time."""
    key = (bundle, node)
    found = _MATCHES.values.get(key)
    if found is not None:
        _MATCHES.values.move_to_end(key)
        return found
    if node.type in UNITS and node.parent is not None:
        root = node.parent
        while root.parent is not None:
            root = root.parent
        whole = _MATCHES.values.get((bundle, root))
        if whole is not None:
            return _MATCHES.get(key, lambda _: _Found(whole.under(node)))
    return _MATCHES.get(key)


class Names(NamedTuple):
    """Finds any of some names in source bytes (see any_of)."""

    pattern: re.Pattern[bytes]
    common: bytes   # a piece of text every name has: where it is missing, so are they all

    def search(self, source: bytes) -> re.Match[bytes] | None:
        # (`in` is a fast scan; the pattern's alternation tries every name at every byte)
        return self.pattern.search(source) if self.common in source else None


def any_of(names: Iterable[str]) -> Names:
    """What finds any of the names in source bytes: where it finds none, no node's text is
    one of them, and a rule that judges only their calls may stop before its query."""
    names = sorted(names, key=lambda n: (-len(n), n))
    pattern = re.compile("|".join(re.escape(n) for n in names).encode())
    return Names(pattern, _common_part([n.encode() for n in names]))


def _common_part(names: list[bytes]) -> bytes:
    """The longest piece of text all the names have (b"" when they share none, or there are none)."""
    if not names:
        return b""
    shortest = min(names, key=len)
    for size in range(len(shortest), 0, -1):
        for start in range(len(shortest) - size + 1):
            piece = shortest[start:start + size]
            if all(piece in n for n in names):
                return piece
    return b""


def text(node: Node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def ancestors(node: Node) -> Iterator[Node]:
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def chain(node: Node | None, stop: Node | None) -> list[Node]:
    """`node` and its ancestors up to, not including, `stop` (None: to the root)."""
    out = []
    while node is not None and node != stop:
        out.append(node)
        node = node.parent
    return out


def child_toward(ancestor: Node, node: Node) -> Node | None:
    """The child of `ancestor` that holds `node`."""
    for c in chain(node, ancestor):
        if c.parent == ancestor:
            return c
    return None


def if_chain(node: Node) -> list[tuple[Node, Node | None]]:
    """[(keyword node, body)] of the if / else if / else chain starting at the `if_statement`
    `node`: an `else if` arm is named by its `else`, the last `else` by itself."""
    arms: list[tuple[Node, Node | None]] = []
    while node is not None and node.type == "if_statement":
        keyword = node.children[0]
        if arms and node.parent is not None and node.parent.type == "else_clause":
            keyword = node.parent.children[0]
        arms.append((keyword, node.child_by_field_name("consequence")))
        clause = node.child_by_field_name("alternative")
        if clause is None:
            return arms
        body = clause.named_children[-1] if clause.type == "else_clause" and clause.named_children else clause
        if body.type == "if_statement":
            node = body
            continue
        arms.append((clause.children[0], body))
        return arms
    return arms


def walk(node: Node, types: frozenset[str] | set[str] | tuple[str, ...] | None = None) -> Iterator[Node]:
    """Every descendant (named nodes only) in source order, optionally of some types."""
    if types is not None:
        types = frozenset(types)
        found = _shared_descendants(node, types) if types <= SHARED_TYPES else None
        if found is None:
            found = _typed_descendants(node, types)
        if found is not None:
            return iter(found)
    return _walk(node, types)


def _every_shared(node: Node) -> tuple[list[Node] | None]:
    """Every node of SHARED_TYPES under `node`, in pre-order (found with the bundled queries)."""
    shared = _bundle()[_SHARED_PART].first
    return (_in_preorder([caps["node"][0] for i, caps in _MATCHES.get((_bundle()[_SHARED_PART].bundle, node)).raw
                          if i == shared]),)


_SHARED = _Recent(_every_shared, 8)


def _shared_descendants(node: Node, types: frozenset[str]) -> list[Node] | None:
    """What `_typed_descendants(node, types)` finds, for types among SHARED_TYPES, or None
    where the shared list cannot be put in order (then the caller asks for the types alone)."""
    (every,) = _SHARED.get(node)
    return None if every is None else [n for n in every if n.type in types]


def _walk(node: Node, types) -> Iterator[Node]:
    stack = [node]
    while stack:
        n = stack.pop()
        if types is None or n.type in types:
            yield n
        stack.extend(reversed(n.named_children))


@functools.lru_cache(maxsize=64)
def _types_query(types: frozenset[str]) -> tree_sitter.Query | None:
    """A query capturing every node of the types (None when one is not a node type of C)."""
    try:
        return tree_sitter.Query(language(), _types_pattern(types))
    except (tree_sitter.QueryError, ValueError):
        return None


def _typed_descendants(node: Node, types: frozenset[str]) -> list[Node] | None:
    """What `_walk(node, types)` yields, found by tree-sitter itself (several times faster).

    Captures come in no useful order; sorted by (start, longest first) they are in
    pre-order, unless two share a range or one is empty: then None, and the caller walks.
    """
    q = _types_query(types)
    if q is None:
        return None
    return _in_preorder(tree_sitter.QueryCursor(q).captures(node).get("node", []))


def _in_preorder(found: list[Node]) -> list[Node] | None:
    """Nodes sorted by (start, longest first, outermost first): in pre-order.  None where that
    cannot be told from the ranges: an empty node at the start of a node not around it (it
    belongs before that node), or two empty nodes at one place."""
    keys = [(n.start_byte, -n.end_byte, 0) for n in found]
    if len(set(keys)) != len(keys):
        # Two nodes with one range that is not empty are one inside the other (an ERROR around
        # a statement): the outer one comes first.
        count: dict[tuple[int, int, int], int] = {}
        for k in keys:
            count[k] = count.get(k, 0) + 1
        keys = [(s, e, _depth(n)) if count[(s, e, z)] > 1 else (s, e, z) for (s, e, z), n in zip(keys, found)]
        if len(set(keys)) != len(keys):
            return None
    for (start, end, _), node in zip(keys, found):
        if start == -end:
            # Sorted after every node that starts where it is: right only if they all hold it.
            around = set(ancestors(node))
            if any(n.start_byte == start and n.end_byte != start and n not in around for n in found):
                return None
    return [n for _, n in sorted(zip(keys, found), key=lambda kn: kn[0])]


def _depth(node: Node) -> int:
    depth = 0
    node = node.parent
    while node is not None:
        depth += 1
        node = node.parent
    return depth


def identifiers_named(node: Node, name: bytes, after: int = 0) -> list[Node]:
    """The identifiers under `node` spelt `name` that start at or after byte `after`, in source
    order: found in the text, then looked up in the tree (comments and strings drop out), which
    is many times faster than walking a function's nodes."""
    if not name:
        return [n for n in _walk(node, ("identifier",)) if n.start_byte >= after and n.text == name]
    src, base = node.text, node.start_byte
    found = []
    at = src.find(name, max(after - base, 0))
    while at >= 0:
        start, end = base + at, base + at + len(name)
        hit = node.descendant_for_byte_range(start, end)
        if hit is not None and hit.type == "identifier" and hit.start_byte == start and hit.end_byte == end:
            found.append(hit)
        at = src.find(name, at + 1)
    return found


WORD_BYTES = frozenset(bytes([c]) for c in b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def occurrences_of(unit: Node, names: Iterable[str]) -> dict[str, list[Node]]:
    """The identifiers under the unit that spell one of `names`, by name, in source order
    (found in the text, then looked up in the tree: comments and strings drop out)."""
    src, base = unit.text, unit.start_byte
    found: dict[str, list[Node]] = {}
    for name in names:
        raw = name.encode()
        at = src.find(raw)
        while at >= 0:
            after = at + len(raw)
            if not (at and src[at - 1:at] in WORD_BYTES) and src[after:after + 1] not in WORD_BYTES:
                start, end = base + at, base + after
                node = unit.descendant_for_byte_range(start, end)
                if node is not None and node.type == "identifier" and node.start_byte == start \
                        and node.end_byte == end:
                    found.setdefault(name, []).append(node)
            at = src.find(raw, after)
    return found


def broken(node: Node) -> bool:
    """Did the parser give up inside this node (an ERROR, or a token it had to invent)?

    A `;` invented after a kernel iterator macro (`list_for_each_entry(...) {`) does
    not count: tree-sitter adds one after every such macro, and the code around it is
    read correctly.  Rules should stay silent where this is true of what they judge.
    """
    return node.has_error and _gave_up(node, None)


def broken_ignoring_qualifiers(node: Node) -> bool:
    """`broken`, except that an ERROR made of an address-space qualifier and nothing else
    (`void __user *p`, `(void __iomem *)x`) does not count: tree-sitter reads the rest of
    the statement correctly, and such code is what the pointer rules judge."""
    return node.has_error and _gave_up(node, _qualifier_error)


def _gave_up(node: Node, excused: Callable[[Node], bool] | None) -> bool:
    """(broken's walk, under a node that has an error: an ERROR not `excused`, or an invented token)"""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "ERROR" and not (excused is not None and excused(n)) or (n.is_missing and n.type != ";"):
            return True
        if n.has_error:
            stack.extend(n.children)
    return False


def _qualifier_error(node: Node) -> bool:
    """An ERROR tree-sitter makes of an address-space qualifier and nothing else: `void __user *p`,
    `(void __iomem *)x` (the rest of the statement is read correctly)."""
    parent = node.parent
    if parent is None or parent.type not in ("declaration", "cast_expression", "parameter_declaration",
                                             "field_declaration"):
        return False
    return all(c.type in ("primitive_type", "type_identifier") or c.type == "identifier"
               and c.text.startswith(b"__") for c in node.children)


def strip_parens(node: Node) -> Node:
    while node is not None and node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def call_name(node: Node) -> str | None:
    """The called function's name for `f(...)`, looking through casts and parentheses."""
    node = strip_parens(node)
    while node is not None and node.type == "cast_expression":
        node = strip_parens(node.child_by_field_name("value"))
    if node is None or node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    return text(fn) if fn is not None and fn.type == "identifier" else None


SPACE = re.compile(r"\s+")


def squeeze(node: Node) -> str:
    """The node's text without whitespace: one spelling for `foo->clk` and `foo -> clk`."""
    return SPACE.sub("", text(node))


def contains(outer: Node, inner: Node) -> bool:
    """Does `outer`'s byte range hold `inner`'s?"""
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def outer_expression(node: Node) -> Node:
    """The node itself, or the parentheses and casts wrapped around it (what its surroundings see)."""
    parent = node.parent
    while parent is not None and parent.type in ("parenthesized_expression", "cast_expression"):
        node, parent = parent, parent.parent
    return node


DECLARATOR_WRAPPERS = frozenset({"pointer_declarator", "array_declarator", "parenthesized_declarator",
                                 "attributed_declarator", "init_declarator"})


def declares(node: Node) -> bool:
    """Is this identifier the name a declaration or parameter introduces?"""
    child, parent = node, node.parent
    while parent is not None:
        kind = parent.type
        if kind not in DECLARATOR_WRAPPERS:
            return kind in ("declaration", "parameter_declaration")
        if parent.child_by_field_name("declarator") != child:
            return False
        child, parent = parent, parent.parent
    return False


def _declared_depth(declarator: Node, name: str) -> int | None:
    """Pointer depth of `name` if this declarator declares it (`int x` 0, `T *p` 1), else None."""
    depth = 0
    d = declarator
    while d is not None:
        if d.type == "identifier":
            return depth if text(d) == name else None
        if d.type == "pointer_declarator":
            depth += 1
        elif d.type in ("array_declarator", "function_declarator"):
            depth += 1
        elif d.type not in ("init_declarator", "parenthesized_declarator", "attributed_declarator"):
            return None
        d = d.child_by_field_name("declarator")
    return None


def not_a_pointer(var: Node, site: Node) -> bool:
    """Is `var` a local variable or parameter declared as a plain value (`int ret`)?  Then the
    call is a namesake that returns an int (arch/sh's `int clk_register(struct clk *)`)."""
    if var.type != "identifier":
        return False
    function = next((a for a in ancestors(site) if a.type == "function_definition"), None)
    if function is None:
        return False
    name = text(var)
    stack = [function]
    while stack:
        n = stack.pop()
        if n.type in ("declaration", "parameter_declaration"):
            kind = n.child_by_field_name("type")
            for d in n.children_by_field_name("declarator"):
                depth = _declared_depth(d, name)
                if depth is not None:
                    return depth == 0 and kind is not None and kind.type in ("primitive_type",
                                                                             "sized_type_specifier")
            continue
        stack.extend(n.named_children)
    return False


def declared_names(unit: Node) -> dict[str, int]:
    """How many times each name is declared in the unit (parameters and locals)."""
    counts: dict[str, int] = {}
    stack = [unit]
    while stack:
        n = stack.pop()
        if n.type in ("declaration", "parameter_declaration"):
            for d in n.children_by_field_name("declarator"):
                while d is not None and d.type != "identifier":
                    d = d.child_by_field_name("declarator")
                if d is not None:
                    name = text(d)
                    counts[name] = counts.get(name, 0) + 1
            continue
        stack.extend(n.named_children)
    return counts


def defined_functions(view: SyntaxView) -> frozenset[str]:
    """Functions the viewed source defines itself (their own behaviour wins over the knowledge)."""
    names = set()
    for child in view.root.children:
        if child.type == "function_definition":
            d = child.child_by_field_name("declarator")
            while d is not None and d.type in ("pointer_declarator", "parenthesized_declarator"):
                d = d.child_by_field_name("declarator")
            if d is not None and d.type == "function_declarator":
                names.add(text(d.child_by_field_name("declarator")))
    return frozenset(names)


def call_results(view: SyntaxView, wanted: Callable[[str], bool]) -> Iterator[tuple[Node, Node, Node, str]]:
    """(unit, site, var, function name) for each stored call result (`var = f(...)`, the
    `call_results` query) whose function `wanted(name)` accepts, in the view's units; calls
    of a function the viewed source defines itself are left out."""
    own = None
    for unit in view.units():
        for m in matches(query("call_results"), unit):
            fn = text(m["fn"])
            if not wanted(fn):
                continue
            if own is None:
                own = defined_functions(view)
            if fn in own:
                continue
            yield unit, m["site"], m["var"], fn


def added_text(view: SyntaxView, unit: Node) -> str:
    """The text of the lines the patch added inside the unit (for cheap early exits)."""
    rows = view.added_rows
    lo = bisect.bisect_left(rows, unit.start_point.row)
    hi = bisect.bisect_right(rows, unit.end_point.row)
    lines = view.rows
    return "\n".join([lines[r] for r in rows[lo:hi]])


class SyntaxView:
    """Post-image rows with their new-file line numbers, parsed on first use."""

    def __init__(self, rows: Sequence[str], new_lines: Sequence[int | None], added: frozenset[int],
                 repaired: bool = False, whole_file: bool = False) -> None:
        self.rows = tuple(rows)
        self.new_lines = tuple(new_lines)
        self.added = added            # new-file lines the patch added
        self.repaired = repaired      # whitespace not to be trusted
        self.whole_file = whole_file

    @cached_property
    def source(self) -> bytes:
        return "\n".join(self.rows).encode("utf-8", "replace") + b"\n"

    @cached_property
    def tree(self) -> tree_sitter.Tree:
        return parse(self.source)

    @cached_property
    def root(self) -> Node:
        return self.tree.root_node   # (one Node object, not a new one per ask)

    @cached_property
    def added_rows(self) -> tuple[int, ...]:
        added = self.added
        return tuple([r for r, n in enumerate(self.new_lines) if n in added and n is not None])

    def line(self, row: int) -> int | None:
        return self.new_lines[row] if 0 <= row < len(self.new_lines) else None

    def line_of(self, node: Node) -> int | None:
        return self.line(node.start_point.row)

    @cached_property
    def _mapped_rows(self) -> tuple[int, ...]:
        return tuple(r for r, n in enumerate(self.new_lines) if n is not None)

    def nearby_line(self, row: int) -> int | None:
        """The new-file line of any row of a whole-file view, rows outside the hunks
        included (counted from the nearest row the patch shows); for a window, `line`."""
        exact = self.line(row)
        if exact is not None or not self.whole_file or not self._mapped_rows:
            return exact
        mapped = self._mapped_rows
        k = bisect.bisect_left(mapped, row)
        anchor = mapped[k - 1] if k > 0 else mapped[0]
        return self.new_lines[anchor] + (row - anchor)

    def row_added(self, row: int) -> bool:
        n = self.line(row)
        return n is not None and n in self.added

    def node_added(self, node: Node) -> bool:
        """Does the patch add any line this node spans?"""
        rows = self.added_rows
        k = bisect.bisect_left(rows, node.start_point.row)
        return k < len(rows) and rows[k] <= node.end_point.row

    def units(self) -> list[Node]:
        """What function-scope rules walk: for a window, the whole fragment; for a
        whole file, the function definitions that span added lines (and any top-level
        ERROR node that does, since kernel macros can hide a function inside one)."""
        return list(self._units)

    @cached_property
    def _units(self) -> tuple[Node, ...]:
        """(units, worked out once: every function rule asks)"""
        return tuple(self._find_units())

    def _find_units(self) -> list[Node]:
        if not self.added_rows:
            return []
        if not self.whole_file:
            return [self.root]
        found = []
        for child in self.root.children:
            if not self.node_added(child):
                continue
            if child.type in FUNCTION_LIKE:
                found.append(child)
            elif child.type == "ERROR":
                inner = [c for c in child.children if c.type in FUNCTION_LIKE and self.node_added(c)]
                found += inner or [child]
        return found


# --- windows cut out of a file: where a hunk's text cannot be parsed for sure ---------------


def unsure(view, node) -> bool:
    """Is the node in text a window cannot parse for sure: a `#define` continuation
    line (the window may cut a macro in half), or a comment whose start or end the
    window cut off?"""
    rows = view.rows
    head, tail = comment_edges(view)
    if top_level(node).start_point.row < head or node.end_point.row >= tail:
        return True
    return any(doubtful(rows[r]) for r in range(node.start_point.row, min(node.end_point.row + 1, len(rows))))


def doubtful(line: str) -> bool:
    """A `#define` continuation line, or a line of a comment (`* ...`)."""
    text = line.strip()
    return text.endswith("\\") or text[:2] in ("*", "* ", "*\t")


def top_level(node):
    """The outermost node holding `node` (a child of the translation unit)."""
    while node.parent is not None and node.parent.parent is not None:
        node = node.parent
    return node


@functools.lru_cache(maxsize=4)
def comment_edges(view) -> tuple[int, int]:
    """(rows at the top of a window that end a block comment begun above it, the first
    row of a block comment the window ends in): tree-sitter reads such text as code."""
    rows = view.rows
    head, tail = 0, len(rows)
    for r, line in enumerate(rows):
        close, start = line.find("*/"), line.find("/*")
        if start >= 0 and (close < 0 or start < close):
            break
        if close >= 0:
            head = r + 1
            break
    for r in range(len(rows) - 1, head - 1, -1):
        close, start = rows[r].rfind("*/"), rows[r].rfind("/*")
        if start > close:
            tail = r
            break
        if close >= 0:
            break
    return head, tail
