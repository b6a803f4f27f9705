/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Machine code of BPF programs and of native functions: fetch it (the JIT
 * image of a loaded program; a function's bytes by its ELF symbol size),
 * disassemble it with capstone (x86-64), and find its innermost loop to count
 * instructions and stack accesses per iteration (paper §4.2, Fig. 14).
 */
#ifndef OBENCH_JIT_H
#define OBENCH_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct jit_insn {
	uint64_t addr;
	uint16_t size;
	char text[96];		/* "mnemonic operands" */
	bool branch;		/* any jump (conditional or not) */
	bool uncond;		/* jmp: no fall-through */
	bool ret;
	bool has_target;	/* direct branch: target is known */
	uint64_t target;
	bool stack_access;	/* a memory operand based on rbp or rsp */
	bool byte_load;		/* a 1-byte memory load (movzx/mov r, byte ptr) */
	bool add_rr;		/* add reg, reg (64-bit): one fib step */
};

struct jit_code {
	struct jit_insn *insns;
	size_t n;
};

/* Disassembles @len bytes of x86-64 code located at @addr. */
int jit_disasm(const void *code, size_t len, uint64_t addr, struct jit_code *out);
void jit_code_free(struct jit_code *c);

/* Prints "addr: insn" lines, one per instruction. */
void jit_print(FILE *f, const struct jit_code *c);

/*
 * The JIT image of a loaded program (malloc'ed) and the kernel address it
 * runs at (0 when the kernel hides it).  -ENOENT: the program is not JITed.
 */
int jit_prog_image(int prog_fd, void **image, size_t *len, uint64_t *addr);

/*
 * A copy of the machine code of function @fn, named @name in the running
 * executable's symbol table (its size comes from there).
 */
int jit_native_code(const char *name, const void *fn, void **code, size_t *len);

/* One loop: the instructions a back edge (latch -> head) repeats. */
struct jit_loop {
	uint64_t head, latch;		/* addresses */
	unsigned int insns;		/* instructions per iteration */
	unsigned int stack_accesses;	/* [rbp/rsp + off] operands per iteration */
	unsigned int byte_loads;	/* 1-byte loads per iteration */
	unsigned int add_rr;		/* reg+reg adds per iteration */
};

/*
 * The innermost loop (a back edge whose body holds no other back edge); when
 * there are several, the one with the most instructions.  The body is the
 * natural loop: every instruction that reaches the latch without passing the
 * head.  -ENOENT when the code has no loop.
 */
int jit_innermost_loop(const struct jit_code *c, struct jit_loop *out);



#endif
