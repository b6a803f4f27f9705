/* SPDX-License-Identifier: GPL-2.0 */
/* The machine and build facts every result carries (run.json). */
#ifndef OBENCH_METADATA_H
#define OBENCH_METADATA_H

#include <json-c/json.h>

/* A new JSON object with kernel, CPU, toolchain, JIT sysctls, mitigations, revision. */
struct json_object *metadata_collect(const char *tier);

/* Reads one line of a small file (sysfs/procfs) into @buf; "" when absent. */
const char *read_line(const char *path, char *buf, size_t len);

#endif
