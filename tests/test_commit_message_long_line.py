"""commit-message-long-line names every long prose line (Report.also), not only the first."""

from __future__ import annotations

import json

from conftest import FIXTURES, run_cli

FIXTURE = FIXTURES / "rules" / "commit-message-long-line"

MAIL = b"""From: Jane Developer <jane@example.org>
To: linux-pwm@vger.kernel.org
Subject: [PATCH] pwm: foo: fix the period of the second channel
Date: Thu, 30 Oct 2025 09:12:10 +0100
Message-ID: <20251030081210.4711-1-jane@example.org>

If a second PWM is requested before the first is configured, configuring either fails.
This is short.
Fix that by erroring out only when the period was configured by the other channel.

[    7.395326] leds_pwm_multicolor led-controller: error -EBUSY: failed to set led PWM value
The third long prose line comes after a log block and a blank line is missing here.

Signed-off-by: Jane Developer <jane@example.org>
---
 drivers/pwm/pwm-foo.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/drivers/pwm/pwm-foo.c b/drivers/pwm/pwm-foo.c
index 9e2bbf5b4a8c..1b3f2c7f0e21 100644
--- a/drivers/pwm/pwm-foo.c
+++ b/drivers/pwm/pwm-foo.c
@@ -248,3 +248,3 @@ static int foo_apply(struct pwm_chip *chip)
 \tif (pwm->state.enabled)
-\t\treturn 0;
+\t\treturn 1;
 
"""


def _findings(run) -> list[dict]:
    data = json.loads(run.out)
    return [f for p in data["patches"] for f in p["findings"] if f["rule"] == "commit-message-long-line"]


def test_names_the_other_long_lines(tmp_path):
    path = tmp_path / "mail.patch"
    path.write_bytes(MAIL)
    run = run_cli("check", "--format", "json", str(path))
    (finding,) = _findings(run)
    assert finding["mail_line"] == 7
    assert [a["mail_line"] for a in finding["also"]] == [9]   # not the log line, nor the line in its block
    assert "(and 1 more)" in finding["message"]


def test_checkpatch_format_prints_each_place():
    run = run_cli("check", "--format", "checkpatch", str(FIXTURE / "fires_unwrapped_paragraph.patch"))
    lines = [line for line in run.out.splitlines() if "COMMIT_LOG_LONG_LINE" in line]
    assert [line.split(":")[1] for line in lines] == ["8", "9"]
