#!/usr/bin/env python3
"""check_text.py: every `llmwatch COMMAND [SUBCOMMAND]` that a text of the
repository names exists in the binary's command table, every page a
template links to exists in the web app's route table, and every file of
the repository a document names in code (`app/page_sla.c`) exists.

Usage: check_text.py ROOT HELP_FILE ROUTES_FILE
  HELP_FILE    what `llmwatch help` printed (lines "  llmwatch NAME usage...")
  ROUTES_FILE  one route pattern per line ("/models/{id}")
Prints "ok - ..." / "not ok - ..." lines (one per file checked) and the
offending mentions with file:line.
"""
import os
import re
import sys

root, help_file, routes_file = sys.argv[1:4]

# ---- the command table, from `llmwatch help` ------------------------------
commands = {}          # name -> set of subcommands ({} when it takes none)
for line in open(help_file, encoding="utf-8"):
    m = re.match(r"\s+llmwatch (\S+)(.*)", line)
    if not m:
        continue
    name, rest = m.group(1), m.group(2)
    subs = set()
    # "baseline create ... | report ...": bare words after the name or a '|'
    for part in re.split(r"\s\|\s", " " + rest):
        w = re.match(r"\s*([a-z][a-z-]*)\b(?!\.)", part)
        if w and not part.strip().startswith("("):
            subs.add(w.group(1))
    commands.setdefault(name, set()).update(subs)
# words that are not subcommands even though a usage line starts with them
# are harmless: a mention is checked only against commands that have some
for name in ("help", "version"):
    commands.setdefault(name, set())

routes = [l.strip() for l in open(routes_file, encoding="utf-8") if l.strip()]
# each route with its parameters filled in, as a link would show it
route_paths = [re.sub(r"\{[a-z_]+\}", "1", r) for r in routes]

problems = []


def check_mention(path, lineno, cmd, sub):
    if cmd not in commands:
        problems.append(f"{path}:{lineno}: `llmwatch {cmd}` is not a command")
        return
    subs = commands[cmd]
    # a second word that is a bare word must be a subcommand when the
    # command has subcommands (`user token`, `baseline report`)
    if sub and subs and sub not in subs:
        problems.append(f"{path}:{lineno}: `llmwatch {cmd} {sub}` is not a subcommand "
                        f"(known: {', '.join(sorted(subs))})")


# a path inside the repository, as documents name files
REPO_PATH = re.compile(r"^(app|lib|worker|templates|sql|docs|tests|scripts|nginx|static|sim)/[\w./-]*\w$")

MENTION = re.compile(r"(?<![\w/-])(?:[\w.@$/-]*/)?llmwatch ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?")


def scan_text(path, text, only_code):
    for lineno, line in enumerate(text.split("\n"), 1):
        spans = [line]
        if only_code:
            spans = code_spans.get(lineno, [])
        for s in spans:
            for m in MENTION.finditer(s):
                check_mention(path, lineno, m.group(1), m.group(2))


def markdown_code(text):
    """{lineno: [code text...]}: fenced blocks and `inline` spans."""
    out = {}
    fenced = False
    for lineno, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            out.setdefault(lineno, []).append(line)
        else:
            out.setdefault(lineno, []).extend(re.findall(r"`([^`]+)`", line))
    return out


checked = 0
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = [d for d in dirnames if d not in (".git", "build", "build-san", "var", "node_modules")]
    rel = os.path.relpath(dirpath, root)
    for fn in sorted(filenames):
        path = os.path.normpath(os.path.join(rel, fn))
        full = os.path.join(dirpath, fn)
        before = len(problems)
        if fn.endswith(".md"):
            text = open(full, encoding="utf-8").read()
            code_spans = markdown_code(text)
            scan_text(path, text, True)
            # (fixtures cite files of other repositories)
            for lineno, spans in (code_spans.items() if not path.startswith("tests/fixtures") else ()):
                for span in spans:
                    for word in re.findall(r"[\w./*<>{}-]+", span):
                        if not REPO_PATH.match(word) or re.search(r"[*<>{}]", word):
                            continue
                        if not os.path.exists(os.path.join(root, word.rstrip("."))):
                            problems.append(f"{path}:{lineno}: names {word}, which is not in the repository")
            # README's command table: | `name ...` | what it does |
            if fn == "README.md" and rel == ".":
                for lineno, line in enumerate(text.split("\n"), 1):
                    m = re.match(r"\|\s*`([a-z][a-z-]*)[ `]", line)
                    if m and m.group(1) not in ("make",) and "/" not in m.group(1):
                        for alt in re.findall(r"`([a-z][a-z-]*)", line.split("|")[1]):
                            check_mention(path, lineno, alt, None)
        elif fn.endswith(".cs"):
            text = open(full, encoding="utf-8").read()
            scan_text(path, text, False)
            for lineno, line in enumerate(text.split("\n"), 1):
                for href in re.findall(r'href="(/[^"]*)"', line):
                    # a template expression in a path stands for any value
                    href = re.sub(r"<\?cs.*?\?>", "\0", href).split("?")[0].split("#")[0]
                    parts = href.split("\0")
                    href_re = re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "$")
                    if href.startswith("/static/"):
                        continue
                    if not any(href_re.match(p) for p in route_paths):
                        problems.append(f"{path}:{lineno}: link to {href}, which no route serves")
        elif fn.endswith((".service.in", ".timer.in", ".service", ".timer")):
            for lineno, line in enumerate(open(full, encoding="utf-8"), 1):
                if line.startswith("ExecStart="):
                    m = re.search(r"/llmwatch ([a-z][a-z-]*)", line)
                    if m:
                        check_mention(path, lineno, m.group(1), None)
        else:
            continue
        checked += 1
        if len(problems) == before:
            print(f"ok - text names only what exists: {path}")
        else:
            print(f"not ok - text names what does not exist: {path}")
            for p in problems[before:]:
                print(f"#   {p}")

if checked == 0:
    print("not ok - no text file was checked")
