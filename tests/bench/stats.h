/* SPDX-License-Identifier: MIT */
/* Timing and the statistics of repeated runs. */
#ifndef URING_DMABUF_BENCH_STATS_H
#define URING_DMABUF_BENCH_STATS_H

#define MAX_RUNS 32

struct samples {
	double v[MAX_RUNS];
	int n;
};

double now_ms(void);
void samples_add(struct samples *s, double v);
double samples_median(const struct samples *s);
double samples_min(const struct samples *s);
double samples_max(const struct samples *s);

#endif
