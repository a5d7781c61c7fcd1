#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every relative link of the Markdown files in the tree leads somewhere: the
# file exists and, with a #fragment, has a heading of that name (GitHub's
# anchors: lower case, spaces to '-', punctuation dropped). A page with a
# dead link must fail.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bad=0

# The anchors of Markdown file $1, one a line.
anchors() {
	sed -n 's/^#\{1,6\} \(.*\)$/\1/p' "$1" | tr '[:upper:]' '[:lower:]' |
		sed -e 's/[^a-z0-9 _-]//g' -e 's/ /-/g'
}

# The relative links of Markdown file $1, one a line (no scheme, no mailto),
# code blocks and code spans left out.
links() {
	awk '/^```/ { code = !code; next } !code { gsub(/`[^`]*`/, ""); print }' "$1" |
		grep -o '\](\([^)]*\))' | sed 's/^](\(.*\))$/\1/' |
		grep -v '^[a-z][a-z0-9+.-]*:' || :
}

# check FILE: prints a "not ok" line per dead link; returns 1 if any.
check() {
	local md=$1 dir link path frag rc=0
	dir=$(dirname "$md")
	while read -r link; do
		path=${link%%#*} frag=
		[ "$path" = "$link" ] || frag=${link#*#}
		if [ -n "$path" ]; then path=$dir/$path; else path=$md; fi
		if [ ! -e "$path" ]; then
			echo "not ok doc links: ${md#"$TOP"/}: $link: no such file"
			rc=1
		elif [ -n "$frag" ] && ! anchors "$path" | grep -qxF -- "$frag"; then
			echo "not ok doc links: ${md#"$TOP"/}: $link: no such heading"
			rc=1
		fi
	done < <(links "$md")
	return $rc
}

n=0
while read -r md; do
	n=$((n + 1))
	check "$md" || bad=1
done < <(find "$TOP" \( -name .git -o -name build \) -prune -o -name '*.md' -print | LC_ALL=C sort)
[ $bad = 0 ] && echo "ok doc links: every relative link of $n Markdown files resolves"

# Broken inputs: a dead file and a dead heading must both be caught.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '# Here\n\n[a](gone.md) [b](#there) [c](#here) [d](https://example.org/x)\n' >"$tmp/page.md"
got=$(check "$tmp/page.md")
if [ "$(grep -c '^not ok' <<<"$got")" = 2 ] && grep -q 'gone.md' <<<"$got" &&
	grep -q '#there' <<<"$got"; then
	echo "ok doc links: a dead file and a dead heading are caught, nothing else"
else
	echo "not ok doc links: the self-test page gave:"
	while read -r line; do echo "# $line"; done <<<"$got"
	bad=1
fi
exit $bad
