/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmdc: shared declarations of the GCC plugin.
 *
 * The plugin is split by job: kvmdc_plugin.c (arguments, pass, callbacks),
 * policy.c (the policy file), sites.c (macro expansions and their __ret),
 * slice.c (backward slice of a condition, the verdict), report.c
 * (diagnostics and facts), bug_sites.c (rule bug-on-guest), bounds.c (the
 * values callers pass: a trap none of them reaches).
 */
#ifndef KVMDC_H
#define KVMDC_H

#include "gcc-plugin.h"
#include "config.h"
#include "system.h"
#include "coretypes.h"
#include "tm.h"
#include "line-map.h"
#include "input.h"
#include "tree.h"
#include "function.h"
#include "basic-block.h"
#include "cgraph.h"
#include "diagnostic.h"
#include "tree-pass.h"
#include "context.h"
#include "gimple.h"
#include "gimple-iterator.h"
#include "gimple-ssa.h"
#include "tree-dfa.h"
#include "stringpool.h"
#include "tree-vrp.h"
#include "tree-ssanames.h"
#include "tree-cfg.h"
#include "dominance.h"
#include "cpplib.h"
#include "internal-fn.h"
#include "intl.h"

#include <string>
#include <vector>

#define __visible	__attribute__((visibility("default")))

#define KVMDC_MACRO	"KVM_BUG_ON_DATA_CORRUPTION"

/* ---- policy.c ---- */

enum provenance {
	PROV_NONE,	/* not named by the policy */
	PROV_HOST,
	PROV_GUEST,
};

struct policy_hit {
	enum provenance prov;
	const char *why;	/* reason text of the policy line */
};

extern bool policy_dump;		/* -fplugin-arg-kvmdc-dump-policy */
bool policy_load(const char *path);
struct policy_hit policy_func(const char *name);
struct policy_hit policy_type(const char *type);
struct policy_hit policy_field(const char *type, const char *field);
struct policy_hit policy_param(const char *name);
bool policy_in_bug_scope(const char *file);
bool policy_has_bug_scope(void);
const char *policy_bug_allowed(const char *file, const char *function, const char *check);

/* ---- sites.c ---- */

struct site {
	location_t map_start;	/* key: MAP_START_LOCATION of the expansion */
	location_t expansion;	/* where the user wrote KVM_BUG_ON_DATA_CORRUPTION( */
	tree fndecl;
	function *fn;
	tree ret_ssa;		/* the non-default SSA name of __ret */
	gimple *def;		/* __ret_N = <cond> */
	bool analysed;
	int tu_verdict;		/* with db=: the verdict this unit alone gives, or -1 */
};

bool is_site_ret_decl(tree var, const line_map_macro **map);
void find_sites_in_function(function *fn, std::vector<site> &out);
void find_unanalysed_sites(std::vector<site> &sites);
bool macro_tracking_enabled(void);
location_t user_location(location_t loc);

/* ---- slice.c ---- */

enum source_class {
	SRC_CONSTANT,
	SRC_HOST,
	SRC_GUEST,
	SRC_UNKNOWN,
	SRC_SYMBOLIC,	/* facts only: decided by the whole-build database */
};

struct source {
	const char *kind;	/* field, function, macro, parameter, ... */
	std::string name;
	enum source_class cls;
	const char *why;
	location_t loc;
	std::string chain;	/* database witness: steps "text|file|line", tab-separated */
};

enum verdict {
	VERDICT_HOST,
	VERDICT_GUEST,
	VERDICT_UNKNOWN,
};

enum verdict classify_site(const site &s, std::vector<source> &sources);
void slice_reset(void);
void need_dominance(function *fn, cdi_direction dir);
int parm_index(tree fndecl, tree parm);
void slice_terms(tree value, function *fn, gimple *at, std::vector<source> &out);
void slice_terms_pointee(tree ptr, function *fn, gimple *at, std::vector<source> &out);
void site_terms(const site &s, std::vector<source> &out);
bool callee_decides(gcall *call);
std::string field_key(tree ref);
std::string call_via(gcall *call);
std::string table_key(tree ref);
tree call_target(gcall *call);
const char *record_name(tree type);

/* ---- facts.c ---- */

int facts_call_id(gcall *call);
void facts_function(function *fn);
void facts_site(const site &s);
void facts_bindings(void);
void facts_json_terms(std::string &out, const std::vector<source> &terms);
void facts_append(const std::string &record);

/* ---- db.c ---- */

struct db_entry {
	enum source_class cls;
	std::vector<int> params;	/* parameters that reach a return value */
	std::string chain;
};

void db_load(const char *path);
bool kvmdc_db_loaded(void);
void db_suspend(bool suspend);
const db_entry *db_find(char kind, tree fndecl, int idx, const char *key);
const db_entry *db_find_key(const std::string &key);
void control_branches(function *fn, basic_block bb, bool follow_loops,
		      std::vector<gimple *> &out);
enum verdict classify_branch(function *fn, gimple *branch,
			     std::vector<source> &sources);

/* ---- report.c ---- */

enum report_level {
	LEVEL_NOTE,
	LEVEL_WARNING,
	LEVEL_ERROR,
};

extern enum report_level kvmdc_level;
extern bool kvmdc_strict;
extern const char *kvmdc_facts_dir;

const char *verdict_name(enum verdict v);
const char *tree_path(const char *file);
void json_str(std::string &out, const char *s);
void report_site(const site &s, enum verdict v,
		 const std::vector<source> &sources);
void report_unanalysed(const site &s);
void facts_flush(void);
void report_fact_for(const site &s, const char *macro, enum verdict v,
		     const char *rule, const std::vector<source> &sources,
		     const std::string &extra_json);
void report_finding(location_t loc, const char *msg, const char *rule);
void report_sources(const std::vector<source> &sources);
std::string report_json_quote(const char *s);
const char *report_tree_file(const char *file);

/* ---- bounds.c: the values callers pass ---- */

bool unreachable_for_callers(function *fn, gimple *trap, std::vector<source> &sources);

/* ---- bug_sites.c: rule bug-on-guest (plain BUG_ON()/BUG() in KVM) ---- */

void bug_sites_begin_unit(void);
void analyse_bug_sites(function *fn);
extern double bug_sites_seconds;
double cpu_seconds(void);

#endif /* KVMDC_H */
