/* testdb.h: a private, migrated database for the Check suites that need
 * PostgreSQL, made from $LW_TEST_DATABASE_URL (which the test harness sets)
 * and dropped afterwards. Without that variable, or when the server cannot
 * be reached, created or migrated, every database test fails with the
 * reason: a skip would count as a pass. */
#ifndef LW_TESTDB_H
#define LW_TESTDB_H

#include "db/db.h"

typedef struct {
    char tag[48];          /* e.g. "check_stats": names the database too */
    char url[1024];        /* "" when unavailable (see why) */
    char admin_url[1024];
    char name[96];
    char why[1100];
} lw_testdb;

/* For tcase_add_unchecked_fixture wrappers. */
void lw_testdb_setup(lw_testdb *t, const char *tag);
void lw_testdb_teardown(lw_testdb *t);
/* A connection (caller closes); fails the test (never returns NULL) when
 * the database is not available. */
lw_db *lw_testdb_connect(lw_testdb *t);
/* Runs a statement, failing the test on error. */
void lw_testdb_exec(lw_db *db, const char *sql);

#endif
