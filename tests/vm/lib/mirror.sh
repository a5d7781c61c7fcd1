# shellcheck shell=bash
# The Debian archive mirror, read from this machine's own apt sources at run
# time. No mirror host name is ever written into the repository.
#
#   mirror_uri main|security   prints the URI serving bookworm / bookworm-security
#   redact                     filter hiding those URIs and hosts in tool output

# Print "URI SUITE" for every enabled deb source (deb822 and one-line formats).
_mirror_sources() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && enabled != "no")
					for (i = 1; i <= nu; i++)
						for (j = 1; j <= ns; j++) print u[i], s[j]
				types = ""; enabled = ""; nu = 0; ns = 0
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			tolower($1) == "types:"   { types = substr($0, index($0, ":") + 1) }
			tolower($1) == "enabled:" { enabled = tolower($2) }
			tolower($1) == "uris:"    { for (i = 2; i <= NF; i++) u[++nu] = $i }
			tolower($1) == "suites:"  { for (i = 2; i <= NF; i++) s[++ns] = $i }
			END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [options] URI SUITE COMPONENTS...
		sed -n 's/^[ \t]*deb[ \t]\+\(\[[^]]*\][ \t]\+\)\?\([^ \t]\+\)[ \t]\+\([^ \t]\+\).*/\2 \3/p' "$f"
	done
}

mirror_uri() {
	local want=$1 uri
	case $want in
	main)     uri=$(_mirror_sources | awk '$2 !~ /-security$/ && $2 ~ /^(bookworm|stable|trixie|sid|unstable|testing)(-updates)?$/ { print $1; exit }') ;;
	security) uri=$(_mirror_sources | awk '$2 ~ /-security$/ { print $1; exit }')
		  # Debian's security archive sits beside the main one on most mirrors.
		  [ -n "$uri" ] || uri=$(mirror_uri main | sed 's,/debian/*$,/debian-security,') ;;
	*) die "mirror_uri: unknown archive '$want'" ;;
	esac
	[ -n "$uri" ] || die "no Debian archive found in /etc/apt/sources.list{,.d/} (need a deb line for bookworm)"
	printf '%s\n' "${uri%/}"
}

# Filter: replace the archive URIs and host names in tool output (apt,
# debootstrap) so that no mirror name ends up in logs shown to the user.
redact() {
	local main sec h1 h2
	main=$(mirror_uri main 2>/dev/null || :) sec=$(mirror_uri security 2>/dev/null || :)
	h1=$(printf '%s' "$main" | sed 's,^[a-z+]*://,,; s,[/:].*,,')
	h2=$(printf '%s' "$sec" | sed 's,^[a-z+]*://,,; s,[/:].*,,')
	sed -e "${main:+s|$main|<archive>|g}" -e "${sec:+s|$sec|<security-archive>|g}" \
	    -e "${h1:+s|$h1|<archive-host>|g}" -e "${h2:+s|$h2|<archive-host>|g}"
}
