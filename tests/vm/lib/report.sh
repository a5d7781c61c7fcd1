# shellcheck shell=bash
# Turning a guest's results port into test lines, one per check, each naming
# the kernel and the program, and tallying them.
#
#   report_kernel K DIR HUNG    prints the lines of kernel K from DIR/results.log,
#                               appends "pass fail skip" to $VMBUILD/tally and
#                               skip lines to $VMBUILD/skips. Also failures:
#                               a program of the must-run list (must_run_rules)
#                               or of $VM_MUST_RUN that did not run or skipped,
#                               a runner verdict of $VM_VERDICTS that is missing,
#                               a missing "@@ done"
#   report_console K DIR        one line on DIR/console.log: kernel reports
#                               (hung task, RCU stall, soft lockup, UBSAN,
#                               KASAN, lockdep, WARN, BUG...) fail it
#   report_demo K DIR RC        the demo's verdict: its guest finished (qemu_boot's
#                               RC 0) and said "demo: PASS" last
#   report_fail K TEXT          one failure line for K (could not build, boot...)
#   report_summary              skips with their reasons, the boots retried,
#                               then "N passed, N failed, N skipped"
#   retry_note K TEXT           counts one retried boot (in $VMBUILD/boot-retries)
#   report_retries              "N boots retried", and a failure past one

# The runner's own verdicts (guest/run-tests), required in every test boot:
# a guest that stops before one of them has not passed. A profile adds its
# own (VM_VERDICTS, ';' between them).
VERDICTS_STOCK="guest: ext4 scratch disk mounted;guest: set up by init;modprobe uring_dmabuf;no pin leak;rmmod uring_dmabuf;no kernel warnings in dmesg"

report_fail() {
	echo "not ok $1: $2"
	echo "0 1 0" >>"$VMBUILD/tally"
}

report_demo() {
	local k=$1 dir=$2 rc=$3 last
	last=$(tr -d '\r' <"$dir/results.log" 2>/dev/null | tail -n 1)
	if [ "$rc" != 0 ]; then
		report_fail "$k" "demo: the guest did not finish the demo (console: $dir/console.log)"
	elif [ "$last" != "demo: PASS" ]; then
		report_fail "$k" "demo: the README's path on the simulated NIC: ${last:-no output}"
	else
		echo "ok $k: demo: the README's path on the simulated NIC"
		echo "1 0 0" >>"$VMBUILD/tally"
	fi
}

# Whether a KERNELS field of the must-run list names kernel NAME of
# version VER (major.minor): "all", "6.12+", "7.3", "debug", comma lists of
# these, and "!X" to leave X out ("all,!debug").
must_run_matches() {
	local field=$1 name=$2 ver=$3 item neg named=0 left_out=0
	local IFS=,
	for item in $field; do
		neg=0
		case $item in '!'*) neg=1 item=${item#!} ;; esac
		case $item in
		all) ;;
		*+) [ "$(printf '%s\n' "${item%+}" "$ver" | sort -V | head -n1)" = "${item%+}" ] || continue ;;
		*) [ "$item" = "$name" ] || [ "$item" = "$ver" ] || continue ;;
		esac
		if [ $neg = 1 ]; then left_out=1; else named=1; fi
	done
	[ $named = 1 ] && [ $left_out = 0 ]
}

# Whether program PROG is among the $VM_TESTS globs (all when empty).
selected_prog() {
	local g
	[ -n "${VM_TESTS:-}" ] || return 0
	set -f
	for g in $VM_TESTS; do
		# shellcheck disable=SC2254
		case $1 in $g) set +f; return 0 ;; esac
	done
	set +f
	return 1
}

# The rules of the must-run list (${VM_MUST_RUN_FILE:-tests/vm/must-run})
# that apply to kernel NAME of version VER, as "PROG<TAB>REGEX" lines,
# for the programs this run selected.
must_run_rules() {
	local name=$1 ver=$2 file=${VM_MUST_RUN_FILE:-$TOP/tests/vm/must-run}
	local kernels prog regex
	[ -n "$ver" ] || return 0
	while read -r kernels prog regex; do
		case $kernels in '' | '#'*) continue ;; esac
		[ -n "$prog" ] || die "$file: a line without a program: $kernels"
		must_run_matches "$kernels" "$name" "$ver" || continue
		selected_prog "$prog" || continue
		printf '%s\t%s\n' "$prog" "$regex"
	done <"$file"
}

# $VM_MUST_RUN's programs for kernel NAME of version VER. A word is PROG,
# or PROG@KERNELS for the boots that KERNELS names, one item of the
# must-run list's field ("6.16+", "7.3", "7.3+iommu"): a lane of several
# kernels asks a program only of those that have its feature.
must_run_words() {
	local name=$1 ver=$2 w out=''
	local IFS=$' ,'
	for w in ${VM_MUST_RUN:-}; do
		case $w in
		*@*) must_run_matches "${w#*@}" "$name" "$ver" || continue ;;
		esac
		out="$out ${w%%@*}"
	done
	printf '%s' "${out# }"
}

report_kernel() {
	local k=$1 dir=$2 hung=$3 ver rules=
	ver=$(tr -d '\r' <"$dir/results.log" 2>/dev/null |
		sed -n 's/^@@ kernel \([0-9]\+\.[0-9]\+\).*/\1/p' | head -n1)
	# a labelled boot (6.12+swiotlb) is for its VM_MUST_RUN only
	case $k in *+*) ;; *) rules=$(must_run_rules "$k" "$ver") ;; esac
	# (texts and regexes through the environment: awk -v would eat backslashes)
	tr -d '\r' <"$dir/results.log" 2>/dev/null |
		RULES=$rules MUST=$(must_run_words "$k" "$ver") VERDICTS="$VERDICTS_STOCK${VM_VERDICTS:+;$VM_VERDICTS}" \
		awk -v k="$k" -v hung="$hung" \
		-v timeout="$VM_TEST_TIMEOUT" -v vmtimeout="$VM_TIMEOUT" \
		-v tally="$VMBUILD/tally" -v skips="$VMBUILD/skips" '
	function pass(t)  { print "ok " k ": " t; npass++; nprog_lines++
		if (cur != "") passed[cur] = passed[cur] "\n" substr(t, length(cur) + 3) }
	function fail(t)  { print "not ok " k ": " t; nfail++; pfail++; nprog_lines++ }
	function skip(t, why) { print "ok " k ": " t " # SKIP " why; nskip++; nprog_lines++
		print k ": " t ": " why >> skips }
	# the diagnostics (lines other than ok/not ok) of a failing program
	function dump(  i) { for (i = 1; i <= nout; i++) print "#   " out[i] }
	function finish(rc, secs) {
		ran[cur] = rc
		if (rc == "hung") {
			fail(cur ": hung in the kernel (unkillable " secs " s after its start)")
		} else if (rc == 77) {
			skip(cur, skipwhy != "" ? skipwhy : "exit status 77")
		} else if (rc >= 128 && secs + 1 >= timeout) {
			fail(cur ": timed out after " secs " s")
		} else if (rc >= 128) {
			fail(cur ": crashed (signal " rc - 128 ")")
		} else if (rc == 1 && pfail == 0) {
			fail(cur ": exited with status 1 but reported no failure")
		} else if (rc != 0 && rc != 1) {
			fail(cur ": exited with status " rc)
		} else if (rc == 0 && nprog_lines == 0) {
			pass(cur)
		}
		if (pfail) dump()
		cur = ""
	}
	done { if ($0 ~ /^(@@ |ok |not ok )/ && late == "") late = $0; next }
	/^@@ begin / { cur = $3; pfail = 0; nprog_lines = 0; nout = 0; skipwhy = ""; next }
	/^@@ end /   { if (cur != "") finish($4 == "hung" ? $4 : $4 + 0, $5 + 0); next }
	/^@@ ok /     { seen[substr($0, 7)] = 1; pass(substr($0, 7)); next }
	/^@@ not ok / { seen[substr($0, 11)] = 1; fail(substr($0, 11)); next }
	/^@@ diag /   { print "#   " substr($0, 9); next }
	/^@@ done$/   { done = 1; next }
	/^@@ /        { next }
	cur != "" {
		if ($0 !~ /^(not )?ok /) out[++nout] = $0
		if ($0 ~ /^not ok /) {
			fail(cur ": " substr($0, 8))
		} else if ($0 ~ /^ok .*# *SKIP/) {
			t = substr($0, 4); why = t
			sub(/ *# *SKIP.*$/, "", t); sub(/^.*# *SKIP */, "", why)
			skip(cur ": " t, why == "" ? "no reason given" : why)
		} else if ($0 ~ /^ok /) {
			pass(cur ": " substr($0, 4))
		} else if ($0 ~ /^# *SKIP/) {
			skipwhy = $0; sub(/^# *SKIP */, "", skipwhy)
		}
	}
	END {
		if (cur != "") {
			fail(cur ": did not finish (the guest " (hung ? "hung" : "died") " while it ran)")
			dump()
		}
		cur = ""
		if (!done && hung)
			fail("guest hung, killed after " vmtimeout " s")
		else if (!done)
			fail("guest stopped before the end of the run (panic? see the console log)")
		else if (late != "")
			fail("guest: nothing after the end of the run (\"@@ done\"), but: " late)
		# every verdict of the runner (and its profile) must have been said
		nv = split(ENVIRON["VERDICTS"], v, /;/)
		for (i = 1; i <= nv; i++)
			if (v[i] != "" && !(v[i] in seen))
				fail(v[i] ": the runner never gave this verdict")
		nmust = split(ENVIRON["MUST"], req, /[ ,]+/)
		for (i = 1; i <= nmust; i++) {
			if (req[i] == "")
				continue
			if (!(req[i] in ran))
				fail(req[i] ": did not run, and this boot is for it")
			else if (ran[req[i]] == 77)
				fail(req[i] ": skipped as a whole, and this boot is for it")
		}
		# the must-run list: "PROG<TAB>REGEX" per line
		nr = split(ENVIRON["RULES"], r, /\n/)
		for (i = 1; i <= nr; i++) {
			if (r[i] == "")
				continue
			p = r[i]; re = ""
			if (index(p, "\t")) { re = substr(p, index(p, "\t") + 1); p = substr(p, 1, index(p, "\t") - 1) }
			if (!(p in ran))
				fail(p ": did not run, and it must run on this kernel (tests/vm/must-run)")
			else if (ran[p] == 77)
				fail(p ": skipped as a whole, and it must run on this kernel (tests/vm/must-run)")
			else if (re != "") {
				n = split(passed[p], texts, /\n/); hit = 0
				for (j = 1; j <= n; j++)
					if (texts[j] != "" && texts[j] ~ re) { hit = 1; break }
				if (!hit)
					fail(p ": no passing check matches /" re "/, and one must on this kernel (tests/vm/must-run)")
			}
		}
		print npass + 0, nfail + 0, nskip + 0 >> tally
	}' || report_fail "$k" "reading its results failed (see the error above)"
}

# The kernel reports on a guest's console, whatever the guest managed to say
# on the results port: each kind once (KASAN's multi-shot repeats a report
# thousands of times) with 60 lines of context, then how often each came.
# Exit status 0 when there is one.
console_reports() {
	local con=$1
	[ -f "$con" ] || return 1
	tr -d '\r' <"$con" | sed 's/^\[ *[0-9.]*\] //' | awk '
		/BUG: |WARNING:|Oops|unreferenced object|possible (recursive|circular) locking|inconsistent lock state|suspicious RCU usage|general protection fault|blocked for more than [0-9]+ seconds|rcu_sched self-detected stall|rcu: INFO: rcu_.* detected stalls|self-detected stall on CPU|soft lockup|hard LOCKUP|UBSAN:/ {
			key = $0; gsub(/0x[0-9a-f]+|[0-9]+/, "N", key)
			if (!(key in seen)) { order[++n] = key; n_lines = 60 } else { n_lines = 0 }
			seen[key]++
		}
		n_lines > 0 { print; n_lines-- }
		END {
			for (i = 1; i <= n; i++) printf("%d time(s): %s\n", seen[order[i]], order[i])
			exit n ? 0 : 1
		}'
}

report_console() {
	local k=$1 dir=$2
	if [ ! -s "$dir/console.log" ]; then
		echo "not ok $k: console: no console log ($dir/console.log)"
		echo "0 1 0" >>"$VMBUILD/tally"
	elif console_reports "$dir/console.log" >"$dir/console-reports.txt"; then
		echo "not ok $k: console: no kernel report (hung task, RCU stall, lockup, UBSAN, KASAN, lockdep, WARN, BUG); all of them below, also in $dir/console-reports.txt"
		sed 's/^/#   /' "$dir/console-reports.txt" | head -n 400
		echo "0 1 0" >>"$VMBUILD/tally"
	else
		echo "ok $k: console: no kernel report (hung task, RCU stall, lockup, UBSAN, KASAN, lockdep, WARN, BUG)"
		echo "1 0 0" >>"$VMBUILD/tally"
	fi
}

# Boots that died or hung before their tests started and were booted again.
# The file lives as long as the run: make test (run.sh test) empties it once
# and sets VM_RETRIES_KEEP so that its parts add up; a run of its own
# empties it at its start (retries_reset).
retries_file() { echo "$VMBUILD/boot-retries"; }
retries_reset() { [ -n "${VM_RETRIES_KEEP:-}" ] || rm -f "$(retries_file)"; }
retry_note() { mkdir -p "$VMBUILD" && echo "$1: $2" >>"$(retries_file)"; }

# A retried boot whose kernel died before it ran init (retry_note's text
# says "before init") met none of our code, modules or programs: the known
# TCG deaths of a kernel alone (int3 from text patching, KASAN during CPU
# bring-up). Up to RETRIES_KERNEL_ALONE of those pass, listed; one more
# means the emulator's flake rate is rising. Of the boots that died once
# init ran, one is tolerated; two fail the run.
RETRIES_KERNEL_ALONE=3
report_retries() {
	local n=0 alone=0 f rc=0
	f=$(retries_file)
	if [ -f "$f" ]; then
		n=$(grep -c . "$f")
		alone=$(grep -c 'before init' "$f")
	fi
	echo "$n boots retried"
	[ "$n" -gt 0 ] && sed 's/^/#   /' "$f"
	if [ $((n - alone)) -gt 1 ]; then
		echo "not ok boots: at most one retried boot per run once init ran, this one had $((n - alone))"
		rc=1
	fi
	if [ "$alone" -gt "$RETRIES_KERNEL_ALONE" ]; then
		echo "not ok boots: at most $RETRIES_KERNEL_ALONE boots per run dead before init, this one had $alone"
		rc=1
	fi
	return $rc
}

report_summary() {
	local p=0 f=0 s=0 a b c
	if [ -s "$VMBUILD/skips" ]; then
		echo "skipped:"
		sed 's/^/  /' "$VMBUILD/skips"
	fi
	if [ -f "$VMBUILD/tally" ]; then
		while read -r a b c; do
			p=$((p + a)) f=$((f + b)) s=$((s + c))
		done <"$VMBUILD/tally"
	fi
	# inside make test, run.sh test gives the retries' verdict once, at the end
	if [ -n "${VM_RETRIES_KEEP:-}" ]; then
		[ -s "$(retries_file)" ] && echo "$(grep -c . "$(retries_file)") boots retried so far in this make test"
	else
		report_retries || f=$((f + 1))
	fi
	echo "$p passed, $f failed, $s skipped"
	[ "$f" = 0 ]
}
