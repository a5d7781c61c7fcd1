#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Detect kernel features from the headers of the kernel we build for, and
# print them as -D flags for compat.h. Distro kernels backport, so headers
# are the truth, not the version number.
# Usage: probe.sh SRCTREE
src=${1:?usage: probe.sh SRCTREE}
inc=$src/include/linux

have() {
	echo "-DURING_DMABUF_HAVE_$1"
}

# The declaration of io_uring_cmd_import_fixed, joined onto one line.
import_fixed_decl() {
	sed -n '/^int io_uring_cmd_import_fixed(/,/;/p' "$1" | tr -d '\n\t'
}

# The parameter list of io_uring_cmd_done (declared, or inline since 6.18).
cmd_done_params() {
	sed -n '/[ *]io_uring_cmd_done(struct io_uring_cmd/,/)/p' "$1" | tr -d '\n\t' |
		sed 's/)[^)]*$/)/'
}

grep -qs 'static inline void vm_flags_set' "$inc/mm.h" && have VM_FLAGS_SET
grep -qs 'ITER_DEST' "$inc/uio.h" && have ITER_DEST
grep -qs 'long memfd_pin_folios(' "$inc/mm.h" && have MEMFD_PIN_FOLIOS
# 6.16 made memfd_pin_folios() reserve a hugetlb page before filling a hole
# (the same series made hugetlb_reserve_pages() return long).
grep -qs '^long hugetlb_reserve_pages(' "$inc/hugetlb.h" && have MEMFD_HUGETLB_RESERVE

cmd_h=$inc/io_uring/cmd.h
if [ -f "$cmd_h" ]; then
	have IO_URING_CMD_H
else
	cmd_h=$inc/io_uring.h
fi
grep -qs 'const struct io_uring_sqe \*sqe;' "$cmd_h" && have IO_URING_CMD_SQE
cmd_done_params "$cmd_h" | grep -Eq 'res2|ret2' && have CMD_DONE_RES2
import_fixed_decl "$cmd_h" | grep -q 'issue_flags' && have IMPORT_FIXED_ISSUE_FLAGS
exit 0
