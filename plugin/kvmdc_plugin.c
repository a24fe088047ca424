// SPDX-License-Identifier: GPL-2.0
/*
 * kvmdc: finds every KVM_BUG_ON_DATA_CORRUPTION() and tells whether its
 * condition is host data-structure integrity (the only sanctioned use) or
 * a guest-contained condition, which with CONFIG_BUG_ON_DATA_CORRUPTION=y
 * lets one guest panic the host.
 *
 * The plugin only reads the IR: object code is the same with and without
 * it.
 */
#include "kvmdc.h"
#include "plugin-version.h"

__visible int plugin_is_GPL_compatible;

/*
 * The version this plugin was built for.  KVMDC_FOREIGN_GCC builds a test
 * copy that claims another gcc, to check the mismatch is one clear error.
 */
#ifdef KVMDC_FOREIGN_GCC
static struct plugin_gcc_version built_for = {
	KVMDC_FOREIGN_GCC, gcc_version.datestamp, gcc_version.devphase,
	gcc_version.revision, gcc_version.configuration_arguments,
};
#else
#define built_for gcc_version
#endif

static struct plugin_info kvmdc_plugin_info = {
	.version	= "1",
	.help		= "policy=FILE\tguest/host sources and budget (required)\n"
			  "facts=DIR\twrite one JSON-lines record per site to DIR\n"
			  "db=FILE\tdecide what this file cannot see from kvmdc db's TREE/.kvmdc.db\n"
			  "level=note|warning|error\thow findings are reported (default warning)\n"
			  "strict\talso report sites whose provenance is undecided\n"
			  "disable\tdo not activate the plugin\n"
			  "dump-policy\tprint each policy line as parsed (tests)\n"
			  "time\ta note with the pass's cpu time (it ran to its end)\n"
			  "analyse-only\tstop gcc after the pass: no output, exit status 1\n",
};

static bool policy_loaded;
static bool kvmdc_time;
/* -fplugin-arg-kvmdc-analyse-only: gcc stops after our pass (C=1 hook). */
static bool kvmdc_analyse_only;
static bool kvmdc_analysed;
double bug_sites_seconds;	/* cpu time in rule bug-on-guest, this unit */

double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void analyse_function(function *fn, std::vector<site> &sites)
{
	size_t first = sites.size();

	find_sites_in_function(fn, sites);
	for (size_t i = first; i < sites.size(); i++) {
		std::vector<source> sources, alone;
		enum verdict v = classify_site(sites[i], sources);

		if (kvmdc_db_loaded() && kvmdc_facts_dir) {
			db_suspend(true);
			sites[i].tu_verdict = classify_site(sites[i], alone);
			db_suspend(false);
		}
		report_site(sites[i], v, sources);
		facts_site(sites[i]);
	}
	facts_function(fn);
	analyse_bug_sites(fn);
}

/*
 * The C=1 hook wants the diagnostics, not the code.  GCC ends a unit right
 * after the small IPA passes once an error has been counted (ipa_passes()
 * and compile() in cgraphunit.cc): no IPA summary, no LTO streaming, no
 * RTL.  So one is counted, silently; on 6.12's x86.c that is a quarter of
 * the run.  gcc then exits 1 and writes no output, but still writes its
 * -MD dependency file; callers judge the run by the pass's time note.
 */
static void stop_after_analysis(void)
{
	errorcount++;
}

/*
 * Runs once, right after every function of the unit went into SSA and
 * before any of them is optimised: conditions are intact (no constant
 * propagation folded "true" away, no inlining merged loads), and the
 * callers of a function are in SSA too, so parameters can be followed.
 */
static unsigned int kvmdc_execute(void)
{
	std::vector<site> sites;
	cgraph_node *node;
	double start = cpu_seconds();

	if (!policy_loaded)
		return 0;
	if (!macro_tracking_enabled()) {
		const char *msg = "kvmdc: -ftrack-macro-expansion=0 leaves no macro maps, so "
				  KVMDC_MACRO "() sites cannot be found; drop that option";
		if (kvmdc_level == LEVEL_WARNING)
			warning_at(UNKNOWN_LOCATION, 0, "%s", msg);
		else if (kvmdc_level == LEVEL_ERROR)
			error_at(UNKNOWN_LOCATION, "%s", msg);
		else
			inform(UNKNOWN_LOCATION, "%s", msg);
		return 0;
	}
	bug_sites_begin_unit();
	FOR_EACH_FUNCTION_WITH_GIMPLE_BODY(node) {
		function *fn = node->get_fun();

		if (fn && gimple_in_ssa_p(fn))
			analyse_function(fn, sites);
	}
	facts_bindings();
	slice_reset();
	size_t analysed = sites.size();
	find_unanalysed_sites(sites);
	for (size_t i = analysed; i < sites.size(); i++)
		report_unanalysed(sites[i]);
	facts_flush();
	kvmdc_analysed = true;
	if (kvmdc_analyse_only)
		stop_after_analysis();
	if (kvmdc_time) {
		char msg[128];

		/* GCC's diagnostics have no %f. */
		snprintf(msg, sizeof(msg), "kvmdc: pass %.3f ms, of which bug-on-guest %.3f ms",
			 (cpu_seconds() - start) * 1e3, bug_sites_seconds * 1e3);
		inform(UNKNOWN_LOCATION, "%s", msg);
	}
	return 0;
}

static const pass_data kvmdc_pass_data = {
	SIMPLE_IPA_PASS,	/* type */
	"kvmdc",		/* name */
	OPTGROUP_NONE,		/* optinfo_flags */
	TV_NONE,		/* tv_id */
	0,			/* properties_required */
	0,			/* properties_provided */
	0,			/* properties_destroyed */
	0,			/* todo_flags_start */
	0,			/* todo_flags_finish */
};

class kvmdc_pass : public simple_ipa_opt_pass {
public:
	kvmdc_pass(gcc::context *ctxt) : simple_ipa_opt_pass(kvmdc_pass_data, ctxt) {}
	unsigned int execute(function *) final override { return kvmdc_execute(); }
};

/*
 * analyse-only: the small IPA passes that follow ours still run before
 * gcc stops (stop_after_analysis()); gate them off too.
 */
static void gate_off_after_analysis(void *gcc_data, void *user_data)
{
	bool *gate_status = (bool *)gcc_data;

	(void)user_data;
	if (kvmdc_analysed)
		*gate_status = false;
}

static bool parse_level(const char *value)
{
	if (!value)
		return false;
	if (!strcmp(value, "note"))
		kvmdc_level = LEVEL_NOTE;
	else if (!strcmp(value, "warning"))
		kvmdc_level = LEVEL_WARNING;
	else if (!strcmp(value, "error"))
		kvmdc_level = LEVEL_ERROR;
	else
		return false;
	return true;
}

/* Returns false when the plugin must stay inactive (an error was given). */
static bool parse_arguments(const struct plugin_name_args *info, bool *enable)
{
	const char *policy = NULL, *db = NULL;
	bool ok = true;

	for (int i = 0; i < info->argc; i++) {
		const struct plugin_argument *arg = &info->argv[i];

		if (!strcmp(arg->key, "disable")) {
			*enable = false;
		} else if (!strcmp(arg->key, "strict")) {
			kvmdc_strict = true;
		} else if (!strcmp(arg->key, "time")) {
			kvmdc_time = true;
		} else if (!strcmp(arg->key, "analyse-only")) {
			kvmdc_analyse_only = true;
		} else if (!strcmp(arg->key, "dump-policy")) {
			policy_dump = true;
		} else if (!strcmp(arg->key, "policy") && arg->value) {
			policy = arg->value;
		} else if (!strcmp(arg->key, "facts") && arg->value) {
			kvmdc_facts_dir = arg->value;
		} else if (!strcmp(arg->key, "db") && arg->value) {
			db = arg->value;
		} else if (!strcmp(arg->key, "level")) {
			if (!parse_level(arg->value)) {
				error("bad value %qs for %<-fplugin-arg-%s-level%> (note, warning or error)",
				      arg->value ? arg->value : "", info->base_name);
				ok = false;
			}
		} else {
			error("unknown option %<-fplugin-arg-%s-%s%>", info->base_name, arg->key);
			ok = false;
		}
	}
	if (!ok || !*enable)
		return ok;
	if (!policy) {
		error("kvmdc: %<-fplugin-arg-%s-policy=FILE%> is required", info->base_name);
		return false;
	}
	if (!policy_load(policy))
		return false;
	if (db)
		db_load(db);
	return true;
}

__visible int plugin_init(struct plugin_name_args *plugin_info,
			  struct plugin_gcc_version *version)
{
	const char *const plugin_name = plugin_info->base_name;
	struct register_pass_info pass_info;
	bool enable = true;

	/*
	 * Errors return 0: the error itself fails the compilation, and GCC
	 * would otherwise add a second "failed to initialize plugin" line.
	 */
	if (!plugin_default_version_check(version, &built_for)) {
		error("kvmdc: plugin built for gcc %s, this is gcc %s: rebuild it with this compiler",
		      built_for.basever, version->basever);
		return 0;
	}
	if (!parse_arguments(plugin_info, &enable))
		return 0;
	register_callback(plugin_name, PLUGIN_INFO, NULL, &kvmdc_plugin_info);
	if (!enable)
		return 0;
	policy_loaded = true;

	pass_info.pass = new kvmdc_pass(g);
	pass_info.reference_pass_name = "build_ssa_passes";
	pass_info.ref_pass_instance_number = 1;
	pass_info.pos_op = PASS_POS_INSERT_AFTER;
	register_callback(plugin_name, PLUGIN_PASS_MANAGER_SETUP, NULL, &pass_info);
	if (kvmdc_analyse_only)
		register_callback(plugin_name, PLUGIN_OVERRIDE_GATE, gate_off_after_analysis, NULL);
	return 0;
}
