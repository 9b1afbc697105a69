/*
 * hutch list [--format table|json] [--quiet]: the containers under --root,
 * printed as runc prints them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "list.h"
#include "util.h"
#include "banned.h"

static const char list_usage[] = "usage: hutch list [--format table|json] [--quiet]\n\n"
                                 "List the containers under --root.\n\n"
                                 "  -f, --format FORMAT  table (default) or json\n"
                                 "  -q, --quiet          print only the ids\n";

/* runc prints through Go's tabwriter (minwidth 12, padding 3): every
 * column but the last is as wide as its widest cell plus 3, at least 12. */
#define TABLE_COLUMNS  6
#define TABLE_MINWIDTH 12
#define TABLE_PADDING  3

/* Width as tabwriter counts it: in UTF-8 characters. */
static size_t
text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

struct row {
	const char *cells[TABLE_COLUMNS];
	char pid[16];
};

static void
print_row(const struct row *row, const size_t widths[TABLE_COLUMNS])
{
	for (int c = 0; c < TABLE_COLUMNS - 1; c++)
		printf("%s%*s", row->cells[c], (int)(widths[c] - text_width(row->cells[c])), "");
	printf("%s\n", row->cells[TABLE_COLUMNS - 1]);
}

static void
fill_row(struct row *row, const struct list_entry *e)
{
	const struct state *s = e->state;

	snprintf(row->pid, sizeof(row->pid), "%d", e->status == STATUS_STOPPED ? 0 : (int)s->pid);
	row->cells[0] = s->id;
	row->cells[1] = row->pid;
	row->cells[2] = state_status_name(e->status);
	row->cells[3] = s->bundle ? s->bundle : "";
	row->cells[4] = s->created ? s->created : "";
	row->cells[5] = e->owner;
}

static void
print_table(const struct container_list *l)
{
	_cleanup_free_ struct row *rows = xcalloc(l->n + 1, sizeof(*rows));
	size_t widths[TABLE_COLUMNS];

	rows[0] = (struct row){.cells = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
	for (size_t i = 0; i < l->n; i++)
		fill_row(&rows[i + 1], &l->entries[i]);
	for (int c = 0; c < TABLE_COLUMNS; c++) {
		widths[c] = TABLE_MINWIDTH;
		for (size_t i = 0; i <= l->n; i++) {
			size_t w = text_width(rows[i].cells[c]) + TABLE_PADDING;

			if (w > widths[c])
				widths[c] = w;
		}
	}
	for (size_t i = 0; i <= l->n; i++)
		print_row(&rows[i], widths);
}

static int
print_list(const struct container_list *l, bool json, bool quiet, struct hutch_error *err)
{
	char *text;

	if (quiet) {
		for (size_t i = 0; i < l->n; i++)
			puts(l->entries[i].state->id);
	} else if (json) {
		text = list_json(l);
		if (!text)
			return error_msg(err, ENOMEM, "encode the container list");
		puts(text);
		free(text);
	} else {
		print_table(l);
	}
	return 0;
}

int
cmd_list(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	static const struct option options[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct container_list l;
	bool json = false, quiet = false;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:qh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cmd_parse_format(optarg, &json, err) < 0)
				return -err->code;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			cmd_usage(list_usage);
			return 0;
		default:
			return cmd_unknown_flag("list", argc, argv, err);
		}
	}
	if (optind < argc)
		return error_msg(err, EINVAL, "list: unexpected argument '%s'", argv[optind]);
	r = list_load(g->root, &l, err);
	if (r < 0)
		return r;
	r = print_list(&l, json, quiet, err);
	list_release(&l);
	return r;
}
