// SPDX-License-Identifier: MIT
/* lib/device.c against a wrapped open() and ioctl(): no device needed. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

#include "unit.h"

#include "liburing_dmabuf.h"

/* What the wrapped ioctl() does with its argument before returning. */
static void (*ioctl_hook)(unsigned long req, void *arg);

int __wrap_open(const char *path, int flags, ...)
{
	check_expected(path);
	check_expected(flags);
	errno = mock_type(int);
	return mock_type(int);
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	check_expected(fd);
	check_expected(req);
	if (ioctl_hook)
		ioctl_hook(req, arg);
	errno = mock_type(int);
	return errno ? -1 : 0;
}

static int reset(void **state)
{
	(void)state;
	ioctl_hook = NULL;
	return 0;
}

/* The kernel answers: 0, or -1 with @err in errno. */
static void expect_ioctl(int fd, unsigned long req, int err)
{
	expect_value(__wrap_ioctl, fd, fd);
	expect_value(__wrap_ioctl, req, req);
	will_return(__wrap_ioctl, err);
}

static void lib_version__macros(void **state)
{
	(void)state;
	assert_int_equal(uring_dmabuf_lib_major(), URING_DMABUF_LIB_MAJOR);
	assert_int_equal(uring_dmabuf_lib_minor(), URING_DMABUF_LIB_MINOR);
	assert_true(URING_DMABUF_VERSION_AT_LEAST(URING_DMABUF_LIB_MAJOR,
					       URING_DMABUF_LIB_MINOR));
	assert_false(URING_DMABUF_VERSION_AT_LEAST(URING_DMABUF_LIB_MAJOR,
						URING_DMABUF_LIB_MINOR + 1));
	assert_false(URING_DMABUF_VERSION_AT_LEAST(URING_DMABUF_LIB_MAJOR + 1, 0));
	/* An older version than this one: true (liburing's reading is not). */
	assert_true(URING_DMABUF_VERSION_AT_LEAST(0, 0));
}

static void open__device_node_rdwr_cloexec(void **state)
{
	(void)state;
	expect_string(__wrap_open, path, "/dev/uring_dmabuf");
	expect_value(__wrap_open, flags, O_RDWR | O_CLOEXEC);
	will_return(__wrap_open, 0);
	will_return(__wrap_open, 7);
	assert_int_equal(uring_dmabuf_open(), 7);
}

static void open__no_module_is_enoent(void **state)
{
	(void)state;
	expect_any(__wrap_open, path);
	expect_any(__wrap_open, flags);
	will_return(__wrap_open, ENOENT);
	will_return(__wrap_open, -1);
	assert_int_equal(uring_dmabuf_open(), -ENOENT);
}

static void version__null_out(void **state)
{
	(void)state;
	assert_int_equal(uring_dmabuf_version(3, NULL), -EINVAL);
}

static void version_check(unsigned long req, void *arg)
{
	struct uring_dmabuf_version *v = arg;
	struct uring_dmabuf_version zero = { .size = sizeof(*v) };

	assert_int_equal(req, URING_DMABUF_IOC_VERSION);
	/* Only size set: a stale flags or reserved byte would be -EINVAL. */
	assert_memory_equal(v, &zero, sizeof(zero));
	v->api_version = URING_DMABUF_API_VERSION;
	v->max_ranges = 512;
}

static void version__size_set_rest_zeroed(void **state)
{
	struct uring_dmabuf_version v;

	(void)state;
	memset(&v, 0xa5, sizeof(v));
	ioctl_hook = version_check;
	expect_ioctl(3, URING_DMABUF_IOC_VERSION, 0);
	assert_int_equal(uring_dmabuf_version(3, &v), 0);
	assert_int_equal(v.size, sizeof(v));
	assert_int_equal(v.size, URING_DMABUF_VERSION_SIZE_VER0);
	assert_int_equal(v.api_version, URING_DMABUF_API_VERSION);
	assert_int_equal(v.max_ranges, 512);
}

static void version__ioctl_error_is_negative_errno(void **state)
{
	struct uring_dmabuf_version v;

	(void)state;
	expect_ioctl(3, URING_DMABUF_IOC_VERSION, ENOTTY);
	assert_int_equal(uring_dmabuf_version(3, &v), -ENOTTY);
}

static void create__null_iov(void **state)
{
	(void)state;
	assert_int_equal(uring_dmabuf_create(3, NULL, 1, 0), -EINVAL);
}

static void create__zero_ranges(void **state)
{
	struct iovec iov = { .iov_base = (void *)0x1000, .iov_len = 4096 };

	(void)state;
	assert_int_equal(uring_dmabuf_create(3, &iov, 0, 0), -EINVAL);
}

static const struct iovec three[] = {
	{ .iov_base = (void *)0x7f0000000000, .iov_len = 4096 },
	{ .iov_base = (void *)0x7f0000200000, .iov_len = 2 << 20 },
	{ .iov_base = (void *)0x1000, .iov_len = 8192 },
};

static void create_check(unsigned long req, void *arg)
{
	struct uring_dmabuf_create *c = arg;
	const struct uring_dmabuf_range *r;
	unsigned int i;

	assert_int_equal(req, URING_DMABUF_IOC_CREATE);
	assert_int_equal(c->size, sizeof(*c));
	assert_int_equal(c->size, URING_DMABUF_CREATE_SIZE_VER0);
	assert_int_equal(c->flags, URING_DMABUF_CREATE_CLOEXEC |
				   URING_DMABUF_CREATE_READONLY);
	assert_int_equal(c->nr_ranges, 3);
	assert_int_equal(c->fd, 0);
	assert_int_equal(c->bytes, 0);
	r = (const struct uring_dmabuf_range *)(uintptr_t)c->ranges;
	assert_non_null(r);
	for (i = 0; i < 3; i++) {
		assert_int_equal(r[i].addr, (uintptr_t)three[i].iov_base);
		assert_int_equal(r[i].len, three[i].iov_len);
	}
	c->fd = 11;
	c->bytes = 4096 + (2 << 20) + 8192;
}

static void create__ranges_from_iovecs_returns_fd(void **state)
{
	(void)state;
	ioctl_hook = create_check;
	expect_ioctl(4, URING_DMABUF_IOC_CREATE, 0);
	assert_int_equal(uring_dmabuf_create(4, three, 3,
					     URING_DMABUF_CREATE_CLOEXEC |
					     URING_DMABUF_CREATE_READONLY), 11);
}

static void cloexec_check(unsigned long req, void *arg)
{
	struct uring_dmabuf_create *c = arg;

	assert_int_equal(req, URING_DMABUF_IOC_CREATE);
	assert_int_equal(c->flags, URING_DMABUF_CREATE_CLOEXEC);
	c->fd = 12;
}

/* Close-on-exec like every descriptor of the library, even with flags 0. */
static void create__always_cloexec(void **state)
{
	(void)state;
	ioctl_hook = cloexec_check;
	expect_ioctl(4, URING_DMABUF_IOC_CREATE, 0);
	assert_int_equal(uring_dmabuf_create(4, three, 1, 0), 12);
}

static void create__ioctl_error_is_negative_errno(void **state)
{
	(void)state;
	expect_ioctl(4, URING_DMABUF_IOC_CREATE, ENOMEM);
	assert_int_equal(uring_dmabuf_create(4, three, 3, 0), -ENOMEM);
	expect_ioctl(4, URING_DMABUF_IOC_CREATE, E2BIG);
	assert_int_equal(uring_dmabuf_create(4, three, 1, 0), -E2BIG);
}

static void info__null_out(void **state)
{
	(void)state;
	assert_int_equal(uring_dmabuf_info(3, 5, NULL), -EINVAL);
}

static void info_check(unsigned long req, void *arg)
{
	struct uring_dmabuf_info *in = arg;
	struct uring_dmabuf_info want = { .size = sizeof(*in), .fd = 9 };

	assert_int_equal(req, URING_DMABUF_IOC_INFO);
	assert_memory_equal(in, &want, sizeof(want));
	in->bytes = 1 << 20;
	in->nr_segments = 2;
}

static void info__size_and_fd_set_rest_zeroed(void **state)
{
	struct uring_dmabuf_info in;

	(void)state;
	memset(&in, 0x5a, sizeof(in));
	ioctl_hook = info_check;
	expect_ioctl(3, URING_DMABUF_IOC_INFO, 0);
	assert_int_equal(uring_dmabuf_info(3, 9, &in), 0);
	assert_int_equal(in.size, URING_DMABUF_INFO_SIZE_VER0);
	assert_int_equal(in.bytes, 1 << 20);
	assert_int_equal(in.nr_segments, 2);
}

static void info__foreign_fd_is_einval(void **state)
{
	struct uring_dmabuf_info in;

	(void)state;
	expect_ioctl(3, URING_DMABUF_IOC_INFO, EINVAL);
	assert_int_equal(uring_dmabuf_info(3, 0, &in), -EINVAL);
	expect_ioctl(3, URING_DMABUF_IOC_INFO, EBADF);
	assert_int_equal(uring_dmabuf_info(3, 99, &in), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(lib_version__macros, reset),
		cmocka_unit_test_setup(create__always_cloexec, reset),
		cmocka_unit_test_setup(open__device_node_rdwr_cloexec, reset),
		cmocka_unit_test_setup(open__no_module_is_enoent, reset),
		cmocka_unit_test_setup(version__null_out, reset),
		cmocka_unit_test_setup(version__size_set_rest_zeroed, reset),
		cmocka_unit_test_setup(version__ioctl_error_is_negative_errno, reset),
		cmocka_unit_test_setup(create__null_iov, reset),
		cmocka_unit_test_setup(create__zero_ranges, reset),
		cmocka_unit_test_setup(create__ranges_from_iovecs_returns_fd, reset),
		cmocka_unit_test_setup(create__ioctl_error_is_negative_errno, reset),
		cmocka_unit_test_setup(info__null_out, reset),
		cmocka_unit_test_setup(info__size_and_fd_set_rest_zeroed, reset),
		cmocka_unit_test_setup(info__foreign_fd_is_einval, reset),
	};

	return unit_run("device", tests);
}
