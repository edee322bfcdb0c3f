"""The tree-sitter adapter: parsing once, line maps, units, and judging broken parses."""

from __future__ import annotations

from reviewbot.csyntax import SyntaxView, broken, call_name, identifiers_named, matches, parse, query, text, walk

WINDOW = """\tif (err)
\t\treturn err;

\tif (offset) {
\t\tb = bsearch(&k, t->d, t->n, sizeof(t->d[0]), cmp);
\t\tmod = b->module;
\t} else
\t\taddr = lookup(name);
\tif (!addr) {
"""


def _view(src: str, first_line: int = 100, added=(), whole=False) -> SyntaxView:
    rows = src.rstrip("\n").split("\n")
    return SyntaxView(rows, [first_line + k for k in range(len(rows))], frozenset(added), whole_file=whole)


def test_a_window_fragment_parses_with_its_statements():
    view = _view(WINDOW, added=(103, 104, 105, 106, 107))
    ifs = list(walk(view.root, {"if_statement"}))
    assert [view.line_of(n) for n in ifs] == [100, 103, 108]
    assert not broken(ifs[1])
    assert broken(view.root)        # the window ends inside `if (!addr) {`


def test_parse_is_cached_by_content():
    assert parse(b"int a;\n") is parse(b"int a;\n")


def test_iterator_macros_invented_semicolon_is_not_broken():
    tree = parse(b"void f(void)\n{\n\tlist_for_each_entry(p, &head, list) {\n\t\tif (x)\n\t\t\ty();\n\t}\n}\n")
    fn = tree.root_node.children[0]
    assert fn.has_error
    assert not broken(fn)


def test_line_maps_and_added_rows():
    view = _view(WINDOW, first_line=3499, added=(3503,))
    call = next(n for n in walk(view.root, {"call_expression"}) if call_name(n) == "bsearch")
    assert view.line_of(call) == 3503
    assert view.row_added(4) and not view.row_added(5)
    assert view.node_added(call)
    assert view.units() == [view.root]


def test_whole_file_units_are_the_touched_functions_and_lines_outside_hunks_are_counted():
    src = "int a(void)\n{\n\treturn 0;\n}\n\nint b(void)\n{\n\treturn 1;\n}\n"
    rows = src.rstrip("\n").split("\n")
    new_lines = [None] * 6 + [20, 21, 22]          # only b()'s lines are in a hunk, at lines 20..22
    view = SyntaxView(rows, new_lines, frozenset({21}), whole_file=True)
    assert [text(u).split("\n")[0] for u in view.units()] == ["int b(void)"]
    assert view.nearby_line(8) == 22
    assert view.nearby_line(0) == 14               # counted back from the first mapped row
    assert view.line(0) is None


def test_call_name_looks_through_casts_and_parentheses():
    tree = parse(b"void f(void) { p = (struct x *)(kmalloc(4, GFP_KERNEL)); }\n")
    value = next(walk(tree.root_node, {"assignment_expression"})).child_by_field_name("right")
    assert call_name(value) == "kmalloc"


def test_shipped_query_loads_and_matches():
    tree = parse(b"void f(void) { struct x *p = kzalloc(8, GFP_KERNEL); q = bsearch(a, b, c, d, e); }\n")
    found = [(text(m["var"]), text(m["fn"])) for m in matches(query("null_sources"), tree.root_node)]
    assert sorted(found) == [("p", "kzalloc"), ("q", "bsearch")]


NESTED = """int f(void)
{
\tif (a(b(c), d(e(f))))
\t\tg(h(i))(j);
\t{ { k(); } }
\tswitch (x) { case 1: if (y) { m(); } }
}
int g(void) { return n(o(p)); }
"""


def _preorder(node, types):
    """What `walk` promises, spelled out: named nodes in pre-order."""
    out = [node] if node.type in types else []
    for child in node.named_children:
        out += _preorder(child, types)
    return out


def test_walk_yields_in_source_pre_order_like_a_plain_recursion():
    root = parse(NESTED.encode()).root_node
    for types in ({"call_expression"}, {"compound_statement", "ERROR"}, ("if_statement", "case_statement"),
                  {"identifier"}, {"no_such_node_type"}):
        assert [n.id for n in walk(root, types)] == [n.id for n in _preorder(root, set(types))], types
    body = root.named_children[0].child_by_field_name("body")
    assert [n.id for n in walk(body, {"compound_statement"})] == [n.id for n in _preorder(body, {"compound_statement"})]
    broken_window = _view(WINDOW).root
    assert [n.id for n in walk(broken_window, {"if_statement", "ERROR", "compound_statement"})] == \
        [n.id for n in _preorder(broken_window, {"if_statement", "ERROR", "compound_statement"})]


def test_matches_of_one_query_over_one_node_are_found_once_and_stay_right_per_tree():
    q = query("call_results")
    first = parse(b"void f(void)\n{\n\tp = kmalloc(4, GFP_KERNEL);\n}\n")
    again = matches(q, first.root_node)
    assert [text(m["fn"]) for m in again] == ["kmalloc"]
    assert matches(q, first.root_node) is not again                      # a list of one's own
    assert [m["site"] for m in matches(q, first.root_node)] == [m["site"] for m in again]
    other = parse(b"void f(void)\n{\n\tq = kzalloc(4, GFP_KERNEL);\n}\n")
    assert [text(m["fn"]) for m in matches(q, other.root_node)] == ["kzalloc"]


def test_any_of_finds_the_names_in_source_bytes():
    from reviewbot.csyntax import any_of

    names = any_of({"kmalloc", "kmalloc_array", "a.b"})
    assert names.search(b"x = kmalloc_array(n, 4);")
    assert not names.search(b"x = kzalloc(4); y = aXb;")


def test_any_of_skips_the_pattern_only_where_no_name_can_be():
    """The common-part scan in front of the pattern changes no answer."""
    import re

    from reviewbot.csyntax import any_of

    for names in ({"kmalloc", "kzalloc", "vmalloc_array"}, {"copy_to_user", "clear_user"}, {"a", "b"}, {"x.y"},
                  {"kmalloc"}, set()):
        found = any_of(names)
        assert all(found.common in n.encode() for n in names)
        alone = re.compile("|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n))).encode())
        for src in (b"", b"p = kmalloc(4);", b"alloc", b"clear_usr(x)", b"copy_to_user", b"b", b"xzy x.y",
                    b"kvmalloc_array", b"vmalloc_arra"):
            hit, expected = found.search(src), alone.search(src)
            assert (hit and hit.span()) == (expected and expected.span()), (names, src)


BUNDLED = """int f(struct dev *d)
{
\tstruct x *p = kzalloc(8, GFP_KERNEL), *q = (struct x *)kmalloc(4, GFP_KERNEL);
\tint r;

\tif (!p || q == NULL)
\t\treturn -ENOMEM;
\td->a[2] = devm_ioremap(d, 0);
\t*d->b = get(d);
\twhile (p && (r = read(p)) != 0)
\t\tp = next(p, d->c = find(d));
\tfor (; p; p = p->next)
\t\tdo { d->e = x ? alloc(1) : NULL; } while (!(q));
\treturn IS_ERR_OR_NULL(p) ? -EINVAL : r;
}
"""


def test_bundled_queries_match_as_each_query_alone():
    """The queries compiled into one bundle find, each, what the query alone finds, in its order."""
    import tree_sitter

    from reviewbot.csyntax import BUNDLE, Part, _source, language

    for src in (BUNDLED, WINDOW, NESTED):
        root = parse(src.encode()).root_node
        for name in BUNDLE:
            assert isinstance(query(name), Part)
            alone = tree_sitter.Query(language(), _source(name, "reviewbot.rules"))
            expected = [{k: v[0] for k, v in caps.items()} for _, caps in tree_sitter.QueryCursor(alone).matches(root)]
            assert matches(query(name), root) == expected, (name, src)
            assert expected or src != BUNDLED


def test_shared_walk_finds_each_type_set_as_a_plain_recursion():
    from reviewbot.csyntax import SHARED_TYPES

    for src in (BUNDLED, WINDOW, NESTED, "int f(void) { if (a) { } else for (;;) ; while (b) do { } while (c); }\n"):
        root = parse(src.encode()).root_node
        for types in ({"if_statement"}, {"if_statement", "for_statement", "while_statement"},
                      {"compound_statement", "ERROR"}, SHARED_TYPES):
            assert [n.id for n in walk(root, types)] == [n.id for n in _preorder(root, set(types))], (types, src)


def _identifiers_walked(node, name: bytes, after: int):
    """What identifiers_named promises, spelt out: a walk over every node."""
    return [n for n in _preorder(node, {"identifier"}) if n.start_byte >= after and n.text == name]


def test_identifiers_named_finds_what_a_walk_finds():
    src = BUNDLED + "/* p q */ char *s = \"p\"; int pp, p_, _p; void g(void) { pp = p + q->p; }\n"
    tree = parse(src.encode())
    for node in [tree.root_node] + list(walk(tree.root_node, {"function_definition", "compound_statement"})):
        for name in (b"p", b"q", b"d", b"pp", b"r", b"NULL", b"nothing", b""):
            for after in (0, node.start_byte + 5, node.start_byte + 80, node.end_byte):
                assert [n.id for n in identifiers_named(node, name, after)] == \
                    [n.id for n in _identifiers_walked(node, name, after)], (name, after)


ODD = """\tunsigned int duty_cycle;
};

#define PWM_WFHWSIZE 20

/**
 * struct pwm_ops - PWM controller operations
 * @request: optional hook for requesting a PWM
 *			nvmem_add_one_cell().
 */
struct rfkill_ops {
\tint\t(*set_block)(void *data, bool blocked);
};

#if defined(CONFIG_RFKILL_FULL) || defined(CONFIG_RFKILL_FULL_MODULE)
static int g(struct x *p)
{
\tlist_for_each_entry(p, &head, list) {
\t\tif (x) { y(); } else
\t\t\tz = (struct q *)p->r[2];
\t}
\tdo { w--; } while (w);
\treturn p ? 0 : -EINVAL;
}
#endif
#define ERRS \\
\tC(A, -ENXIO, "x"),\t\\
\tC(B, -ENXIO, "y"),\t\t\\
\t\t\t"(bio completion)", &__key, 0);\t\t\t\\
\t__disk;\t\t\t\t\t\t\t\t\\
"""


def test_walk_keeps_pre_order_in_cut_and_damaged_text():
    """Windows cut anywhere out of odd text, and copies with bytes dropped, make ERROR nodes
    around ERROR nodes of the same range and empty ones: `walk` must still give the order of a
    plain recursion (tree-sitter's own list, sorted, or the walk it falls back to)."""
    import random

    import tree_sitter

    from reviewbot.csyntax import SHARED_TYPES, _in_preorder, _types_pattern, language

    lines = (ODD + NESTED + BUNDLED + WINDOW).split("\n")
    rng = random.Random(5)
    sources = ["\n".join(lines[a:b]) + "\n" for a in range(0, len(lines), 3) for b in range(a + 1, len(lines), 4)]
    sources += ["".join(c for c in src if rng.random() > 0.03) for src in sources[::3]]
    shared = tree_sitter.Query(language(), _types_pattern(SHARED_TYPES))
    tied = empty = 0
    for src in sources:
        root = parse(src.encode()).root_node
        found = tree_sitter.QueryCursor(shared).captures(root).get("node", [])
        ranges = [(n.start_byte, n.end_byte) for n in found]
        tied += len(set(ranges)) != len(ranges)
        empty += any(s == e for s, e in ranges)
        expected = _preorder(root, SHARED_TYPES)
        ordered = _in_preorder(found)
        assert ordered is None or [n.id for n in ordered] == [n.id for n in expected], src
        for types in (SHARED_TYPES, {"compound_statement", "ERROR"}, {"if_statement"}, {"ERROR"}):
            assert [n.id for n in walk(root, types)] == [n.id for n in _preorder(root, set(types))], (types, src)
    assert tied and empty   # the inputs do hold the cases the ranges alone cannot order


def test_bundle_matches_of_a_function_picked_from_the_whole_tree_are_those_run_under_it():
    """A whole file's functions take their matches out of those of the whole tree: the same
    matches, in the same order, as the bundle run under the function alone."""
    import random

    import tree_sitter

    from reviewbot.csyntax import BUNDLE, _bundle, walk

    many = BUNDLED + "\n" + NESTED + "\n" + ODD + "\nint h(void) { struct x *p = kzalloc(1, 2); if (!p) return 0; }\n" \
        + "static void *k(void)\n{\n\treturn p ? q : NULL;\n}\n"
    lines = many.split("\n")
    rng = random.Random(8)
    sources = [many] + ["\n".join(lines[a:b]) + "\n" for a in range(0, len(lines), 5) for b in range(a + 8, len(lines), 9)]
    sources += ["".join(c for c in src if rng.random() > 0.02) for src in sources[::2]]
    bundle = _bundle()[BUNDLE[0]].bundle
    picked = 0
    for src in sources:
        root = parse(src.encode()).root_node
        matches(query(BUNDLE[0]), root)          # the whole tree's, as the walks find them first
        for unit in walk(root, {"function_definition", "ERROR"}):
            if unit == root:
                continue
            for name in BUNDLE:
                part = query(name)
                alone = [{k: v[0] for k, v in caps.items()} for i, caps in tree_sitter.QueryCursor(bundle).matches(unit)
                         if part.first <= i < part.end]
                assert matches(part, unit) == alone, (name, unit.type, src)
                picked += bool(alone)
    assert picked
