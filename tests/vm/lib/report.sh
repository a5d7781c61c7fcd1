# shellcheck shell=bash
# Turning a guest's results port into test lines, one per check, each naming
# the kernel and the program, and tallying them.
#
#   report_kernel K DIR HUNG    prints the lines of kernel K from DIR/results.log,
#                               appends "pass fail skip" to $VMBUILD/tally and
#                               skip lines to $VMBUILD/skips; each program named
#                               in $VM_MUST_RUN that did not run, or skipped as
#                               a whole, is a failure
#   report_fail K TEXT          one failure line for K (could not build, boot...)
#   report_summary              skips with their reasons, then "N passed, N failed, N skipped"

report_fail() {
	echo "not ok $1: $2"
	echo "0 1 0" >>"$VMBUILD/tally"
}

report_kernel() {
	local k=$1 dir=$2 hung=$3
	tr -d '\r' <"$dir/results.log" 2>/dev/null | awk -v k="$k" -v hung="$hung" \
		-v timeout="$VM_TEST_TIMEOUT" -v vmtimeout="$VM_TIMEOUT" \
		-v tally="$VMBUILD/tally" -v skips="$VMBUILD/skips" \
		-v must="${VM_MUST_RUN:-}" '
	function pass(t)  { print "ok " k ": " t; npass++; nprog_lines++ }
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
	/^@@ begin / { cur = $3; pfail = 0; nprog_lines = 0; nout = 0; skipwhy = ""; next }
	/^@@ end /   { if (cur != "") finish($4 == "hung" ? $4 : $4 + 0, $5 + 0); next }
	/^@@ ok /     { pass(substr($0, 7)); next }
	/^@@ not ok / { fail(substr($0, 11)); next }
	/^@@ diag /   { print "#   " substr($0, 9); next }
	/^@@ done/    { done = 1; next }
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
		if (!done && hung)
			fail("guest hung, killed after " vmtimeout " s")
		else if (!done)
			fail("guest stopped before the end of the run (panic? see the console log)")
		nmust = split(must, req, /[ ,]+/)
		for (i = 1; i <= nmust; i++) {
			if (req[i] == "")
				continue
			if (!(req[i] in ran))
				fail(req[i] ": did not run, and this boot is for it")
			else if (ran[req[i]] == 77)
				fail(req[i] ": skipped as a whole, and this boot is for it")
		}
		print npass + 0, nfail + 0, nskip + 0 >> tally
	}'
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
	echo "$p passed, $f failed, $s skipped"
	[ "$f" = 0 ]
}
