#!/usr/bin/env bash
# Checks C++ files against .clang-format with `clang-format --dry-run -Werror`, and names the
# files that differ. Existing code is not reformatted, so a change is held to the style only in
# the lines it touches.
# Usage: scripts/check-format.sh [--base REV]   the lines changed between REV and HEAD
#        scripts/check-format.sh FILE...        whole files, as they are in the working tree
# REV defaults to the merge-base of HEAD and origin/main where there is such a ref (the commits
# not yet on origin/main), else HEAD~1 (the last commit). The committed text (HEAD) is checked,
# not the working tree. `git clang-format REV` (Debian's clang-format package has it) formats
# the lines changed since REV. CLANG_FORMAT names the binary (default clang-format; the style
# is written for Debian 12's clang-format 14).
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=${CLANG_FORMAT:-clang-format}
command -v "$clang_format" >/dev/null || { echo "check-format: $clang_format not found (apt install clang-format)" >&2; exit 2; }

is_cxx() { case "$1" in *.cpp | *.hpp | *.h | *.cc | *.cxx | *.hxx) return 0 ;; *) return 1 ;; esac; }

failed=()
base=""
if [ $# -ge 1 ] && [ "$1" = "--base" ]; then
  [ $# -eq 2 ] || { echo "usage: $0 [--base REV] | FILE..." >&2; exit 2; }
  base=$2
  shift 2
fi

if [ $# -gt 0 ]; then
  for f in "$@"; do
    [ -f "$f" ] || { echo "check-format: no file $f" >&2; exit 2; }
    "$clang_format" --dry-run -Werror "$f" || failed+=("$f")
  done
else
  if [ -z "$base" ]; then
    if git rev-parse -q --verify origin/main >/dev/null; then
      base=$(git merge-base HEAD origin/main)
    elif git rev-parse -q --verify HEAD~1 >/dev/null; then
      base=$(git rev-parse HEAD~1)
    else
      echo "check-format: no base commit (one commit, or a shallow clone); nothing checked"
      exit 0
    fi
  fi
  git rev-parse -q --verify "$base^{commit}" >/dev/null || { echo "check-format: no commit $base" >&2; exit 2; }
  checked=0
  while IFS= read -r f; do
    is_cxx "$f" || continue
    # The line ranges of HEAD's text that the change added or modified: "@@ -a,b +c,d @@".
    lines=()
    while IFS= read -r hunk; do
      range=${hunk#*+}
      range=${range%% *}
      first=${range%,*}
      count=1
      [ "$range" != "$first" ] && count=${range#*,}
      [ "$count" -gt 0 ] && lines+=("--lines=$first:$((first + count - 1))")
    done < <(git diff -U0 --no-color "$base" HEAD -- "$f" | grep '^@@ ')
    [ ${#lines[@]} -gt 0 ] || continue
    checked=$((checked + 1))
    git show "HEAD:$f" | "$clang_format" --dry-run -Werror --assume-filename="$f" "${lines[@]}" || failed+=("$f")
  done < <(git diff --name-only --no-renames --diff-filter=AM "$base" HEAD)
  echo "check-format: $checked C++ file(s) changed since $(git rev-parse --short "$base")"
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "check-format: not formatted as .clang-format says (clang-format's messages above show where):" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "check-format: ok"
