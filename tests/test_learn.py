"""`reviewbot learn`: mining a (scratch) kernel tree for NULL- and ERR_PTR-returning functions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import run_cli
from reviewbot import learn
from reviewbot.knowledge import parse_facts

LIB = """\
// SPDX-License-Identifier: GPL-2.0
#include <linux/err.h>

void *my_alloc(size_t n, gfp_t gfp)
{
	if (!n)
		return NULL;
	return real_alloc(n, gfp);
}

/* A wrapper: whatever my_alloc() returns, NULL included. */
void *my_zalloc(size_t n, gfp_t gfp)
{
	return my_alloc(n, gfp | __GFP_ZERO);
}

void *my_dup(const void *src, size_t n, gfp_t gfp)
{
	void *p;

	p = my_alloc(n, gfp);
	if (p)
		memcpy(p, src, n);
	return p;
}

/* Turns the NULL into an error pointer: never NULL. */
void *my_alloc_or_err(size_t n)
{
	void *p = my_alloc(n, GFP_KERNEL);

	if (!p)
		return ERR_PTR(-ENOMEM);
	return p;
}

struct thing *thing_get(int id)
{
	if (id < 0)
		return ERR_PTR(-EINVAL);
	if (!id)
		return NULL;
	return &things[id];
}

/**
 * thing_lookup - find a thing
 * @id: its number
 *
 * Return: the thing, or %NULL if there is none.
 */
struct thing *thing_lookup(int id)
{
	return xa_load(&things_xa, id);
}

/**
 * thing_first - the first thing
 *
 * Return: the first thing, never NULL.
 */
struct thing *thing_first(void)
{
	/* an empty table would return NULL; there is none */
	return &things[0];
}

struct thing *thing_find(const char *name)
{
	struct thing *found = NULL;
	int i;

	for (i = 0; i < NR_THINGS; i++) {
		if (!strcmp(things[i].name, name)) {
			found = &things[i];
			break;
		}
	}
	return found;
}

struct thing *thing_make(void)
{
	struct thing *t = NULL;

	t = make_one();
	return t;
}

int thing_count(void)
{
	return 0;
}

/* Returns the pointer only when it is set: an ERR_PTR otherwise, never NULL. */
struct thing *thing_new(const char *name)
{
	struct thing *t = ERR_PTR(-ENOENT);

	t = thing_lookup(0);
	if (t) {
		t->name = name;
		return t;
	}
	return ERR_PTR(-ENOMEM);
}

/* The NULL "for static analyzers" is overwritten in a block that always runs. */
struct thing *thing_locked(int id)
{
	struct thing *t = NULL;

	scoped_guard(mutex, &things_lock) {
		t = &things[id];
	}
	return t;
}

/* Error pointers are filtered out (`!IS_ERR(p)`), NULL is returned. */
void *thing_map(int id)
{
	void *p;

	p = thing_get(id);
	if (p && !IS_ERR(p))
		return p;
	return NULL;
}
"""

HEADER = """\
/* SPDX-License-Identifier: GPL-2.0 */
#define my_kzalloc(n) my_zalloc(n, GFP_KERNEL)
#define my_string(s) ((char *)my_dup(s, strlen(s) + 1, GFP_KERNEL))

#ifdef CONFIG_THINGS
struct thing *thing_peek(int id);
struct thing *thing_poke(int id);
#else
static inline struct thing *thing_peek(int id) { return NULL; }
static inline struct thing *
thing_poke(int id)
{ return NULL; }
#endif
"""

PEEK = """\
struct thing *thing_peek(int id)
{
	return &things[id];
}

struct thing *thing_poke(int id)
{
	return &things[id];
}
"""

CALLERS = """\
// SPDX-License-Identifier: GPL-2.0
static int a(void)
{
	struct foo *f;

	f = my_alloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->x = 1;
	return 0;
}

static int b(struct bar *bar)
{
	bar->buf = my_alloc(16, GFP_KERNEL);
	if (bar->buf == NULL)
		return -ENOMEM;
	bar->buf[0] = 0;
	return 0;
}

static int c(void)
{
	char *p = my_alloc(16, GFP_KERNEL);

	if (unlikely(!p))
		return -ENOMEM;
	return use(p);
}

static int d(void)
{
	struct foo *f = my_alloc(sizeof(*f), GFP_KERNEL);

	f->x = 2;
	return 0;
}

static int e(void)
{
	struct thing *t;

	t = thing_get(3);
	if (IS_ERR(t))
		return PTR_ERR(t);
	for (t = thing_lookup(0); t; t = thing_lookup(t->next))
		count++;
	return t->x;
}

static int f(void)
{
	void *p;

	if (!(p = my_zalloc(8, GFP_KERNEL)))
		return -ENOMEM;
	return 0;
}
"""

STATIC_A = """\
static struct node *get_node(int i)
{
	if (i > 4)
		return NULL;
	return &nodes[i];
}
"""


def scratch_tree(root: Path) -> Path:
    files = {
        "lib/mylib.c": LIB,
        "include/linux/mylib.h": HEADER,
        "kernel/peek.c": PEEK,
        "drivers/foo/callers.c": CALLERS,
        "drivers/foo/nodes.c": STATIC_A,
        "tools/lib/userspace.c": "void *my_alloc(int n)\n{\n\treturn ERR_PTR(-1);\n}\n",
        "Documentation/example.c": "void *doc_alloc(int n)\n{\n\treturn NULL;\n}\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return scratch_tree(tmp_path_factory.mktemp("linux"))


@pytest.fixture(scope="module")
def facts(tree):
    _, facts = learn.learn(tree, jobs=1)
    return facts


def test_body_return_null(facts):
    f = facts["my_alloc"]
    assert f.returns == "null"
    assert "lib/mylib.c:4" in f.evidence and "return NULL" in f.evidence


def test_wrappers_to_a_fixed_point(facts):
    assert facts["my_zalloc"].returns == "null"
    assert facts["my_zalloc"].evidence.startswith("chain: my_alloc")
    assert facts["my_dup"].returns == "null"          # `if (p) memcpy(...)` does not handle the failure
    assert facts["my_kzalloc"].returns == "null"      # a macro that is one call
    assert facts["my_string"].returns == "null"       # through a cast


def test_a_null_test_turned_into_an_error_pointer(facts):
    assert facts["my_alloc_or_err"].returns == "err_ptr"


def test_both(facts):
    assert facts["thing_get"].returns == "null_or_err_ptr"


def test_kernel_doc(facts):
    assert facts["thing_lookup"].returns == "null"
    assert facts["thing_lookup"].evidence.startswith('kdoc: "Return: the thing, or %NULL')
    assert "thing_first" not in facts      # "never NULL", and the `return NULL` is in a comment


def test_returned_variable(facts):
    assert facts["thing_find"].returns == "null"      # the list search: `found = NULL; ... return found;`
    assert "thing_make" not in facts                  # the initial NULL is always overwritten
    assert "thing_count" not in facts                 # `return 0` of an int function


def test_config_stub_counts_only_without_a_real_definition(facts):
    assert "thing_peek" not in facts
    assert "thing_poke" not in facts


def test_what_a_returned_variable_can_hold(facts):
    assert facts["thing_new"].returns == "err_ptr"    # `if (t) { ...; return t; }`
    assert "thing_locked" not in facts                # scoped_guard() always runs its block
    assert facts["thing_map"].returns == "null"       # `if (p && !IS_ERR(p)) return p;`


def test_user_space_and_documentation_are_skipped(facts):
    assert facts["my_alloc"].returns == "null"        # tools/lib's my_alloc returns ERR_PTRs
    assert "doc_alloc" not in facts


def test_call_sites(facts):
    f = facts["my_alloc"]
    # a, b, c test (c through unlikely()), d dereferences first; my_dup's `if (p)` and
    # my_alloc_or_err's `if (!p)` are tests too.  a, b and d dereference.
    assert (f.sites, f.checked, f.derefs, f.deref_checked) == (6, 0.83, 3, 0.67)
    assert f.err_checked == 0.0
    g = facts["thing_get"]
    assert (g.sites, g.err_checked, g.checked) == (2, 1.0, 0.5)   # e() tests IS_ERR, thing_map() both
    # the `for` loop is iteration, not a call site (thing_new's is one); the `if (!(p = ...))` is
    # one, tested
    assert (facts["thing_lookup"].sites, facts["thing_lookup"].checked) == (1, 1.0)
    assert (facts["my_zalloc"].sites, facts["my_zalloc"].checked) == (1, 1.0)


def test_static_functions_name_their_file(facts):
    assert facts["get_node"].file == "drivers/foo/nodes.c"
    assert facts["my_alloc"].file == ""


def test_mask_keeps_offsets():
    src = 'a = "/* x */"; /* c\nd */ b; // e\n'
    masked = learn.mask(src)
    assert len(masked) == len(src) and masked.count("\n") == src.count("\n")
    assert "x" not in masked and "c" not in masked and "e" not in masked and "b;" in masked


def test_kdoc_negation():
    assert learn.kdoc_says("/**\n * Return: a pointer, never NULL.\n */")[0] is None
    assert learn.kdoc_says("/**\n * Return: non-NULL on success.\n */")[0] is None
    assert learn.kdoc_says("/**\n * @p: may be NULL\n *\n * Return: 0.\n */")[0] is None
    null, err = learn.kdoc_says("/**\n * Returns the object, NULL if absent or an ERR_PTR() on error.\n */")
    assert null and err


def test_cli_writes_the_database(tree, tmp_path):
    out = tmp_path / "null.tsv"
    run = run_cli("learn", "--tree", str(tree), "--output", str(out), "--jobs", "1")
    assert run.status == 0, run.err
    assert "learned" in run.err and "wrote" in run.err
    text = out.read_text()
    assert text.startswith("# Mined by `reviewbot learn")
    facts = parse_facts(text)
    assert facts["my_alloc"].returns == "null" and facts["my_alloc"].sites == 6
    assert facts["my_alloc"].deref_checked == 0.67
    assert facts["my_alloc_or_err"].may_be_err_ptr and not facts["my_alloc_or_err"].may_be_null
    assert facts["get_node"].applies_to("drivers/foo/nodes.c")
    assert not facts["get_node"].applies_to("drivers/bar/nodes.c")


def test_cli_min_sites_and_merge(tree, tmp_path):
    hand = tmp_path / "hand.tsv"
    hand.write_text(textwrap.dedent("""\
        function\treturns\tchecked\tsites\tevidence
        my_alloc\terr_ptr\t\t\tdisagrees, but the mining wins
        old_alloc\tnull\t0.95\t20\tbody: `return NULL` (lib/old.c:3)
    """))
    run = run_cli("learn", "--tree", str(tree), "--min-sites", "1", "--merge", str(hand), "-j", "1")
    assert run.status == 0, run.err
    facts = parse_facts(run.out)
    assert facts["my_alloc"].returns == "null"
    assert facts["old_alloc"].evidence == "hand: body: `return NULL` (lib/old.c:3)"
    assert "thing_find" not in facts                  # no call site
    assert "my_zalloc" in facts


def test_cli_errors(tmp_path):
    run = run_cli("learn", "--tree", str(tmp_path / "nowhere"))
    assert run.status == 2 and "not a directory" in run.err
    run = run_cli("learn", "--tree", str(tmp_path))
    assert run.status == 2 and "no .c or .h files" in run.err
    run = run_cli("learn")
    assert run.status == 2 and "--tree" in run.err


USES_FOO_FIND = b"""From: A <a@example.org>
Subject: [PATCH] foo: use foo_find

Signed-off-by: A <a@example.org>
---
diff --git a/drivers/foo/foo.c b/drivers/foo/foo.c
--- a/drivers/foo/foo.c
+++ b/drivers/foo/foo.c
@@ -1,2 +1,8 @@
 #include <linux/foo.h>
+
+int foo_size(const char *name)
+{
+	struct foo *f = foo_find(name);
+	return f->size;
+}
 
"""

FOO_DB = ("# Mined by `reviewbot learn --tree vendor`\n"
          "function\treturns\tchecked\tsites\terr_checked\tderefs\tderef_checked\tfile\tevidence\n"
          "foo_find\tnull\t0.97\t40\t\t30\t1.00\t\tbody: `return NULL` (drivers/foo/core.c:12)\n")


def test_check_uses_a_learned_database_instead_of_the_built_in_one(tmp_path):
    db = tmp_path / "vendor.tsv"
    db.write_text(FOO_DB)
    args = ("check", "--no-config", "--no-tree", "--select", "unchecked-null-return", "-")
    assert run_cli(*args, stdin=USES_FOO_FIND).status == 0          # foo_find is not a 6.12 function
    run = run_cli(*args[:-1], "--knowledge", str(db), "-", stdin=USES_FOO_FIND)
    assert run.status == 1 and "foo_find()" in run.out, run.out + run.err
    (tmp_path / ".reviewbot.toml").write_text('knowledge = "vendor.tsv"\n')   # relative to the config file
    sub = tmp_path / "sub"
    sub.mkdir()
    run = run_cli("check", "--no-tree", "--select", "unchecked-null-return", "-", stdin=USES_FOO_FIND, cwd=sub)
    assert run.status == 1 and "foo_find()" in run.out, run.out + run.err


def test_a_bad_knowledge_file_is_one_line_and_status_2(tmp_path):
    args = ("check", "--no-config", "--no-tree", "--knowledge")
    run = run_cli(*args, str(tmp_path / "missing.tsv"), "-", stdin=USES_FOO_FIND)
    assert run.status == 2 and run.err.count("\n") == 1 and "missing.tsv" in run.err
    bad = tmp_path / "bad.tsv"
    bad.write_text("name\tvalue\nfoo\t1\n")
    run = run_cli(*args, str(bad), "-", stdin=USES_FOO_FIND)
    assert run.status == 2 and "not a knowledge database" in run.err and run.err.count("\n") == 1
    bad.write_text("function\treturns\nfoo_find\tmaybe\n")
    run = run_cli(*args, str(bad), "-", stdin=USES_FOO_FIND)
    assert run.status == 2 and "unknown `returns` value" in run.err
    (tmp_path / ".reviewbot.toml").write_text("knowledge = 3\n")
    run = run_cli("check", "--no-tree", "-", stdin=USES_FOO_FIND, cwd=tmp_path)
    assert run.status == 2 and "knowledge" in run.err


def test_what_learn_writes_can_be_read_back(tree, tmp_path):
    from reviewbot.knowledge import from_file

    out = tmp_path / "null.tsv"
    assert run_cli("learn", "--tree", str(tree), "-o", str(out), "-j", "1").status == 0
    knowledge = from_file(str(out))
    assert knowledge.facts["my_alloc"].returns == "null"
