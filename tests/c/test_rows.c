/*
 * test_rows.c — gb_format_rows (csrc/output/rows.c): the text of every cell kind, doubles that
 * read back exactly, rows that never split across calls, and refusals of sizes it cannot trust.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "graphbuild.h"

static const gb_row_style CSV = { "", "\n", "", "True", "False", 0 };
static const gb_row_style JSON_ARRAY = { ", ", "", "null", "true", "false", 1 };

static void test_cells(void)
{
    int64_t ids[3] = { 7, -2, 9000000000000000000 };
    double x[3] = { 0.1, 3.0, -INFINITY };
    uint8_t flag[3] = { 1, 0, 1 };
    int64_t parent[3] = { 2, -1, 3 };   /* 3: past the ids, shown as no node too */
    gb_row_column cols[4] = {
        { .kind = GB_CELL_INT, .values = ids, .nvalues = 3, .before = "" },
        { .kind = GB_CELL_FLOAT, .values = x, .nvalues = 3, .before = "," },
        { .kind = GB_CELL_BOOL, .values = flag, .nvalues = 3, .before = "," },
        { .kind = GB_CELL_INT, .values = ids, .nvalues = 3, .index = parent, .before = "," },
    };
    char buf[256];
    int64_t used = -1;
    CHECK_EQ_I(gb_format_rows(0, 3, 4, cols, &CSV, buf, sizeof buf, &used), 3);
    buf[used] = '\0';
    CHECK(strcmp(buf, "7,0.1,True,9000000000000000000\n-2,3.0,False,\n9000000000000000000,-inf,True,\n") == 0);

    /* a JSON array: separators between rows only, quoted non-finite values */
    gb_row_column array = { .kind = GB_CELL_FLOAT, .values = x, .nvalues = 3, .before = "" };
    CHECK_EQ_I(gb_format_rows(0, 3, 1, &array, &JSON_ARRAY, buf, sizeof buf, &used), 3);
    buf[used] = '\0';
    CHECK(strcmp(buf, "0.1, 3.0, \"-inf\"") == 0);
    CHECK_EQ_I(gb_format_rows(1, 2, 1, &array, &JSON_ARRAY, buf, sizeof buf, &used), 2);
    buf[used] = '\0';
    CHECK(strcmp(buf, ", 3.0, \"-inf\"") == 0);   /* row 1 follows row 0 of an earlier call */
}

static void test_doubles_read_back(void)
{
    double values[] = { 1.0 / 3.0, 2.0 / 3.0, 1e-300, 5e-324, 1.7976931348623157e308, -0.0,
                        123456789012345680.0, 0.30000000000000004, 1e16, 2.5 };
    gb_row_column col = { .kind = GB_CELL_FLOAT, .values = values, .nvalues = 10, .before = "" };
    char buf[1024];
    int64_t used = 0;
    CHECK_EQ_I(gb_format_rows(0, 10, 1, &col, &CSV, buf, sizeof buf - 1, &used), 10);
    buf[used] = '\0';
    char *line = buf;
    for (int i = 0; i < 10; i++) {
        char *end = strchr(line, '\n');
        *end = '\0';
        double back = strtod(line, NULL);
        CHECK(back == values[i] && signbit(back) == signbit(values[i]));
        CHECK(strpbrk(line, ".en") != NULL);   /* still a float when read back */
        line = end + 1;
    }
}

static void test_rows_never_split(void)
{
    int64_t v[4] = { 1000, 2000, 3000, 4000 };
    gb_row_column col = { .kind = GB_CELL_INT, .values = v, .nvalues = 4, .before = "" };
    char buf[12];
    int64_t used = 0;
    CHECK_EQ_I(gb_format_rows(0, 4, 1, &col, &CSV, buf, 12, &used), 2);   /* "1000\n2000\n" */
    CHECK_EQ_I(used, 10);
    CHECK_EQ_I(gb_format_rows(0, 4, 1, &col, &CSV, buf, 3, &used), 0);
    CHECK_EQ_I(used, 0);
}

static void test_refusals(void)
{
    const char text[] = "abcdef";
    int64_t offsets[3] = { 0, 3, 9 };   /* the second token leaves the bytes */
    gb_row_column col = { .kind = GB_CELL_TEXT, .values = text, .nvalues = 2, .offsets = offsets,
                          .nbytes = 6, .before = "" };
    char buf[64];
    int64_t used = 0;
    CHECK_EQ_I(gb_format_rows(0, 1, 1, &col, &CSV, buf, sizeof buf, &used), 1);
    CHECK_EQ_I(gb_format_rows(0, 2, 1, &col, &CSV, buf, sizeof buf, &used), -1);
    CHECK_EQ_I(gb_format_rows(0, 3, 1, &col, &CSV, buf, sizeof buf, &used), -1);   /* row past nvalues */
    col.kind = 99;
    CHECK_EQ_I(gb_format_rows(0, 1, 1, &col, &CSV, buf, sizeof buf, &used), -1);
    CHECK_EQ_I(gb_format_rows(0, 1, 1, NULL, &CSV, buf, sizeof buf, &used), -1);
    CHECK_EQ_I(gb_format_rows(-1, 1, 1, &col, &CSV, buf, sizeof buf, &used), -1);
}

int main(void)
{
    test_cells();
    test_doubles_read_back();
    test_rows_never_split();
    test_refusals();
    return CHECK_DONE();
}
