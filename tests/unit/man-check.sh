#!/bin/sh
# SPDX-License-Identifier: MIT
# Man pages: every page renders without a warning (groff -ww, and man-db's
# own check), every function the version script exports has a page in
# section 3, and the page's SYNOPSIS shows the prototype of the header.
# Usage: man-check.sh TOP
set -u
top=$1
man=$top/man
map=$top/lib/liburing-dmabuf.map
hdr=$top/lib/include/liburing_dmabuf.h
fail=0

# .so links name their target relative to man/, so render from there.
cd "$man" || exit 1

for page in man3/*.3 man4/*.4; do
	out=$( { groff -man -ww -z "$page"; \
		 man --warnings -l -Tutf8 "$page" >/dev/null; } 2>&1)
	if [ -n "$out" ]; then
		echo "$page: $out"
		fail=1
	fi
done

for fn in $(sed -n 's/^[[:space:]]*\(uring_dmabuf_[a-z0-9_]*\);.*/\1/p' "$map"); do
	page=man3/$fn.3
	if [ ! -f "$page" ]; then
		echo "$fn: exported but no $page"
		fail=1
		continue
	fi
	# The declaration: from its first line (type at column 0) to the ';'.
	proto=$(awk -v fn="$fn" '
		$0 ~ "^[a-z].*[ *]" fn "\\(" { on = 1 }
		on { buf = buf " " $0 }
		on && /;/ { print buf; exit }' "$hdr" | \
		tr '\t' ' ' | sed 's/  */ /g; s/^ //; s/;$//')
	if [ -z "$proto" ]; then
		echo "$fn: exported but not declared in $(basename "$hdr")"
		fail=1
		continue
	fi
	# The rendered SYNOPSIS, as plain text, whitespace squeezed.
	text=$(groff -man -Tascii -P-cbou "$page" 2>/dev/null | \
	       sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | tr '\n' ' ' | \
	       sed 's/  */ /g')
	case "$text" in
	*"$proto;"*) ;;
	*)
		echo "$page: SYNOPSIS lacks the prototype of the header:"
		echo "    $proto;"
		fail=1
		;;
	esac
done

if [ "$fail" = 0 ]; then
	echo "man-check: $(ls man3/*.3 man4/*.4 | wc -l) pages clean," \
	     "every exported function documented"
fi
exit "$fail"
