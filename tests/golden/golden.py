"""Helpers shared by the golden tests: run negcap, record failures and skipped parts."""
import os
import shutil
import subprocess

failures = []
skipped = []


def need_tool(tool, package=None):
    """True when tool is installed.  If not, the part that needs it is skipped (the test
    exits 77 at the end), or, under NEGSCOPE_REQUIRE_TOOLS=1 (.ci/install-deps installs every
    tool), it is a failure."""
    if shutil.which(tool):
        return True
    what = "%s not installed (package %s; .ci/install-deps installs it)" % (tool, package or tool)
    if os.environ.get("NEGSCOPE_REQUIRE_TOOLS") == "1":
        fail(what)
    else:
        skip(what)
    return False


def skip(why):
    skipped.append(why)
    print("SKIP: " + why)


def status():
    """Exit status: 1 on a failure, 77 (ctest: skipped) when a part could not run, else 0."""
    return 1 if failures else 77 if skipped else 0


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
