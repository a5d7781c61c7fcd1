# shellcheck shell=bash disable=SC2034  # (kernel_def sets variables for its callers)
# The kernel matrix, version resolution through Debian's meta-packages in a
# private apt state (the host's apt sources and lists stay untouched), and
# fetching of the stock kernel images.
#
#   kernel_def K          sets K_APTSET K_RELEASE K_IMAGE_META K_HEADERS_META K_ENV
#                         (K_ENV: host, a chroot's name, or kdir for the kernel
#                         of a profile, tests/vm/profiles/K, built from source)
#   apt_priv SET CMD...   runs apt-get/apt-cache against the private state SET
#   kernel_resolve K      prints "KVER VERSION" of K's image package (after apt_priv_update)
#   kernel_fetch K [R]    downloads and unpacks K's image + modules into the cache
#                         (R: what kernel_resolve printed, to save resolving twice)
#   kernel_kver K         the KVER that the last `make deps` resolved for K
#                         (a profile's: the one its kernel directory holds)
#   kernel_dir KVER       where KVER's vmlinuz, config and root/ are
#   kernel_prune          drops cached kernels that nothing resolves to any more

KERNELS_ALL="6.1 6.12 7.2 7.3"

kernel_def() {
	case $1 in
	6.1)  K_APTSET=bookworm K_RELEASE='' K_IMAGE_META=linux-image-amd64 \
	      K_HEADERS_META=linux-headers-amd64 K_ENV=host ;;
	6.12) K_APTSET=bookworm K_RELEASE='' K_IMAGE_META=linux-image-6.12-amd64 \
	      K_HEADERS_META=linux-headers-6.12-amd64 K_ENV=host ;;
	7.2)  K_APTSET=sid K_RELEASE=sid K_IMAGE_META=linux-image-amd64 \
	      K_HEADERS_META=linux-headers-amd64 K_ENV=sid ;;
	7.3)  K_APTSET=trixie K_RELEASE=trixie-backports K_IMAGE_META=linux-image-amd64 \
	      K_HEADERS_META=linux-headers-amd64 K_ENV=trixie ;;
	*)
		[ "$1" = "${PROFILE:-}" ] ||
			die "unknown kernel '$1' (the matrix: $KERNELS_ALL; the profiles: $(cd "$TOP/tests/vm/profiles" && echo *))"
		K_APTSET='' K_RELEASE='' K_IMAGE_META='' K_HEADERS_META='' K_ENV=kdir ;;
	esac
}

# "archive suite" lines of an apt set; archive is main or security (see mirror.sh).
aptset_suites() {
	case $1 in
	bookworm) echo "main bookworm"; echo "main bookworm-updates"; echo "security bookworm-security" ;;
	sid)      echo "main sid" ;;
	trixie)   echo "main trixie"; echo "main trixie-backports" ;;
	*) die "unknown apt set '$1'" ;;
	esac
}

_apt_priv_opts() {
	local d=$CACHE/apt/$1
	printf '%s\n' -o "Dir::State=$d" -o "Dir::State::Lists=$d/lists" \
		-o "Dir::State::status=$d/status" -o "Dir::Cache=$d/cache" \
		-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=/dev/null" \
		-o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=/dev/null" \
		-o "Acquire::Check-Valid-Until=false" -o "Acquire::Languages=none" \
		-o "APT::Get::List-Cleanup=true" -o "APT::Sandbox::User=root"
}

apt_priv() {
	local set=$1 cmd=$2; shift 2
	local -a opts
	mapfile -t opts < <(_apt_priv_opts "$set")
	"$cmd" "${opts[@]}" "$@"
}

# Package lists younger than this many seconds are used as they are.
: "${URING_DMABUF_APT_MAX_AGE:=3600}"

apt_priv_update() {
	local set=$1 d=$CACHE/apt/$1 arch suite main sec uri sources
	main=$(mirror_uri main) sec=$(mirror_uri security)
	sources=$(aptset_suites "$set" | while read -r arch suite; do
		[ "$arch" = security ] && uri=$sec || uri=$main
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
	done)
	# fresh enough, and from the archive the host names today
	if [ -f "$d/updated" ] && [ "$(cat "$d/sources.list" 2>/dev/null)" = "$sources" ] &&
	   [ $(( $(date +%s) - $(stat -c %Y "$d/updated") )) -lt "$URING_DMABUF_APT_MAX_AGE" ]; then
		return 0
	fi
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	[ -f "$d/status" ] || : >"$d/status"
	echo "$sources" >"$d/sources.list"
	apt_priv "$set" apt-get -q update >"$d/update.log" 2>&1 ||
		{ redact <"$d/update.log" >&2; die "apt-get update failed for the $set package lists"; }
	grep -E '^(W|E):' "$d/update.log" | redact >&2 || true
	touch "$d/updated"
}

# Candidate version of PKG in SET, preferring suite REL if given (backports are
# pinned low); without REL the highest version wins, as on the host.
_apt_priv_candidate() {
	apt_priv "$1" apt-cache ${2:+-o "APT::Default-Release=$2"} policy "$3" |
		awk '$1 == "Candidate:" { print $2; exit }'
}

kernel_resolve() {
	local k=$1 v dep kver memo
	kernel_def "$k"
	# the answer only changes when the package lists do
	memo=$CACHE/kernels/$k.resolved
	if [ -s "$memo" ] && [ "$memo" -nt "$CACHE/apt/$K_APTSET/updated" ]; then
		cat "$memo"
		return 0
	fi
	v=$(_apt_priv_candidate "$K_APTSET" "$K_RELEASE" "$K_IMAGE_META")
	[ -n "$v" ] && [ "$v" != "(none)" ] ||
		die "$k: $K_IMAGE_META not found in the $K_APTSET package lists"
	dep=$(apt_priv "$K_APTSET" apt-cache show "$K_IMAGE_META=$v" |
		sed -n 's/^Depends: //p' | head -n1 | tr ',' '\n' |
		sed -n 's/^ *linux-image-\([^ ]*\).*/\1/p' | head -n1)
	[ -n "$dep" ] || die "$k: cannot read the image package from $K_IMAGE_META $v"
	kver=$dep
	mkdir -p "$CACHE/kernels"
	echo "$kver $v" | tee "$memo"
}

kernel_kver() {
	local f=$CACHE/kernels/$1.kver
	if [ "$1" = "${PROFILE:-}" ]; then
		[ -s "$PROFILE_DIR/kver" ] || die "$1: its kernel is not built yet ($PROFILE_DIR)"
		cat "$PROFILE_DIR/kver"
		return
	fi
	[ -s "$f" ] || die "$1: no kernel resolved yet; run 'make deps' first"
	cat "$f"
}

kernel_dir() {
	if [ -n "${PROFILE:-}" ] && [ "$1" = "$(cat "$PROFILE_DIR/kver" 2>/dev/null)" ]; then
		echo "$PROFILE_DIR"
	else
		echo "$CACHE/kernels/$1"
	fi
}

# Download linux-image-KVER and the packages of the same KVER it depends on
# (newer kernels split the image into -binary, -modules and -base), unpack them
# into $CACHE/kernels/KVER/root and normalise /usr/lib/modules to /lib/modules.
kernel_fetch() {
	local k=$1 kver v d pkgs p r=${2:-}
	kernel_def "$k"
	[ -n "$r" ] || r=$(kernel_resolve "$k")
	read -r kver v <<<"$r"
	d=$(kernel_dir "$kver")
	if stamp_ok "$d/.complete" "$kver $v" && [ -f "$d/vmlinuz" ]; then
		log "$k: kernel $kver ($v) already fetched"
		echo "$kver" >"$CACHE/kernels/$k.kver"
		return 0
	fi
	log "$k: fetching kernel $kver ($v)"
	safe_rm_rf "$d"
	mkdir -p "$d/debs" "$d/root"
	pkgs="linux-image-$kver=$v"
	for p in $(apt_priv "$K_APTSET" apt-cache show "linux-image-$kver=$v" |
		sed -n 's/^Depends: //p' | head -n1 | tr ',|' '\n\n' |
		awk -v kver="$kver" '{ n = $1; s = "-" kver }
			n ~ /^linux-/ && substr(n, length(n) - length(s) + 1) == s { print n }'); do
		pkgs="$pkgs $p=$v"
	done
	( cd "$d/debs" && apt_priv "$K_APTSET" apt-get -q download $pkgs >"$d/download.log" 2>&1 ) ||
		{ redact <"$d/download.log" >&2; die "$k: downloading $pkgs failed"; }
	for p in "$d"/debs/*.deb; do dpkg-deb -x "$p" "$d/root"; done
	if [ -d "$d/root/usr/lib/modules/$kver" ] && [ ! -d "$d/root/lib/modules/$kver" ]; then
		mkdir -p "$d/root/lib/modules"
		mv "$d/root/usr/lib/modules/$kver" "$d/root/lib/modules/$kver"
	fi
	[ -d "$d/root/lib/modules/$kver/kernel" ] || die "$k: $kver: no modules in $pkgs"
	# /boot/vmlinuz-KVER up to 6.x, /usr/lib/modules/KVER/vmlinuz since the split
	for p in "$d/root/boot/vmlinuz-$kver" "$d/root/lib/modules/$kver/vmlinuz" ""; do
		[ -f "$p" ] && break
	done
	[ -n "$p" ] || die "$k: $kver: no vmlinuz in $pkgs"
	cp "$p" "$d/vmlinuz"
	for p in "$d/root/boot/config-$kver" "$d/root/lib/modules/$kver/config" ""; do
		[ -f "$p" ] && break
	done
	[ -n "$p" ] || die "$k: $kver: no kernel config in $pkgs"
	cp "$p" "$d/config"
	depmod -b "$d/root" "$kver" || die "$k: depmod of $kver failed"
	rm -rf "$d/debs"
	stamp_set "$d/.complete" "$kver $v"
	echo "$kver" >"$CACHE/kernels/$k.kver"
}

# Drop fetched kernels that no matrix entry resolves to any more (point
# releases come and go; each unpacked kernel is 150-400 MiB).
kernel_prune() {
	local d keep
	keep=$(cat "$CACHE"/kernels/*.kver 2>/dev/null || :)
	for d in "$CACHE"/kernels/*/; do
		[ -d "$d" ] || continue
		d=${d%/}
		case " $(echo $keep) " in
		*" ${d##*/} "*) ;;
		*) log "dropping kernel ${d##*/} from the cache (no longer in the matrix)"
		   safe_rm_rf "$d" ;;
		esac
	done
}
