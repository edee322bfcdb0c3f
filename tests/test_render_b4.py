"""--format b4-review: the JSON `b4 review` reads from review-perpatch-check-cmd."""

from __future__ import annotations

import json

from conftest import SEED_MBOX, require_shared, run_cli

CLEAN = b"""From: A <a@example.org>
Subject: [PATCH] x: y

Do y.

Signed-off-by: A <a@example.org>
---
diff --git a/x.c b/x.c
--- a/x.c
+++ b/x.c
@@ -1,2 +1,3 @@
 int a;
+int b;
 int c;
"""


def test_seed_is_one_object_with_details_as_a_json_list():
    require_shared()
    run = run_cli("check", "--no-tree", "--no-config", "--format", "b4-review", str(SEED_MBOX))
    doc = json.loads(run.out)
    assert set(doc) == {"tool", "status", "summary", "details"}
    assert doc["tool"] == "reviewbot" and doc["status"] == "fail"
    details = json.loads(doc["details"])
    assert {d["context"] for d in details} >= {"unchecked-null-return", "executable-source-file"}
    assert all(d["status"] in ("pass", "warn", "fail") and d["description"] for d in details)
    null = next(d for d in details if d["context"] == "unchecked-null-return")
    assert null["srcline"] == "\t\tmod = b->module;" and null["status"] == "fail"
    assert null["description"].startswith("kernel/bpf/verifier.c:3508: ")


def test_clean_patch_passes():
    run = run_cli("check", "--no-tree", "--no-config", "--select", "unchecked-null-return", "--format", "b4-review",
                  "-", stdin=CLEAN)
    doc = json.loads(run.out)
    assert doc["status"] == "pass" and doc["summary"] == "no findings" and json.loads(doc["details"]) == []
    assert run.status == 0


def test_several_patches_give_a_list():
    run = run_cli("check", "--no-tree", "--no-config", "--select", "unchecked-null-return", "--format", "b4-review",
                  "-", stdin=b"From x@y Thu Jan  1 00:00:00 1970\n" + CLEAN + b"\nFrom x@y Thu Jan  1 00:00:00 1970\n"
                  + CLEAN.replace(b"[PATCH]", b"[PATCH 2/2]"))
    doc = json.loads(run.out)
    assert isinstance(doc, list) and len(doc) == 2 and all(d["status"] == "pass" for d in doc)
