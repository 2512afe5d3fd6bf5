"""Man pages and bash completion of negcap and negprobe.

  docs.py man NEGCAP NEGPROBE DOCDIR
      `man -l` renders each page (NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS,
      EXAMPLES, FILES, ENVIRONMENT, SEE ALSO), every option in `--help` is an item of
      the page's OPTIONS, and every item there is in `--help`.
  docs.py completion NEGCAP NEGPROBE COMPLETION_FILE
      sources the completion in bash: `-` offers exactly the options of `--help`,
      `--ht` completes to --html, `-i l` offers the loopback interface, and
      `negprobe --mech k` offers kerberos.

Exit 77 (skipped) when man or bash is missing and we are not root; root (which can
install them, see .ci/install-deps) or NEGSCOPE_REQUIRE_TOOLS=1 make that a failure.
"""
import os
import re
import shutil
import subprocess

from golden import dispatch, fail, require_tool, run

SECTIONS = ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "EXAMPLES", "FILES",
            "ENVIRONMENT", "SEE ALSO")
OPT = re.compile(r"(?<![\w/-])(--?[A-Za-z][\w-]*)")
# negprobe's --help does not list these; the man page and the completion may.
ALWAYS = {"-h", "--help", "-V", "--version"}


def help_options(prog):
    rc, out, err = run([prog, "--help"])
    if rc != 0:
        fail("%s --help exited %d" % (prog, rc))
    return set(OPT.findall(out))


def render(page):
    env = dict(os.environ, MANWIDTH="200", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="",
               PAGER="cat", MANPAGER="cat")
    p = subprocess.run(["man", "-l", page], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=60)
    text = p.stdout.decode("utf-8", "replace")
    text = re.sub(".\b", "", text).replace("\u2010", "-").replace("\u2212", "-")
    if p.returncode != 0 or not text.strip():
        fail("man -l %s exited %d: %s" % (page, p.returncode, p.stderr.decode()[:300]))
    return text


def sections(text):
    """{heading: lines} of a rendered page (headings start in column 0)."""
    out, cur = {}, None
    for line in text.splitlines():
        if re.match(r"^[A-Z][A-Z ]+$", line):
            cur = line.strip()
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return out


def check_page(prog, page):
    name = os.path.basename(prog)
    secs = sections(render(page))
    for s in SECTIONS:
        if s not in secs:
            fail("%s: no %s section" % (page, s))
    if not any(name in l for l in secs.get("NAME", [])):
        fail("%s: NAME does not name %s" % (page, name))
    # Items of OPTIONS: lines indented as a .TP tag (7 columns) that start with a dash.
    items = set()
    for line in secs.get("OPTIONS", []):
        if re.match(r"^ {7}-", line):
            items.update(OPT.findall(line))
    helps = help_options(prog)
    for o in sorted(helps - items):
        fail("%s: option %s of --help is not in the man page's OPTIONS" % (name, o))
    for o in sorted(items - helps - ALWAYS):
        fail("%s: the man page documents %s, which --help does not list" % (name, o))
    print("ok %s: %d options in --help and the man page" % (name, len(items)))
    return items


def complete(script, words):
    """The words bash's completion function offers for a command line (last word = cur)."""
    fn = "_" + os.path.basename(words[0])
    quoted = " ".join("'%s'" % w.replace("'", "'\\''") for w in words)
    prog = ("source '%s' || exit 9; COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE=\"${COMP_WORDS[*]}\"; "
            "%s; printf '%%s\\n' \"${COMPREPLY[@]}\"" % (script, quoted, len(words) - 1, fn))
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        fail("completion %s: bash exited %d: %s" % (words, p.returncode, p.stderr.decode()[:300]))
    return set(w for w in p.stdout.decode().split("\n") if w)


def check_completion(negcap, negprobe, script):
    for prog in (negcap, negprobe):
        name = os.path.basename(prog)
        offered = complete(script, [name, "-"])
        helps = help_options(prog)
        for o in sorted(helps - offered):
            fail("completion of %s does not offer %s (in --help)" % (name, o))
        for o in sorted(offered - helps - ALWAYS):
            fail("completion of %s offers %s, which --help does not list" % (name, o))
    got = complete(script, ["negcap", "-r", "x.pcap", "--ht"])
    if got != {"--html"}:
        fail("negcap --ht completes to %s, want --html" % sorted(got))
    if os.path.isdir("/sys/class/net/lo"):
        got = complete(script, ["negcap", "-i", "l"])
        if "lo" not in got:
            fail("negcap -i l offers %s, want lo among them" % sorted(got))
        got = complete(script, ["negprobe", "--capture", ""])
        if "lo" not in got:
            fail("negprobe --capture offers %s, want lo among them" % sorted(got))
    got = complete(script, ["negprobe", "--mech", "k"])
    if got != {"kerberos"}:
        fail("negprobe --mech k completes to %s, want kerberos" % sorted(got))
    print("ok completion")


def cmd_man(negcap, negprobe, docdir):
    require_tool("man", shutil.which("man"))
    for prog, page in ((negcap, "negcap.1"), (negprobe, "negprobe.1")):
        check_page(prog, os.path.join(docdir, page))


def cmd_completion(negcap, negprobe, script):
    require_tool("bash", shutil.which("bash"))
    check_completion(negcap, negprobe, script)


def main():
    dispatch(__doc__, {"man": (3, cmd_man), "completion": (3, cmd_completion)})


if __name__ == "__main__":
    main()
