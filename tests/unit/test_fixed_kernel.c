// SPDX-License-Identifier: MIT
/*
 * lib/fixed.c against the running kernel's io_uring, no module needed:
 * /dev/null completes any uring_cmd with 0 (Linux 6.0+), which must not
 * come back as fd 0. Skips where io_uring is not available.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <liburing.h>

#include "unit.h"

#include "liburing_dmabuf.h"

static void create_fixed__dev_null_is_an_error_not_fd_0(void **state)
{
	struct io_uring ring;
	struct iovec iov;
	int null_fd, ret;
	void *p;

	(void)state;
	if (io_uring_queue_init(4, &ring, 0))
		skip();	/* no io_uring here (disabled, or a seccomp filter) */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	iov.iov_base = p;
	iov.iov_len = 4096;
	assert_int_equal(io_uring_register_buffers(&ring, &iov, 1), 0);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(null_fd >= 0);
	ret = uring_dmabuf_create_fixed(&ring, null_fd, p, 4096, 0, 0);
	/* -ENOTTY from the check; before 6.0, the kernel's -EOPNOTSUPP */
	if (ret != -ENOTTY && ret != -EOPNOTSUPP)
		fail_msg("create_fixed on /dev/null returned %d", ret);
	/* nothing left behind in the ring */
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	close(null_fd);
	io_uring_queue_exit(&ring);
	munmap(p, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_fixed__dev_null_is_an_error_not_fd_0),
	};

	return unit_run("fixed_kernel", tests);
}
