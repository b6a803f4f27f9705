// SPDX-License-Identifier: GPL-2.0
#include "core/cpupin.h"

#include <pthread.h>
#include <unistd.h>

int cpu_pin(int cpu)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(n > 0 ? cpu % (int)n : 0, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

bool cpu_pin_save(int cpu, cpu_set_t *saved)
{
	return cpu >= 0 && !pthread_getaffinity_np(pthread_self(), sizeof(*saved), saved) &&
	       !cpu_pin(cpu);
}

void cpu_unpin(const cpu_set_t *saved)
{
	pthread_setaffinity_np(pthread_self(), sizeof(*saved), saved);
}
