// SPDX-License-Identifier: GPL-2.0
#include "core/jit.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <capstone/capstone.h>

static bool is_stack_reg(x86_reg r)
{
	return r == X86_REG_RBP || r == X86_REG_RSP || r == X86_REG_EBP || r == X86_REG_ESP;
}

static void classify(csh h, const cs_insn *ci, struct jit_insn *ji)
{
	const cs_x86 *x = &ci->detail->x86;
	int i;

	ji->branch = cs_insn_group(h, ci, CS_GRP_JUMP);
	ji->uncond = ci->id == X86_INS_JMP;
	ji->ret = cs_insn_group(h, ci, CS_GRP_RET);
	for (i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];

		if (op->type == X86_OP_MEM && is_stack_reg(op->mem.base))
			ji->stack_access = true;
		if (op->type == X86_OP_MEM && op->size == 1 && i > 0 &&
		    (ci->id == X86_INS_MOVZX || ci->id == X86_INS_MOV))
			ji->byte_load = true;
		if (ji->branch && op->type == X86_OP_IMM && x->op_count == 1) {
			ji->has_target = true;
			ji->target = (uint64_t)op->imm;
		}
	}
	ji->add_rr = ci->id == X86_INS_ADD && x->op_count == 2 &&
		     x->operands[0].type == X86_OP_REG && x->operands[1].type == X86_OP_REG &&
		     x->operands[0].size == 8;
}

int jit_disasm(const void *code, size_t len, uint64_t addr, struct jit_code *out)
{
	cs_insn *ci;
	size_t n, i;
	csh h;

	memset(out, 0, sizeof(*out));
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -EINVAL;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	n = cs_disasm(h, code, len, addr, 0, &ci);
	if (n == 0) {
		cs_close(&h);
		return -EINVAL;
	}
	out->insns = calloc(n, sizeof(*out->insns));
	if (!out->insns) {
		cs_free(ci, n);
		cs_close(&h);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct jit_insn *ji = &out->insns[i];

		ji->addr = ci[i].address;
		ji->size = ci[i].size;
		snprintf(ji->text, sizeof(ji->text), "%s%s%s", ci[i].mnemonic,
			 ci[i].op_str[0] ? " " : "", ci[i].op_str);
		classify(h, &ci[i], ji);
	}
	out->n = n;
	cs_free(ci, n);
	cs_close(&h);
	return 0;
}

void jit_code_free(struct jit_code *c)
{
	free(c->insns);
	c->insns = NULL;
	c->n = 0;
}

void jit_print(FILE *f, const struct jit_code *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		fprintf(f, "  %16llx:  %s\n", (unsigned long long)c->insns[i].addr, c->insns[i].text);
}

int jit_prog_image(int prog_fd, void **image, size_t *len, uint64_t *addr)
{
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	__u64 ksym = 0;
	void *buf;

	/* first call: sizes only */
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &info_len))
		return -errno;
	if (!info.jited_prog_len)
		return -ENOENT;
	buf = malloc(info.jited_prog_len);
	if (!buf)
		return -ENOMEM;
	*len = info.jited_prog_len;
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = (__u32)*len;
	info.jited_prog_insns = (__u64)(unsigned long)buf;
	info.nr_jited_ksyms = 1;
	info.jited_ksyms = (__u64)(unsigned long)&ksym;
	info_len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &info_len)) {
		free(buf);
		return -errno;
	}
	*image = buf;
	*addr = ksym;
	return 0;
}

/* st_size of symbol @name in the running executable's .symtab. */
static int symbol_size(const char *name, size_t *size)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), err = -ENOENT;
	Elf_Scn *scn = NULL;
	Elf *elf;

	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	while (elf && err == -ENOENT && (scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		GElf_Shdr sh;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		for (i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *s;

			if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
				continue;
			s = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (s && !strcmp(s, name) && sym.st_size) {
				*size = sym.st_size;
				err = 0;
				break;
			}
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}

int jit_native_code(const char *name, const void *fn, void **code, size_t *len)
{
	size_t size = 0;
	int err = symbol_size(name, &size);

	if (err)
		return err;
	*code = malloc(size);
	if (!*code)
		return -ENOMEM;
	memcpy(*code, fn, size);
	*len = size;
	return 0;
}

static long index_of(const struct jit_code *c, uint64_t addr)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->insns[mid].addr == addr)
			return (long)mid;
		if (c->insns[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* in[] = the natural loop of back edge latch -> head (instruction indices). */
static void natural_loop(const struct jit_code *c, size_t head, size_t latch,
			 bool *in, size_t *stack)
{
	size_t sp = 0, i;

	memset(in, 0, c->n * sizeof(*in));
	in[head] = true;
	if (!in[latch]) {
		in[latch] = true;
		stack[sp++] = latch;
	}
	while (sp) {
		size_t m = stack[--sp];

		/* predecessors of m: fall-through from m-1, any branch targeting m */
		for (i = 0; i < c->n; i++) {
			const struct jit_insn *p = &c->insns[i];
			bool pred = (i + 1 == m && !p->uncond && !p->ret) ||
				    (p->has_target && p->target == c->insns[m].addr);

			if (pred && !in[i]) {
				in[i] = true;
				stack[sp++] = i;
			}
		}
	}
}

int jit_innermost_loop(const struct jit_code *c, struct jit_loop *out)
{
	bool *in = calloc(c->n ? c->n : 1, sizeof(*in));
	size_t *stack = calloc(c->n ? c->n : 1, sizeof(*stack));
	bool found = false;
	size_t b, j;

	if (!in || !stack) {
		free(in);
		free(stack);
		return -ENOMEM;
	}
	for (b = 0; b < c->n; b++) {
		const struct jit_insn *br = &c->insns[b];
		struct jit_loop l = { 0 };
		bool inner = true;
		long h;

		if (!br->branch || !br->has_target || br->target > br->addr)
			continue;
		h = index_of(c, br->target);
		if (h < 0)
			continue;
		natural_loop(c, (size_t)h, b, in, stack);
		for (j = 0; j < c->n; j++) {
			const struct jit_insn *x = &c->insns[j];

			if (!in[j])
				continue;
			/* another back edge inside: this loop encloses a loop */
			if (j != b && x->branch && x->has_target && x->target <= x->addr &&
			    x->target >= c->insns[h].addr)
				inner = false;
			l.insns++;
			l.stack_accesses += x->stack_access;
			l.byte_loads += x->byte_load;
			l.add_rr += x->add_rr;
		}
		if (!inner || (found && l.insns <= out->insns))
			continue;
		l.head = c->insns[h].addr;
		l.latch = br->addr;
		*out = l;
		found = true;
	}
	free(in);
	free(stack);
	return found ? 0 : -ENOENT;
}
