/* topics.h: every topic header of lib/db at once, for code that reads
 * several topics (a page of the web app, a command). Each function's
 * prefix names its file: lw_db_alerts_list is in lib/db/alerts.c,
 * lw_db_rules_create in lib/db/rules.c. The core API (connections,
 * queries, transactions, migrations) is db.h. */
#ifndef LW_DB_TOPICS_H
#define LW_DB_TOPICS_H

#include "db/alerts.h"
#include "db/audit.h"
#include "db/budgets.h"
#include "db/channels.h"
#include "db/dash.h"
#include "db/db.h"
#include "db/metrics.h"
#include "db/models.h"
#include "db/probes.h"
#include "db/reports.h"
#include "db/rules.h"
#include "db/silences.h"
#include "db/sla.h"
#include "db/stats.h"
#include "db/users.h"

#endif
