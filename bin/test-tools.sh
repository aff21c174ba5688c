#!/usr/bin/env bash
# The programs the tests drive, found or installed before `npm test` (npm runs this as `pretest`;
# .ci/run runs it too). Each line of TOOLS: Debian package, then the check that says it is there.
#   chromium               the task pane's browser tests (playwright-core drives Debian's chromium)
#   python3-openpyxl       interop tests: templates and pushed workbooks opened and saved by openpyxl
#   libreoffice-calc-nogui interop tests: the same through LibreOffice headless (soffice --convert-to)
# Missing tools are installed with apt-get when this runs as root (or with password-less sudo);
# otherwise it prints the one command to run and exits 1, so no test fails later for a missing tool.
# CREGO_SKIP_TOOL_CHECK=1 skips the check (e.g. when running one unit test file by hand).
set -uo pipefail
[ "${CREGO_SKIP_TOOL_CHECK:-}" = "1" ] && exit 0

TOOLS=(
  "chromium|command -v chromium || test -x /usr/bin/chromium"
  "python3-openpyxl|/usr/bin/python3 -c 'import openpyxl'"
  "libreoffice-calc-nogui|command -v soffice"
)

missing=()
for line in "${TOOLS[@]}"; do
  pkg="${line%%|*}"
  check="${line#*|}"
  bash -c "$check" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "npm test needs: ${missing[*]} (Debian package names; install them with your system's package manager)" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else
  echo "npm test needs: ${missing[*]}. Install them once with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing what the tests need: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null && "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
