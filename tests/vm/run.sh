#!/usr/bin/env bash
# shellcheck disable=SC2317  # (its functions run through with_cache_lock)
# Entry point of the test harness (called by tests/Makefile).
#
#   run.sh test                  make test, after make deps: every part (unit,
#                                check, deb-check, vmtest, vmtest-swiotlb,
#                                vmtest-numa, vmtest-iommu, demo, the
#                                reliability lane if it fits its budget) even
#                                when an earlier one failed, then one tally
#   run.sh prepare [KERNEL...]   resolve and fetch the kernels, make the chroots
#                                and host headers ready (part of 'make deps')
#   run.sh vmtest  [KERNEL...]   build, boot and test every kernel given
#   run.sh vmshell KERNEL        boot one kernel with a shell on the console
#   run.sh demo KERNEL           make demo: the README's path in one guest
#   run.sh bench KERNEL          make bench
#   run.sh bench-tx KERNEL       make bench-tx: the TX table, into
#                                docs/benchmarks.md and README.md
#   run.sh bench-recv KERNEL     make bench-recv: the receive table, the same
#                                way
#   run.sh bench-profile KERNEL  make bench-profile: where the receiver's
#                                CPU goes (perf in the guest), into
#                                docs/benchmarks.md
#   run.sh bench-iommu KERNEL    make bench-iommu: the bind table behind an
#                                IOMMU, into docs/benchmarks.md and README.md
#   run.sh deb-lifecycle [KERNEL...]   make deb-lifecycle: the packages
#                                installed, upgraded to a rebuilt N+1, removed
#                                and purged in the build chroot of 7.3 (else
#                                of the first chroot kernel given)
#
# KERNEL is a matrix name: 6.1 6.12 7.2 7.3 (default: all of them), or a
# kernel profile of tests/vm/profiles/ (debug: make vmtest-debug), which
# runs alone: a kernel built from source, its modules built with make -C
# KDIR, its command line, its guest overlay and required verdicts, its
# timeouts (see the profile). What must run where: tests/vm/must-run.
# Environment: BUILD (artifacts), URING_DMABUF_CACHE (downloads, chroots),
# VM_TIMEOUT / VM_TEST_TIMEOUT (seconds per guest / per test program),
# VM_BOOT_TIMEOUT / VM_BOOT_GRACE / VM_BOOT_TRIES (until the tests start /
# after a kernel report before they did / boots to try), VM_INITRAMFS (the
# image's name in $BUILD/vm/KERNEL/, initramfs.img: another one for a boot
# whose guest carries more, make bench-profile's).
# For a second boot of a kernel with another command line (make
# vmtest-swiotlb): VM_LABEL names it (results as "6.12+LABEL", in
# $BUILD/vm/6.12+LABEL/), VM_MUST_RUN lists programs that must run and not
# skip there (PROG@6.16+: only in the boots of such kernels), and VM_REUSE_SINCE (epoch seconds) reuses a kernel's build
# that succeeded since then instead of building it again.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# A kernel profile named among the kernels is read first: its defaults (the
# timeouts) come before the harness's.
PROFILE=
for a in "${@:2}"; do
	[ -f "$TOP/tests/vm/profiles/$a" ] && PROFILE=$a
done
if [ -n "$PROFILE" ]; then
	[ $# = 2 ] || { echo "vm: error: $PROFILE is a kernel profile: run it alone" >&2; exit 1; }
	# shellcheck source=profiles/debug
	source "$TOP/tests/vm/profiles/$PROFILE"
fi

for f in common mirror kernels chroot dkms packages kmods kdir initramfs qemu report; do
	# shellcheck source=/dev/null
	source "$TOP/tests/vm/lib/$f.sh"
done

# Make sure the headers of a host-built kernel are installed (the headers
# meta-package can lag behind the image one for a moment).
host_headers_ensure() {
	local k=$1 kver=$2
	[ -e "/lib/modules/$kver/build/Makefile" ] && return 0
	log "$k: installing linux-headers-$kver on the host"
	DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends install \
		"$K_HEADERS_META" "linux-headers-$kver" 2>&1 | redact >&2 ||
		die "$k: could not install linux-headers-$kver"
}

# Fetch kernel K and make its build environment ready.
prepare_one() {
	local k=$1 kver
	kernel_fetch "$k" "$(kernel_resolve "$k")"
	kver=$(kernel_kver "$k")
	kernel_def "$k"
	if [ "$K_ENV" = host ]; then
		host_headers_ensure "$k" "$kver"
	else
		chroot_ensure "$K_ENV" "$kver"
	fi
	log "$k: ready: $kver (built on $K_ENV)"
}

prepare_locked() {
	local k sets="" envs="" s e
	local -a pids=()
	for k in "$@"; do
		kernel_def "$k"
		case " $sets " in *" $K_APTSET "*) ;; *) sets="$sets $K_APTSET" ;; esac
		case " $envs " in *" $K_ENV "*) ;; *) envs="$envs $K_ENV" ;; esac
	done
	# the package lists of each suite set, fetched side by side
	for s in $sets; do apt_priv_update "$s" & pids+=($!); done
	for s in "${pids[@]}"; do wait "$s" || die "could not read Debian's package lists"; done
	# one job per build environment (the host's apt, each chroot), side by
	# side: downloads, debootstrap and unpacking overlap
	pids=()
	for e in $envs; do
		(
			for k in "$@"; do
				kernel_def "$k"
				if [ "$K_ENV" = "$e" ]; then prepare_one "$k"; fi
			done
			exit 0
		) &
		pids+=($!)
	done
	s=0
	for e in "${pids[@]}"; do wait "$e" || s=1; done
	[ "$s" = 0 ] || die "preparing the kernels failed (see above)"
	kernel_prune
}

# Build what kernel K's guest needs: the module through DKMS (from the
# packages, with their CLI and library, where packages_env says), the test-only
# modules, the initramfs; for a profile's kernel, the modules with make -C
# KDIR and the profile's overlay. Runs as its own process so that set -e holds.
build_locked() {
	local k=$1 kver out
	kver=$(kernel_kver "$k")
	kernel_def "$k"
	out=$VMBUILD/$k
	if [ "$K_ENV" = kdir ]; then
		[ -f "$PROFILE_DIR/.complete" ] || die "$k: its kernel is not built ($PROFILE_DIR)"
		mkdir -p "$out/ko"
		kdir_build "$k" "$kver" "$PROFILE_KDIR" "$out/ko"
		initramfs_build "$k" "$kver" "$out/ko" "$out/${VM_INITRAMFS:-initramfs.img}" "${PROFILE_OVERLAY:-}"
		return
	fi
	[ -f "$(kernel_dir "$kver")/.complete" ] || die "$k: kernel $kver not fetched; run 'make deps'"
	if [ "$K_ENV" = host ]; then
		[ -e "/lib/modules/$kver/build/Makefile" ] || die "$k: no headers for $kver on the host; run 'make deps'"
	else
		[ -e "$(chroot_dir "$K_ENV")/lib/modules/$kver/build/Makefile" ] ||
			die "$k: no headers for $kver in the $K_ENV chroot; run 'make deps'"
	fi
	rm -rf "$out/ko"
	mkdir -p "$out/ko"
	log "$k: dkms build/install for $kver ($K_ENV)"
	dkms_build_install "$k" "$kver" "$K_ENV" "$out/ko/dkms" "$out/ko/packaged"
	kmods_build "$k" "$kver" "$K_ENV" "$out/ko/kmod"
	initramfs_build "$k" "$kver" "$out/ko" "$out/${VM_INITRAMFS:-initramfs.img}" "$(ncdevmem_guest "$k")"
}

# The kernel's own ncdevmem for K's guest (6.12, 7.3: built once and cached,
# tests/vm/ncdevmem/build.sh): the directory to copy into the initramfs, or
# nothing, when K has no recipe or the build failed (95-ncdevmem then skips,
# which tests/vm/must-run makes a failure where it must run).
ncdevmem_guest() {
	local dir
	case $1 in
	6.12|7.3)
		if dir=$(nice -n 10 "$VMDIR/ncdevmem/build.sh" "$1"); then
			echo "$dir/guest"
		else
			warn "$1: ncdevmem could not be built: 95-ncdevmem will skip"
		fi ;;
	esac
}

# The part of a guest's console that tells why it died: from the first kernel
# report (BUG, Oops, panic...) on, else its end.
console_excerpt() {
	local k=$1 log=$2 first
	first=$(grep -n -m1 -E 'BUG:|Oops|WARNING:|Kernel panic|general protection|sysrq: Trigger a crash' "$log" | cut -d: -f1) || :
	if [ -n "$first" ]; then
		echo "# $k: console log: $log (from line $first)"
		tail -n +"$first" "$log" | head -n 40 | sed 's/^/#   /'
	else
		echo "# $k: console log: $log (last lines)"
		tail -n 20 "$log" | sed 's/^/#   /'
	fi
}

# Whether kernel K's build (module, test modules, initramfs) succeeded since
# $VM_REUSE_SINCE, i.e. in this make test, and can boot again as it is.
build_reusable() {
	local st=$VMBUILD/$1/build.status
	[ -n "${VM_REUSE_SINCE:-}" ] && [ -f "$VMBUILD/$1/initramfs.img" ] &&
		[ "$(cat "$st" 2>/dev/null)" = 0 ] &&
		[ "$(stat -c %Y "$st")" -ge "$VM_REUSE_SINCE" ]
}

# make demo, and make test's demo part: the guest's own output, then its
# verdict and the console's as test lines, "N passed, N failed". Inside make
# test it boots the build make vmtest made (VM_REUSE_SINCE); its results and
# console go to $VMBUILD/K+demo/, apart from the test boot's.
demo_run() {
	local k=$1 out=$VMBUILD/$1+demo kver rc=0
	kernel_def "$k"
	mkdir -p "$out"
	exec 8>"$VMBUILD/.lock"
	flock -n 8 || { log "another vmtest is using $VMBUILD; waiting"; flock 8; }
	rm -f "$VMBUILD/tally" "$VMBUILD/skips"
	retries_reset
	if build_reusable "$k"; then
		log "== $k: demo: reusing the build of $(date -r "$VMBUILD/$k/build.status" +%T)"
	elif ! "$0" _build "$k"; then
		report_fail "$k" "demo: could not build for this kernel (see the error above)"
		report_summary
		return 1
	fi
	kver=$(kernel_kver "$k")
	log "$k: booting $kver for the demo"
	qemu_boot "$k" "$kver" "$VMBUILD/$k/initramfs.img" "$out" demo || rc=$?
	tr -d '\r' <"$out/results.log" 2>/dev/null || :
	report_demo "$k" "$out" "$rc"
	report_console "$k+demo" "$out"
	report_summary
}

# make test's parts. Each prints its own "N passed, N failed[, N skipped]"
# lines; the last line here is their sum. A part that fails without such a
# line (it did not build, say) counts as one failure, so the sum never looks
# better than the exit status. Boots retried (a guest that died before its
# tests) add up over the parts: more than one in all fails the run.
# Environment: MAKE, KERNELS (the demo part needs 6.12 among them),
# URING_DMABUF_TEST_START (the builds since then are reused).
TEST_PARTS="unit check deb-check deb-lifecycle vmtest vmtest-swiotlb vmtest-numa vmtest-iommu demo vmtest-debug-budget"

# make demo's path, on the build make vmtest made a moment ago.
demo_part() {
	case " ${KERNELS:-6.12} " in
	*" 6.12 "*)
		VM_REUSE_SINCE=${URING_DMABUF_TEST_START:-} "$0" demo 6.12 ;;
	*)
		echo "skipped:"
		echo "  demo: runs on 6.12, which is not in KERNELS (${KERNELS:-})"
		echo "0 passed, 0 failed, 1 skipped" ;;
	esac
}

test_part() {
	case $1 in
	demo) demo_part ;;
	*) ${MAKE:-make} --no-print-directory -C "$TOP" "$1" ;;
	esac
}

test_all() {
	local rc=0 p=0 f=0 s=0 part log prc pp pf ps
	mkdir -p "$VMBUILD"
	rm -f "$(retries_file)"
	export VM_RETRIES_KEEP=1 BUILD
	for part in $TEST_PARTS; do
		log=$BUILD/test-$part.log
		prc=0
		test_part "$part" 2>&1 | tee "$log" || prc=$?
		read -r pp pf ps < <(sed -n 's/^\([A-Za-z]*: \)\?\([0-9]\+\) passed, \([0-9]\+\) failed\(, \([0-9]\+\) skipped\)\?$/\2 \3 \5/p' "$log" |
			awk '{ p += $1; f += $2; s += $3 } END { print p + 0, f + 0, s + 0 }')
		if [ "$prc" != 0 ] && [ "$pf" = 0 ]; then
			echo "not ok make $part failed (status $prc) without reporting a failed test" |
				tee -a "$log"
			pf=1
		fi
		[ "$prc" = 0 ] || rc=1
		p=$((p + pp)) f=$((f + pf)) s=$((s + ps))
	done
	report_retries || { f=$((f + 1)) rc=1; }
	failures_recap "$f"
	echo "$p passed, $f failed, $s skipped"
	return $rc
}

# The failed checks of every part again, just above the tally: a CI log is
# often read from its tail only, and the parts print thousands of lines.
failures_recap() {
	local part
	[ "$1" != 0 ] || return 0
	echo "failed:"
	for part in $TEST_PARTS; do
		grep -h -E '^(not ok |\[  FAILED  \] [a-z])' "$BUILD/test-$part.log" 2>/dev/null |
			awk '!seen[$0]++' | head -n 20 | sed -E "s/^(not ok |\[  FAILED  \] )/  $part: /" || :
	done
}

kernels_or_all() {
	if [ $# -eq 0 ]; then echo "$KERNELS_ALL"; else echo "$*"; fi
}

# The whole command runs from a function: bash has read all of it before it
# starts, so editing this file while a run is going does not derail the run.
# Boots K's image IMG for a benchmark WHAT, its output in OUT; fails on a
# guest that did not finish, a "bench: FAIL" line or a kernel report.
bench_boot() {
	local k=$1 img=$2 out=$3 what=$4 rc=0

	log "$k: booting $(kernel_kver "$k") for the $what"
	qemu_boot "$k" "$(kernel_kver "$k")" "$img" "$out" bench || rc=$?
	cat "$out/results.log"
	[ "$rc" = 0 ] || die "$k: the guest did not finish the $what (console: $out/console.log)"
	! grep -q '^bench: FAIL' "$out/results.log" || exit 1
	report_console "$k" "$out" | tee "$out/console-report.txt"
	! grep -q '^not ok' "$out/console-report.txt" || exit 1
}

# The commit the figures are of, for the tables.
bench_commit() {
	git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown
}

main() {
	cmd=${1:-}; shift || true
	case $cmd in
	test)
		test_all
		;;
	prepare)
		[ "$(id -u)" = 0 ] || die "preparing the kernels and chroots needs root"
		if [ -n "$PROFILE" ]; then profile_prepare; return; fi
		# shellcheck disable=SC2046
		with_cache_lock prepare_locked $(kernels_or_all "$@")
		;;
	_build)
		with_cache_lock -s build_locked "$1"
		;;
	vmtest)
		[ "$(id -u)" = 0 ] || die "vmtest runs dkms and chroot: run it as root"
		mkdir -p "$VMBUILD"
		exec 8>"$VMBUILD/.lock"
		flock -n 8 || { log "another vmtest is using $VMBUILD; waiting"; flock 8; }
		rm -f "$VMBUILD/tally" "$VMBUILD/skips"
		retries_reset
		kernels=$(kernels_or_all "$@")
		if [ -n "$PROFILE" ]; then
			log "== $PROFILE: its kernel (built once, then cached)"
			t0=$(date +%s)
			profile_prepare || die "$PROFILE: its kernel could not be built"
			log "$PROFILE: kernel $(kernel_kver "$PROFILE") ready after $(($(date +%s) - t0)) s ($PROFILE_DIR)"
		fi
		reuse=" "
		for k in $kernels; do
			kernel_def "$k"
			mkdir -p "$VMBUILD/$k"
			if build_reusable "$k"; then
				reuse="$reuse$k "
			else
				rm -f "$VMBUILD/$k/build.status"
			fi
		done
		# Kernels are built one after the other in the background, so that the
		# next one builds while a guest runs; each build's output is shown when
		# its kernel's turn comes.
		(
			for k in $kernels; do
				case $reuse in *" $k "*) continue ;; esac
				st=0
				"$0" _build "$k" >"$VMBUILD/$k/build.log" 2>&1 || st=$?
				echo "$st" >"$VMBUILD/$k/build.status"
			done
		) &
		builder=$!
		for k in $kernels; do
			# a labelled boot (VM_LABEL) keeps its results apart
			lk=$k${VM_LABEL:++$VM_LABEL}
			out=$VMBUILD/$lk
			mkdir -p "$out"
			t0=$(date +%s)
			case $reuse in
			*" $k "*)
				log "== $lk: reusing the build of $(date -r "$VMBUILD/$k/build.status" +%T)" ;;
			*)
				log "== $lk: build"
				while [ ! -f "$VMBUILD/$k/build.status" ] && kill -0 "$builder" 2>/dev/null; do
					sleep 1
				done
				cat "$VMBUILD/$k/build.log" >&2 2>/dev/null || : ;;
			esac
			if [ "$(cat "$VMBUILD/$k/build.status" 2>/dev/null)" != 0 ]; then
				report_fail "$lk" "could not build for this kernel (see the error above)"
				continue
			fi
			kver=$(kernel_kver "$k")
			t1=$(date +%s)
			log "== $lk: boot $kver (waited $((t1 - t0)) s for its build)"
			rc=0
			# A kernel that died or hung booting under TCG (seen rarely:
			# early timer and sched_clock panics) never started the
			# runner: it gets another boot, said out loud.
			qemu_test_boots "$lk" "$kver" "$VMBUILD/$k/initramfs.img" "$out" || rc=$?
			if [ "$rc" = 125 ]; then
				report_fail "$lk" "the guest did not start its tests in $VM_BOOT_TRIES boots of $kver"
				continue
			elif [ "$rc" != 0 ] && [ "$rc" != 124 ]; then
				report_fail "$lk" "could not boot $kver"
				continue
			fi
			log "== $lk: guest ran $(($(date +%s) - t1)) s"
			{
				report_kernel "$lk" "$out" "$([ "$rc" = 124 ] && echo 1 || echo 0)"
				report_console "$lk" "$out"
			} | tee "$out/report.txt"
			if grep -qE '^not ok .*(guest|did not finish|crashed|timed out|never gave)' "$out/report.txt"; then
				console_excerpt "$lk" "$out/console.log"
			fi
		done
		wait "$builder" || :
		report_summary
		;;
	demo)
		[ "$(id -u)" = 0 ] || die "demo runs dkms and chroot: run it as root"
		[ $# -eq 1 ] || die "usage: run.sh demo KERNEL (one of $KERNELS_ALL)"
		demo_run "$1"
		;;
	deb-lifecycle)
		[ "$(id -u)" = 0 ] || die "deb-lifecycle installs packages in a chroot: run it as root"
		k=
		for c in 7.3 $(kernels_or_all "$@"); do
			case " $(kernels_or_all "$@") " in *" $c "*) ;; *) continue ;; esac
			kernel_def "$c"
			case $K_ENV in host | kdir) ;; *) k=$c; break ;; esac
		done
		if [ -z "$k" ]; then
			echo "skipped:"
			echo "  deb-lifecycle: runs in a build chroot (7.2, 7.3), none of them in KERNELS ($*)"
			echo "0 passed, 0 failed, 1 skipped"
			return 0
		fi
		with_cache_lock -s packages_lifecycle "$k"
		;;
	bench-tx | bench-recv)
		# The TX or the receive table's boot (tests/vm/guest/bench-tx,
		# bench-recv), in $VMBUILD/K+tx-bench/ or K+recv-bench/; its
		# figures go into the docs from here.
		[ "$(id -u)" = 0 ] || die "$cmd runs dkms and chroot: run it as root"
		[ $# -eq 1 ] || die "usage: run.sh $cmd KERNEL (one of $KERNELS_ALL)"
		kernel_def "$1"
		"$0" _build "$1"
		part=${cmd#bench-}
		out=$VMBUILD/$1+$part-bench
		mkdir -p "$out"
		bench_boot "$1" "$VMBUILD/$1/initramfs.img" "$out" "$cmd"
		commit=$(bench_commit)
		if [ "$part" = tx ]; then
			"$TOP/tests/bench/tx-table.sh" "$out/results.log" "$(kernel_kver "$1")" "" \
				"$commit" >"$out/tx.md" || die "$1: no TX figures in $out/results.log"
			heading="## Transmit"
		else
			"$TOP/tests/bench/bench-json.sh" --recv "$out/results.log" "$(kernel_kver "$1")" "" \
				"$commit" >"$out/recv.json" || die "$1: no receive figures in $out/results.log"
			"$TOP/tests/bench/table.sh" --recv "$out/recv.json" >"$out/recv.md"
			heading="## Receive"
		fi
		SPLICE_HEADING=$heading "$TOP/tests/bench/splice.sh" "$TOP/docs/benchmarks.md" "$part" "$out/$part.md"
		"$TOP/tests/bench/splice.sh" "$TOP/README.md" "$part" "$out/$part.md"
		log "$1: table in $TOP/docs/benchmarks.md and $TOP/README.md ($out/$part.md)"
		;;
	bench-profile)
		# The receive profile's boot (tests/vm/guest/recv-profile), in
		# $VMBUILD/K+profile/: its own image, with perf (cached,
		# tests/vm/perf/build.sh) and the script; the test boots'
		# image stays without them. Its table goes into the docs from here.
		[ "$(id -u)" = 0 ] || die "$cmd runs dkms and chroot: run it as root"
		[ $# -eq 1 ] || die "usage: run.sh $cmd KERNEL (one of $KERNELS_ALL)"
		kernel_def "$1"
		out=$VMBUILD/$1+profile
		rm -rf "$out/overlay"
		mkdir -p "$out/overlay/bin"
		perf=$(nice -n 10 "$VMDIR/perf/build.sh" "$1") || die "$1: perf could not be built"
		install -m 0755 "$VMDIR/guest/recv-profile" "$out/overlay/bin/recv-profile"
		INITRAMFS_EXTRA="$perf/guest $out/overlay" VM_INITRAMFS=initramfs-profile.img "$0" _build "$1"
		bench_boot "$1" "$VMBUILD/$1/initramfs-profile.img" "$out" "$cmd"
		commit=$(bench_commit)
		"$TOP/tests/bench/profile-table.sh" "$out/results.log" "$(kernel_kver "$1")" "" \
			"$commit" >"$out/profile.md" || die "$1: no profile in $out/results.log"
		SPLICE_HEADING="## Where the receiver's CPU goes" \
			"$TOP/tests/bench/splice.sh" "$TOP/docs/benchmarks.md" profile "$out/profile.md"
		log "$1: table in $TOP/docs/benchmarks.md ($out/profile.md)"
		;;
	bench | bench-iommu)
		# One kernel, one run; the guest's output is the result.
		# bench-iommu (make bench-iommu: VM_QEMU_ARGS and VM_APPEND
		# give the machine its IOMMU) measures the bindings only, in
		# $VMBUILD/K+iommu-bench/.
		[ "$(id -u)" = 0 ] || die "$cmd runs dkms and chroot: run it as root"
		[ $# -eq 1 ] || die "usage: run.sh $cmd KERNEL (one of $KERNELS_ALL)"
		kernel_def "$1"
		"$0" _build "$1"
		out=$VMBUILD/$1
		[ "$cmd" = bench ] || out=$VMBUILD/$1+iommu-bench
		mkdir -p "$out"
		bench_boot "$1" "$VMBUILD/$1/initramfs.img" "$out" "$cmd"
		commit=$(bench_commit)
		# The figures go into the docs from here only, never by hand; a
		# partial run (make bench BENCH_ARGS=..., BENCH_DOCS=0) stays in $BUILD.
		if [ "$cmd" = bench-iommu ]; then
			"$TOP/tests/bench/bench-json.sh" --bind "$out/results.log" "$(kernel_kver "$1")" "" \
				"$commit" >"$out/bench.json"
			"$TOP/tests/bench/table.sh" --iommu "$out/bench.json" >"$out/iommu.md"
			if [ "${BENCH_DOCS:-1}" = 1 ]; then
				SPLICE_HEADING="## Binding behind an IOMMU" \
					"$TOP/tests/bench/splice.sh" "$TOP/docs/benchmarks.md" iommu "$out/iommu.md"
				"$TOP/tests/bench/splice.sh" "$TOP/README.md" iommu "$out/iommu.md"
				log "$1: results in $out/bench.json, table in $TOP/docs/benchmarks.md and $TOP/README.md"
			else
				log "$1: results in $out/bench.json, table in $out/iommu.md (docs/ left as it is)"
			fi
			return 0
		fi
		"$TOP/tests/bench/bench-json.sh" "$out/results.log" "$(kernel_kver "$1")" "" \
			"$commit" >"$out/bench.json"
		"$TOP/tests/bench/table.sh" "$out/bench.json" >"$out/benchmarks.md"
		if [ "${BENCH_DOCS:-1}" = 1 ]; then
			mkdir -p "$TOP/docs"
			# make bench-iommu's part of the page stays.
			"$TOP/tests/bench/splice.sh" "$TOP/docs/benchmarks.md" iommu >"$out/iommu-kept.md"
			"$TOP/tests/bench/splice.sh" "$TOP/docs/benchmarks.md" tx >"$out/tx-kept.md"
			"$TOP/tests/bench/splice.sh" "$TOP/docs/benchmarks.md" recv >"$out/recv-kept.md"
			"$TOP/tests/bench/splice.sh" "$TOP/docs/benchmarks.md" profile >"$out/profile-kept.md"
			cp "$out/benchmarks.md" "$TOP/docs/benchmarks.md"
			"$TOP/tests/bench/splice.sh" "$TOP/docs/benchmarks.md" iommu "$out/iommu-kept.md"
			# ... and make bench-tx's and bench-recv's.
			[ ! -s "$out/tx-kept.md" ] || SPLICE_HEADING="## Transmit" \
				"$TOP/tests/bench/splice.sh" "$TOP/docs/benchmarks.md" tx "$out/tx-kept.md"
			[ ! -s "$out/recv-kept.md" ] || SPLICE_HEADING="## Receive" \
				"$TOP/tests/bench/splice.sh" "$TOP/docs/benchmarks.md" recv "$out/recv-kept.md"
			# ... and make bench-profile's.
			[ ! -s "$out/profile-kept.md" ] || SPLICE_HEADING="## Where the receiver's CPU goes" \
				"$TOP/tests/bench/splice.sh" "$TOP/docs/benchmarks.md" profile "$out/profile-kept.md"
			log "$1: results in $out/bench.json, table in $TOP/docs/benchmarks.md"
		else
			log "$1: results in $out/bench.json, table in $out/benchmarks.md (docs/ left as it is)"
		fi
		;;
	vmshell)
		[ $# -eq 1 ] || die "usage: run.sh vmshell KERNEL (one of $KERNELS_ALL)"
		kernel_def "$1"
		"$0" _build "$1"
		log "$1: booting $(kernel_kver "$1"); Ctrl-a x quits QEMU"
		qemu_boot "$1" "$(kernel_kver "$1")" "$VMBUILD/$1/initramfs.img" "$VMBUILD/$1" shell
		;;
	*)
		die "usage: run.sh test | prepare|vmtest [KERNEL...] | vmshell|demo|bench|bench-iommu|bench-tx|bench-recv|bench-profile KERNEL"
		;;
	esac
}

main "$@"; exit  # one line: bash has read it before main runs
