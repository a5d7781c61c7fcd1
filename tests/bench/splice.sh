#!/bin/sh
# SPDX-License-Identifier: MIT
# splice.sh FILE NAME [PART]: the generated part NAME of FILE, the lines
# between "<!-- bench:NAME:begin -->" and "<!-- bench:NAME:end -->".
# With PART (a file), they are replaced by PART's lines, the markers kept; a
# FILE without the markers gets them, with PART, at its end (after the line
# $SPLICE_HEADING, if set: the page's heading for the part). Without PART,
# they are printed. This is how `make bench` writes its tables into pages
# that are also written by hand (README.md), and keeps one boot's part of
# docs/benchmarks.md when the other boot rewrites the page.
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: splice.sh FILE NAME [PART]" >&2
	exit 2
fi
file=$1 name=$2
begin="<!-- bench:$name:begin -->" end="<!-- bench:$name:end -->"

if [ $# = 2 ]; then
	[ -r "$file" ] || exit 0
	awk -v b="$begin" -v e="$end" '$0 == e { p = 0 } p { print } $0 == b { p = 1 }' "$file"
	exit 0
fi
part=$3
[ -r "$part" ] || { echo "splice.sh: cannot read $part" >&2; exit 1; }
touch "$file"
if ! grep -qxF "$begin" "$file" || ! grep -qxF "$end" "$file"; then
	{
		echo
		if [ -n "${SPLICE_HEADING:-}" ]; then echo "$SPLICE_HEADING"; echo; fi
		echo "$begin"
		echo "$end"
	} >>"$file"
fi
awk -v b="$begin" -v e="$end" -v part="$part" '
	$0 == b { print; while ((getline l < part) > 0) print l; skip = 1; next }
	$0 == e { skip = 0 }
	!skip { print }' "$file" >"$file.tmp"
mv -f "$file.tmp" "$file"
