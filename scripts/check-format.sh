#!/usr/bin/env bash
# Checks that every tracked C/C++ file (*.cc, *.h) is formatted as .clang-format says.
#   scripts/check-format.sh          exit 0 when all are, else list them and exit 1
#   scripts/check-format.sh --fix    reformat those files in place (clang-format -i)
# Needs clang-format (Debian 12: clang-format 14; scripts/setup.sh installs it).
# CLANG_FORMAT=/path/to/clang-format picks another binary.
set -euo pipefail
cd "$(dirname "$0")/.."

fix=0
case "${1:-}" in
"") ;;
--fix) fix=1 ;;
-h | --help)
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
*)
    echo "check-format: unknown option $1 (use --fix or --help)" >&2
    exit 2
    ;;
esac

clang_format=${CLANG_FORMAT:-clang-format}
if ! command -v "$clang_format" >/dev/null 2>&1; then
    echo "check-format: $clang_format not found (apt-get install clang-format)" >&2
    exit 2
fi

if ! err=$("$clang_format" --dump-config --style=file 2>&1 >/dev/null); then
    echo "check-format: $clang_format cannot use .clang-format:" >&2
    echo "$err" >&2
    exit 2
fi

# Tracked files that exist in the work tree (a file deleted but not yet staged is skipped).
files=()
while IFS= read -r -d '' f; do
    [ -f "$f" ] && files+=("$f")
done < <(git ls-files -z -- '*.cc' '*.h')
if [ ${#files[@]} -eq 0 ]; then
    echo "check-format: no C/C++ files tracked"
    exit 0
fi

if [ "$fix" -eq 1 ]; then
    printf '%s\0' "${files[@]}" | xargs -0 -n 32 "$clang_format" -i --style=file
    echo "check-format: formatted ${#files[@]} files"
    exit 0
fi

bad=()
for f in "${files[@]}"; do
    if ! "$clang_format" --dry-run --Werror --style=file "$f" >/dev/null 2>&1; then
        bad+=("$f")
    fi
done

if [ ${#bad[@]} -eq 0 ]; then
    echo "check-format: ${#files[@]} files formatted as .clang-format says"
    exit 0
fi

echo "check-format: ${#bad[@]} of ${#files[@]} files differ from .clang-format:" >&2
printf '  %s\n' "${bad[@]}" >&2
echo "To see the changes:  $clang_format --dry-run --style=file FILE" >&2
echo "To fix them all:     scripts/check-format.sh --fix" >&2
echo "To fix one file:     $clang_format -i --style=file FILE" >&2
exit 1
