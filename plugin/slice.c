// SPDX-License-Identifier: GPL-2.0
/*
 * Where the verdict is decided: a backward slice of a site's condition
 * through SSA, in the pristine SSA form every function has right after
 * into-SSA (before inlining and constant propagation fold it away).
 *
 * Each path of the slice ends in a source: a load classified by the struct
 * type and field it reads, a call classified by its callee (policy first,
 * then a summary of the callee's return value when its body is in this
 * translation unit), a macro named by the policy (get_user and friends
 * expand to asm), a parameter (resolved through the callers in this file,
 * then the policy's parameter names), a global, or a constant.  A constant
 * condition is judged by the conditions that decide whether it is reached.
 */
#include "kvmdc.h"
#include <set>

#define MAX_CALL_DEPTH	3	/* helpers and callers followed, each way */
#define MAX_STEPS	800	/* SSA names visited for one site */

struct frame {
	function *fn;
	gcall *call;		/* binds our parameters in the parent frame */
	const frame *parent;
	int depth;
};

struct slicer {
	std::vector<source> *out;
	std::set<std::pair<const void *, const void *> > visited;
	int steps;
	bool sym;	/* facts: stop at the function's edge with a symbolic term */
};

static std::vector<std::pair<function *, cdi_direction> > computed_dom;

static void slice_value(slicer &S, tree t, const frame &F, gimple *at);
static void slice_ssa(slicer &S, tree name, const frame &F);

/* ---- helpers ---- */

static const char *decl_name(tree decl)
{
	tree n = decl ? DECL_NAME(decl) : NULL_TREE;

	return n ? IDENTIFIER_POINTER(n) : NULL;
}

static const char *type_name(tree type)
{
	tree n;

	if (!type)
		return NULL;
	n = TYPE_NAME(type);
	if (!n)
		n = TYPE_NAME(TYPE_MAIN_VARIANT(type));
	if (n && TREE_CODE(n) == TYPE_DECL)
		n = DECL_NAME(n);
	return n ? IDENTIFIER_POINTER(n) : NULL;
}

static source *add_source(slicer &S, const char *kind, const std::string &name,
			  enum source_class cls, const char *why, location_t loc)
{
	/* One constant is as telling as many: keep the first. */
	for (const source &s : *S.out)
		if (s.kind == kind && s.name == name &&
		    (s.loc == loc || cls == SRC_CONSTANT))
			return NULL;
	S.out->push_back({ kind, name, cls, why, user_location(loc) });
	return &S.out->back();
}

/*
 * The whole-build database decides what this unit cannot; an undecided
 * entry (or none) leaves the per-unit verdict as it was.
 */
static bool db_source(slicer &S, const db_entry *e, const char *kind,
		      const std::string &name, location_t loc)
{
	source *s;

	if (!e || e->cls == SRC_UNKNOWN)
		return false;
	s = add_source(S, kind, name, e->cls, e->cls == SRC_GUEST ?
		       "guest by the whole-build database" :
		       "host by the whole-build database", loc);
	if (s && e->cls == SRC_GUEST)
		s->chain = e->chain;
	return true;
}

/* The field an indirect callee was loaded from (ops->write), "" if none. */
std::string call_via(gcall *call)
{
	tree fn = gimple_call_fn(call);
	gimple *def;

	if (!fn || TREE_CODE(fn) != SSA_NAME)
		return "";
	def = SSA_NAME_DEF_STMT(fn);
	if (!def || !gimple_assign_single_p(def))
		return "";
	if (!field_key(gimple_assign_rhs1(def)).empty())
		return field_key(gimple_assign_rhs1(def));
	return table_key(gimple_assign_rhs1(def));
}

/*
 * "NAME[]" when REF is an element of the global array NAME (a table of
 * handlers: svm_exit_handlers[exit_code](vcpu)), "" otherwise.
 */
std::string table_key(tree ref)
{
	if (TREE_CODE(ref) != ARRAY_REF)
		return "";
	while (TREE_CODE(ref) == ARRAY_REF)
		ref = TREE_OPERAND(ref, 0);
	if (TREE_CODE(ref) != VAR_DECL || !is_global_var(ref) || !decl_name(ref))
		return "";
	return std::string(decl_name(ref)) + "[]";
}

/*
 * static_call(name)(args) is ({ ...; &__SCT__name; })(args): a call through
 * an SSA name that holds the trampoline's address.
 */
tree call_target(gcall *call)
{
	tree fn = gimple_call_fn(call), rhs;
	gimple *def;

	if (gimple_call_fndecl(call))
		return gimple_call_fndecl(call);
	if (!fn || TREE_CODE(fn) != SSA_NAME)
		return NULL_TREE;
	def = SSA_NAME_DEF_STMT(fn);
	if (!def || !gimple_assign_single_p(def))
		return NULL_TREE;
	rhs = gimple_assign_rhs1(def);
	STRIP_NOPS(rhs);
	if (TREE_CODE(rhs) == ADDR_EXPR && TREE_CODE(TREE_OPERAND(rhs, 0)) == FUNCTION_DECL)
		return TREE_OPERAND(rhs, 0);
	return NULL_TREE;
}

/*
 * A term this function cannot decide: its parameter, a call's result, a
 * field with no policy entry, what a callee wrote through a pointer.  The
 * resolver (kvmdc db) decides it from the facts of the whole build.
 */
static void add_symbolic(slicer &S, const char *kind, const std::string &name,
			 location_t loc)
{
	add_source(S, kind, name, SRC_SYMBOLIC, "decided by the whole-build database", loc);
}

static enum source_class class_of(enum provenance p)
{
	return p == PROV_GUEST ? SRC_GUEST : p == PROV_HOST ? SRC_HOST : SRC_UNKNOWN;
}

static bool first_visit(slicer &S, const void *what, const frame &F)
{
	if (++S.steps > MAX_STEPS)
		return false;
	return S.visited.insert(std::make_pair(what, (const void *)F.call)).second;
}

/*
 * Dominance information is computed only for functions the slice walks,
 * and freed again at the end of the pass so that the compiler's later
 * passes see exactly the state they would have seen without the plugin.
 */
void need_dominance(function *fn, cdi_direction dir)
{
	if (dom_info_available_p(fn, dir))
		return;
	push_cfun(fn);
	calculate_dominance_info(dir);
	pop_cfun();
	computed_dom.push_back(std::make_pair(fn, dir));
}

void slice_reset(void)
{
	for (auto &c : computed_dom) {
		push_cfun(c.first);
		free_dominance_info(c.second);
		pop_cfun();
	}
	computed_dom.clear();
}

/*
 * A statement that comes from the expansion of a macro the policy names
 * (get_user() expands to asm, for instance).  Follows the same path as
 * user_location(): through argument tokens to the caller, through body
 * tokens to the expansion point.
 */
static bool macro_source(slicer &S, gimple *stmt)
{
	location_t loc = get_pure_location(gimple_location(stmt));

	while (loc >= RESERVED_LOCATION_COUNT &&
	       linemap_location_from_macro_expansion_p(line_table, loc)) {
		const line_map *m = linemap_lookup(line_table, loc);
		const line_map_macro *map;
		const char *name;
		unsigned int i;

		if (!m || !linemap_macro_expansion_map_p(m))
			return false;
		map = linemap_check_macro(m);
		name = linemap_map_get_macro_name(map);
		i = loc - MAP_START_LOCATION(map);
		if (i < MACRO_MAP_NUM_MACRO_TOKENS(map) &&
		    MACRO_MAP_LOCATIONS(map)[2 * i] != MACRO_MAP_LOCATIONS(map)[2 * i + 1]) {
			/* An argument token: it was written by the macro's caller. */
			loc = get_pure_location(MACRO_MAP_LOCATIONS(map)[2 * i]);
			continue;
		}
		if (name) {
			struct policy_hit hit = policy_func(name);

			if (hit.prov != PROV_NONE) {
				add_source(S, "macro", name, class_of(hit.prov), hit.why,
					   MACRO_MAP_EXPANSION_POINT_LOCATION(map));
				return true;
			}
		}
		loc = get_pure_location(MACRO_MAP_EXPANSION_POINT_LOCATION(map));
	}
	return false;
}

/* ---- loads ---- */

/* Classifies one field access; returns false when the policy is silent. */
static bool classify_field(slicer &S, tree ref, gimple *at)
{
	tree field = TREE_OPERAND(ref, 1);
	tree base_type = TREE_TYPE(TREE_OPERAND(ref, 0));
	const char *tname = type_name(base_type);
	const char *fname = decl_name(field);
	struct policy_hit hit;

	if (!tname)
		tname = type_name(DECL_CONTEXT(field));
	if (!tname || !fname)
		return false;
	hit = policy_field(tname, fname);
	if (hit.prov == PROV_NONE)
		hit = policy_type(tname);
	if (hit.prov == PROV_NONE) {
		tree base = get_base_address(ref);

		/* A local struct is followed to what wrote it, instance by instance. */
		if (base && TREE_CODE(base) == VAR_DECL && !is_global_var(base))
			return false;
		if (!S.sym)
			return db_source(S, db_find('F', NULL_TREE, -1, (std::string(tname) + "." + fname).c_str()),
					 "field", std::string(tname) + "." + fname, gimple_location(at));
		add_symbolic(S, "field", std::string(tname) + "." + fname, gimple_location(at));
		return true;
	}
	add_source(S, "field", std::string(tname) + "." + fname,
		   class_of(hit.prov), hit.why, gimple_location(at));
	return true;
}

/*
 * REF without the references that select part of an object and name no
 * field: array elements, bit-fields, real/imaginary parts, reinterpretation.
 */
static tree strip_part_refs(tree ref)
{
	while (TREE_CODE(ref) == ARRAY_REF || TREE_CODE(ref) == ARRAY_RANGE_REF ||
	       TREE_CODE(ref) == BIT_FIELD_REF || TREE_CODE(ref) == REALPART_EXPR ||
	       TREE_CODE(ref) == IMAGPART_EXPR || TREE_CODE(ref) == VIEW_CONVERT_EXPR)
		ref = TREE_OPERAND(ref, 0);
	return ref;
}

/* STRUCT.FIELD of the outermost field access in REF, "" when there is none. */
std::string field_key(tree ref)
{
	tree t = strip_part_refs(ref);
	tree field;
	const char *tname, *fname;

	if (TREE_CODE(t) != COMPONENT_REF)
		return "";
	field = TREE_OPERAND(t, 1);
	tname = type_name(TREE_TYPE(TREE_OPERAND(t, 0)));
	fname = decl_name(field);
	if (!tname)
		tname = type_name(DECL_CONTEXT(field));
	if (!tname || !fname)
		return "";
	return std::string(tname) + "." + fname;
}

/* The struct name of TYPE, or NULL when it is not a named struct/union. */
const char *record_name(tree type)
{
	return type && RECORD_OR_UNION_TYPE_P(type) ? type_name(type) : NULL;
}

static bool classify_object_type(slicer &S, tree type, gimple *at)
{
	const char *tname;
	struct policy_hit hit;

	if (!RECORD_OR_UNION_TYPE_P(type))
		return false;
	tname = type_name(type);
	hit = policy_type(tname);
	if (hit.prov == PROV_NONE)
		return false;
	add_source(S, "type", tname, class_of(hit.prov), hit.why, gimple_location(at));
	return true;
}

static void slice_local_memory(slicer &S, tree decl, const frame &F, gimple *at);

static void slice_decl(slicer &S, tree decl, const frame &F, gimple *at)
{
	const char *name = decl_name(decl);

	if (TREE_CODE(decl) == VAR_DECL && is_global_var(decl)) {
		add_source(S, "global", name ? name : "<anonymous>", SRC_HOST,
			   "host kernel variable", DECL_SOURCE_LOCATION(decl));
		return;
	}
	if (TREE_CODE(decl) == VAR_DECL) {
		slice_local_memory(S, decl, F, at);
		return;
	}
	if (TREE_CODE(decl) == PARM_DECL) {
		tree def = ssa_default_def(F.fn, decl);

		if (def) {
			slice_ssa(S, def, F);
			return;
		}
	}
	add_source(S, "unknown", name ? name : "<object>", SRC_UNKNOWN,
		   "storage not followed", gimple_location(at));
}

/* *P for a parameter P: what the callers' buffers hold (facts only). */
static bool param_pointee(slicer &S, tree ptr, const frame &F, gimple *at)
{
	tree parm;

	if (TREE_CODE(ptr) != SSA_NAME || !SSA_NAME_IS_DEFAULT_DEF(ptr))
		return false;
	parm = SSA_NAME_VAR(ptr);
	if (!parm || TREE_CODE(parm) != PARM_DECL)
		return false;
	add_symbolic(S, "pmem", std::to_string(parm_index(F.fn->decl, parm)), gimple_location(at));
	return true;
}

/* *P for a parameter P, decided by what every caller's buffer holds. */
static bool db_pointee(slicer &S, tree ptr, const frame &F, gimple *at)
{
	tree parm;

	if (!kvmdc_db_loaded() || TREE_CODE(ptr) != SSA_NAME || !SSA_NAME_IS_DEFAULT_DEF(ptr))
		return false;
	parm = SSA_NAME_VAR(ptr);
	if (!parm || TREE_CODE(parm) != PARM_DECL)
		return false;
	return db_source(S, db_find('M', F.fn->decl, parm_index(F.fn->decl, parm), NULL),
			 "parameter", std::string("*") + (decl_name(parm) ? decl_name(parm) : "<param>"),
			 gimple_location(at));
}

/*
 * The object a MEM_REF reads when its address was taken just before:
 * READ_ONCE(p->f) is _1 = &p->f; _2 = MEM[(volatile T *)_1], and the load
 * reads p->f, not "something p points to".  Only at offset 0, where the
 * load starts at that object.
 */
static tree pointed_object(tree mem)
{
	tree ptr = TREE_OPERAND(mem, 0);
	gimple *def;

	if (TREE_CODE(ptr) != SSA_NAME || SSA_NAME_IS_DEFAULT_DEF(ptr) ||
	    !integer_zerop(TREE_OPERAND(mem, 1)))
		return NULL_TREE;
	def = SSA_NAME_DEF_STMT(ptr);
	if (!is_gimple_assign(def) || !gimple_assign_single_p(def) ||
	    TREE_CODE(gimple_assign_rhs1(def)) != ADDR_EXPR)
		return NULL_TREE;
	return TREE_OPERAND(gimple_assign_rhs1(def), 0);
}

/*
 * A load: the outermost field decides (vcpu->arch.regs[] is guest even
 * though kvm_vcpu is not); an access the policy is silent about is judged
 * by where its base pointer comes from.
 */
static void slice_load(slicer &S, tree ref, const frame &F, gimple *at)
{
	tree t = ref;

	while (true) {
		t = strip_part_refs(t);
		switch (TREE_CODE(t)) {
		case COMPONENT_REF:
			if (classify_field(S, t, at))
				return;
			t = TREE_OPERAND(t, 0);
			continue;
		case MEM_REF:
		case TARGET_MEM_REF:
			if (classify_object_type(S, TREE_TYPE(t), at))
				return;
			/* MEM[&local]: the object itself, not its address. */
			if (TREE_CODE(TREE_OPERAND(t, 0)) == ADDR_EXPR) {
				t = TREE_OPERAND(TREE_OPERAND(t, 0), 0);
				continue;
			}
			if (TREE_CODE(t) == MEM_REF && pointed_object(t)) {
				t = pointed_object(t);
				continue;
			}
			if (S.sym && param_pointee(S, TREE_OPERAND(t, 0), F, at))
				return;
			if (!S.sym && !F.call && db_pointee(S, TREE_OPERAND(t, 0), F, at))
				return;
			slice_value(S, TREE_OPERAND(t, 0), F, at);
			return;
		case VAR_DECL:
		case PARM_DECL:
		case RESULT_DECL:
			if (classify_object_type(S, TREE_TYPE(t), at))
				return;
			slice_decl(S, t, F, at);
			return;
		default:
			slice_value(S, t, F, at);
			return;
		}
	}
}

/* ---- locals in memory (their address was taken) ---- */

static bool refers_to(tree expr, tree decl)
{
	if (TREE_CODE(expr) == ADDR_EXPR)
		expr = TREE_OPERAND(expr, 0);
	return get_base_address(expr) == decl;
}

static void slice_call(slicer &S, gcall *call, const frame &F);

/* The policy (or the compiler) says what CALL writes: no symbolic term needed. */
bool callee_decides(gcall *call)
{
	tree callee = gimple_call_fndecl(call);

	if (gimple_call_internal_p(call))
		return true;
	if (!callee)
		return false;
	if (policy_func(decl_name(callee)).prov != PROV_NONE)
		return true;
	return fndecl_built_in_p(callee, BUILT_IN_EXPECT) ||
	       fndecl_built_in_p(callee, BUILT_IN_EXPECT_WITH_PROBABILITY);
}

/*
 * A local whose address was taken is written by the calls it is passed to
 * (kvm_read_guest(kvm, gpa, &val, ...)) and by stores.  Walks the function
 * once for such a local; that only happens when a slice reaches one.
 */
static void slice_local_memory(slicer &S, tree decl, const frame &F, gimple *at)
{
	basic_block bb;
	bool written = false;

	if (!first_visit(S, decl, F))
		return;
	FOR_EACH_BB_FN(bb, F.fn) {
		for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
			gimple *stmt = gsi_stmt(gsi);

			if (is_gimple_call(stmt)) {
				gcall *call = as_a<gcall *>(stmt);

				for (unsigned int i = 0; i < gimple_call_num_args(call); i++) {
					if (TREE_CODE(gimple_call_arg(call, i)) != ADDR_EXPR ||
					    !refers_to(gimple_call_arg(call, i), decl))
						continue;
					written = true;
					if (S.sym && !callee_decides(call))
						add_symbolic(S, "out", std::to_string(facts_call_id(call)) +
							     ":" + std::to_string(i), gimple_location(call));
					else if (S.sym || callee_decides(call) || !call_target(call) ||
						 !db_source(S, db_find('O', call_target(call), i, NULL), "function",
							    decl_name(call_target(call)), gimple_location(call)))
						slice_call(S, call, F);
					break;
				}
			} else if (is_gimple_assign(stmt) &&
				   refers_to(gimple_assign_lhs(stmt), decl)) {
				written = true;
				if (gimple_assign_single_p(stmt) &&
				    gimple_clobber_p(stmt))
					continue;
				if (macro_source(S, stmt))
					continue;
				slice_value(S, gimple_assign_rhs1(stmt), F, stmt);
			} else if (gimple_code(stmt) == GIMPLE_ASM) {
				written |= macro_source(S, stmt);
			}
		}
	}
	if (!written)
		add_source(S, "local", decl_name(decl) ? decl_name(decl) : "<local>",
			   SRC_CONSTANT, "never written: zero-initialised", DECL_SOURCE_LOCATION(decl));
}

/* ---- parameters ---- */

int parm_index(tree fndecl, tree parm)
{
	int i = 0;

	for (tree p = DECL_ARGUMENTS(fndecl); p; p = DECL_CHAIN(p), i++)
		if (p == parm)
			return i;
	return -1;
}

static bool has_guest(const std::vector<source> &v)
{
	for (const source &s : v)
		if (s.cls == SRC_GUEST)
			return true;
	return false;
}

static bool all_host(const std::vector<source> &v)
{
	for (const source &s : v)
		if (s.cls == SRC_GUEST || s.cls == SRC_UNKNOWN)
			return false;
	return !v.empty();
}

/*
 * Slices the argument every caller in this file passes for PARM.  Returns
 * whether the callers seen are all the callers there are.
 */
static bool slice_callers(slicer &S, tree parm, const frame &F, std::vector<source> &found)
{
	cgraph_node *node = cgraph_node::get(F.fn->decl);
	int idx = parm_index(F.fn->decl, parm);
	std::vector<source> *saved = S.out;
	bool complete;

	if (!node || idx < 0)
		return false;
	complete = !TREE_PUBLIC(F.fn->decl) && !node->address_taken &&
		   F.depth < MAX_CALL_DEPTH && node->callers;
	S.out = &found;
	for (cgraph_edge *e = node->callers; e; e = e->next_caller) {
		function *caller = DECL_STRUCT_FUNCTION(e->caller->decl);
		gcall *call = e->call_stmt;

		if (!call || !caller || !gimple_in_ssa_p(caller) ||
		    idx >= (int)gimple_call_num_args(call) || F.depth >= MAX_CALL_DEPTH) {
			complete = false;
			continue;
		}
		frame up = { caller, NULL, NULL, F.depth + 1 };
		slice_value(S, gimple_call_arg(call, idx), up, call);
	}
	S.out = saved;
	return complete;
}

static void slice_param(slicer &S, tree name, const frame &F)
{
	tree parm = SSA_NAME_VAR(name);
	const char *pname = decl_name(parm) ? decl_name(parm) : "<param>";
	std::vector<source> found;
	struct policy_hit hit;
	enum source_class cls;
	const char *why;
	bool complete;

	if (F.call) {
		int idx = parm_index(F.fn->decl, parm);

		if (idx >= 0 && idx < (int)gimple_call_num_args(F.call)) {
			slice_value(S, gimple_call_arg(F.call, idx), *F.parent, F.call);
			return;
		}
	}
	if (S.sym) {
		add_symbolic(S, "param", std::to_string(parm_index(F.fn->decl, parm)),
			     DECL_SOURCE_LOCATION(parm));
		return;
	}
	complete = slice_callers(S, parm, F, found);
	hit = policy_param(pname);
	if (has_guest(found)) {
		cls = SRC_GUEST;
		why = "a caller in this file passes a guest-controlled value";
	} else if (complete && all_host(found)) {
		cls = SRC_HOST;
		why = "every caller in this file passes host state";
	} else if (db_source(S, db_find('P', F.fn->decl, parm_index(F.fn->decl, parm), NULL),
			     "parameter", pname, DECL_SOURCE_LOCATION(parm))) {
		return;
	} else if (hit.prov != PROV_NONE) {
		cls = class_of(hit.prov);
		why = hit.why;
		found.clear();
	} else {
		cls = SRC_UNKNOWN;
		why = "callers not all visible, name not in the policy";
		found.clear();
	}
	add_source(S, "parameter", pname, cls, why, DECL_SOURCE_LOCATION(parm));
	for (const source &s : found)
		if (cls != SRC_GUEST || s.cls == SRC_GUEST)
			S.out->push_back(s);
}

/* ---- calls ---- */

static void slice_callee_returns(slicer &S, gcall *call, function *callee, const frame &F)
{
	frame down = { callee, call, &F, F.depth + 1 };
	basic_block bb;

	FOR_EACH_BB_FN(bb, callee) {
		gimple *last = last_stmt(bb);

		if (last && gimple_code(last) == GIMPLE_RETURN &&
		    gimple_return_retval(as_a<greturn *>(last)))
			slice_value(S, gimple_return_retval(as_a<greturn *>(last)), down, last);
	}
}

/*
 * A callee this unit cannot see (another file, a field's bindings, a static
 * call): its return class from the database, plus this call's own
 * arguments at the parameters that reach its return value.
 */
static bool db_call(slicer &S, gcall *call, const frame &F)
{
	tree target = call_target(call);
	const db_entry *e = NULL;
	std::string label;

	if (!kvmdc_db_loaded())
		return false;
	if (target && !strncmp(decl_name(target), "__SCT__", 7)) {
		e = db_find('I', NULL_TREE, -1, decl_name(target));
		label = std::string("static_call(") + (decl_name(target) + 7) + ")";
	} else if (target) {
		e = db_find('R', target, -1, NULL);
		label = std::string(decl_name(target)) + "()";
	} else if (!call_via(call).empty()) {
		e = db_find('I', NULL_TREE, -1, call_via(call).c_str());
		label = "->" + call_via(call).substr(call_via(call).find('.') + 1) + "()";
	}
	if (!e || !db_source(S, e, "function", label, gimple_location(call)))
		return false;
	for (int i : e->params)
		if (i < (int)gimple_call_num_args(call))
			slice_value(S, gimple_call_arg(call, i), F, call);
	return true;
}

/*
 * A helper in this file that the policy also calls host (kvm_rmap_lock()):
 * its body names what it returns (kvm_rmap_head.val), which is what an
 * allow entry matches.  Used only when the body is all host; otherwise the
 * policy's word stands (a guest-func entry is a root and always wins).
 */
static bool slice_host_helper(slicer &S, gcall *call, function *body, const frame &F)
{
	std::vector<source> found, *saved = S.out;

	S.out = &found;
	slice_callee_returns(S, call, body, F);
	S.out = saved;
	if (!all_host(found))
		return false;
	for (const source &s : found) {
		bool seen = false;

		for (const source &o : *S.out)
			seen |= o.kind == s.kind && o.name == s.name && o.loc == s.loc;
		if (!seen)
			S.out->push_back(s);
	}
	return true;
}

static void slice_call(slicer &S, gcall *call, const frame &F)
{
	tree callee = gimple_call_fndecl(call);
	const char *name;
	struct policy_hit hit;
	function *body;

	if (gimple_call_internal_p(call)) {
		if (gimple_call_internal_fn(call) == IFN_DEFERRED_INIT) {
			add_source(S, "local", "uninitialised local", SRC_CONSTANT,
				   "zero-initialised (-ftrivial-auto-var-init)",
				   gimple_location(call));
			return;
		}
		for (unsigned int i = 0; i < gimple_call_num_args(call); i++)
			slice_value(S, gimple_call_arg(call, i), F, call);
		return;
	}
	if (macro_source(S, call))
		return;
	if (S.sym && !callee_decides(call)) {
		add_symbolic(S, "call", std::to_string(facts_call_id(call)), gimple_location(call));
		return;
	}
	if (!callee && db_call(S, call, F))
		return;
	if (!callee) {
		add_source(S, "function", "indirect call", SRC_UNKNOWN,
			   "callee not known at compile time", gimple_location(call));
		return;
	}
	name = decl_name(callee);
	if (fndecl_built_in_p(callee, BUILT_IN_EXPECT) ||
	    fndecl_built_in_p(callee, BUILT_IN_EXPECT_WITH_PROBABILITY)) {
		slice_value(S, gimple_call_arg(call, 0), F, call);
		return;
	}
	hit = policy_func(name);
	body = DECL_STRUCT_FUNCTION(callee);
	if (!(body && gimple_in_ssa_p(body) && F.depth < MAX_CALL_DEPTH))
		body = NULL;
	if (body && hit.prov == PROV_HOST && slice_host_helper(S, call, body, F))
		return;
	if (hit.prov != PROV_NONE) {
		add_source(S, "function", name, class_of(hit.prov), hit.why,
			   gimple_location(call));
		return;
	}
	if (body) {
		slice_callee_returns(S, call, body, F);
		return;
	}
	if (db_call(S, call, F))
		return;
	add_source(S, "function", name ? name : "<function>", SRC_UNKNOWN,
		   "not in the policy, body not in this file", gimple_location(call));
}

/* ---- control: && / || merges and the conditions that reach a block ---- */

static void slice_condition_stmt(slicer &S, gimple *stmt, const frame &F)
{
	if (gimple_code(stmt) == GIMPLE_COND) {
		slice_value(S, gimple_cond_lhs(stmt), F, stmt);
		slice_value(S, gimple_cond_rhs(stmt), F, stmt);
	} else if (gimple_code(stmt) == GIMPLE_SWITCH) {
		slice_value(S, gimple_switch_index(as_a<gswitch *>(stmt)), F, stmt);
	}
}

static bool is_branch(gimple *stmt)
{
	return stmt && (gimple_code(stmt) == GIMPLE_COND || gimple_code(stmt) == GIMPLE_SWITCH);
}

static bool is_loop_header(basic_block bb)
{
	edge e;
	edge_iterator ei;

	FOR_EACH_EDGE(e, ei, bb->preds)
		if (dominated_by_p(CDI_DOMINATORS, e->src, bb))
			return true;
	return false;
}

enum walk_step { WALK_ON, WALK_PRUNE, WALK_DONE };

static void push_neighbours(std::vector<basic_block> &work, basic_block bb, bool backward)
{
	edge e;
	edge_iterator ei;

	if (backward) {
		FOR_EACH_EDGE(e, ei, bb->preds)
			work.push_back(e->src);
	} else {
		FOR_EACH_EDGE(e, ei, bb->succs)
			work.push_back(e->dest);
	}
}

/*
 * Depth-first over the blocks reachable from FROM's predecessors
 * (BACKWARD) or successors, each visited once: VISIT says whether to go on
 * past a block (WALK_ON), not past it (WALK_PRUNE) or to stop the walk
 * (WALK_DONE, which the result reports).
 */
template <typename visitor>
static bool walk_blocks(basic_block from, bool backward, visitor visit)
{
	std::vector<basic_block> work;
	std::set<basic_block> seen;

	push_neighbours(work, from, backward);
	while (!work.empty()) {
		basic_block bb = work.back();

		work.pop_back();
		if (!seen.insert(bb).second)
			continue;
		switch (visit(bb)) {
		case WALK_DONE:
			return true;
		case WALK_PRUNE:
			continue;
		case WALK_ON:
			break;
		}
		push_neighbours(work, bb, backward);
	}
	return false;
}

/*
 * The value of a merge PHI (a && b materialised as 1/0, a ?: choice) is
 * decided by the branches between the PHI block's immediate dominator and
 * the PHI block, not only by its immediate predecessors.
 */
static void merge_branches(basic_block phi_bb, function *fn, std::vector<gimple *> &out)
{
	basic_block idom;

	if (is_loop_header(phi_bb))
		return;
	idom = get_immediate_dominator(CDI_DOMINATORS, phi_bb);
	walk_blocks(phi_bb, true, [&](basic_block bb) {
		if (is_branch(last_stmt(bb)))
			out.push_back(last_stmt(bb));
		if (bb == idom || bb == ENTRY_BLOCK_PTR_FOR_FN(fn))
			return WALK_PRUNE;
		return WALK_ON;
	});
}

/*
 * Slice the branch conditions COLLECT finds around BB.  Dominance queries
 * read cfun, so the branches are collected with cfun set and sliced after.
 */
static void slice_branch_conditions(slicer &S, basic_block bb, const frame &F, cdi_direction dir,
				    void (*collect)(basic_block, function *, std::vector<gimple *> &))
{
	std::vector<gimple *> branches;

	need_dominance(F.fn, dir);
	push_cfun(F.fn);
	collect(bb, F.fn, branches);
	pop_cfun();
	for (gimple *stmt : branches)
		slice_condition_stmt(S, stmt, F);
}

static bool reaches_itself(basic_block from)
{
	return walk_blocks(from, false, [from](basic_block bb) {
		return bb == from ? WALK_DONE : WALK_ON;
	});
}

/* D decides whether B runs: one edge of D leads surely to B, D itself does not. */
static bool controls(basic_block d, basic_block b)
{
	edge e;
	edge_iterator ei;

	if (dominated_by_p(CDI_POST_DOMINATORS, d, b))
		return false;
	FOR_EACH_EDGE(e, ei, d->succs)
		if (dominated_by_p(CDI_POST_DOMINATORS, e->dest, b))
			return true;
	return false;
}

/*
 * The branches that decide whether TARGET is reached: its control
 * dependences, followed further only through branches inside a loop (so
 * "the loop failed to find the entry" counts what the loop tested, while
 * an unrelated early return further up does not).
 */
static void reaching_branches(basic_block target, function *fn, std::vector<gimple *> &out)
{
	std::vector<basic_block> work(1, target);
	std::set<basic_block> done;
	basic_block d;

	while (!work.empty()) {
		basic_block b = work.back();

		work.pop_back();
		FOR_EACH_BB_FN(d, fn) {
			if (!is_branch(last_stmt(d)) || done.count(d) || !controls(d, b))
				continue;
			done.insert(d);
			out.push_back(last_stmt(d));
			if (reaches_itself(d))
				work.push_back(d);
		}
	}
}

static void slice_reaching_conditions(slicer &S, basic_block target, const frame &F)
{
	slice_branch_conditions(S, target, F, CDI_POST_DOMINATORS, reaching_branches);
}

/* ---- values ---- */

static void slice_phi(slicer &S, gphi *phi, const frame &F)
{
	for (unsigned int i = 0; i < gimple_phi_num_args(phi); i++)
		slice_value(S, gimple_phi_arg_def(phi, i), F, phi);
	/*
	 * Facts: a pointer is the object it points into; which of several
	 * host objects a branch picked says nothing about their contents.
	 */
	if (S.sym && POINTER_TYPE_P(TREE_TYPE(gimple_phi_result(phi))))
		return;
	slice_branch_conditions(S, gimple_bb(phi), F, CDI_DOMINATORS, merge_branches);
}

static void slice_assign(slicer &S, gimple *stmt, const frame &F)
{
	if (gimple_assign_single_p(stmt)) {
		tree rhs = gimple_assign_rhs1(stmt);

		if (TREE_CODE(rhs) == ADDR_EXPR || is_gimple_min_invariant(rhs) ||
		    TREE_CODE(rhs) == SSA_NAME)
			slice_value(S, rhs, F, stmt);
		else
			slice_load(S, rhs, F, stmt);
		return;
	}
	/* Facts: p + offset points into the object p points into. */
	if (S.sym && gimple_assign_rhs_code(stmt) == POINTER_PLUS_EXPR) {
		slice_value(S, gimple_assign_rhs1(stmt), F, stmt);
		return;
	}
	for (unsigned int i = 1; i < gimple_num_ops(stmt); i++)
		if (gimple_op(stmt, i))
			slice_value(S, gimple_op(stmt, i), F, stmt);
}

/*
 * asm("" : "=r"(out) : "0"(in)) emits nothing: out is in, hidden from the
 * optimiser (RELOC_HIDE in per_cpu_ptr(), OPTIMIZER_HIDE_VAR).  Its tied
 * inputs are the value.
 */
static bool slice_identity_asm(slicer &S, gasm *a, const frame &F)
{
	bool tied = false;

	if (*gimple_asm_string(a))
		return false;
	for (unsigned int i = 0; i < gimple_asm_ninputs(a); i++) {
		tree op = gimple_asm_input_op(a, i);
		const char *c = TREE_STRING_POINTER(TREE_VALUE(TREE_PURPOSE(op)));

		if (ISDIGIT(*c)) {
			slice_value(S, TREE_VALUE(op), F, a);
			tied = true;
		}
	}
	return tied;
}

static void slice_ssa(slicer &S, tree name, const frame &F)
{
	gimple *def;

	if (!first_visit(S, name, F)) {
		if (S.steps > MAX_STEPS)
			add_source(S, "unknown", "slice too large", SRC_UNKNOWN,
				   "stopped after too many steps", UNKNOWN_LOCATION);
		return;
	}
	if (SSA_NAME_IS_DEFAULT_DEF(name)) {
		tree var = SSA_NAME_VAR(name);

		if (var && TREE_CODE(var) == PARM_DECL)
			slice_param(S, name, F);
		else
			add_source(S, "local", decl_name(var) ? decl_name(var) : "<local>",
				   SRC_CONSTANT, "never written: zero-initialised",
				   var ? DECL_SOURCE_LOCATION(var) : UNKNOWN_LOCATION);
		return;
	}
	def = SSA_NAME_DEF_STMT(name);
	if (gimple_code(def) != GIMPLE_PHI && macro_source(S, def))
		return;
	switch (gimple_code(def)) {
	case GIMPLE_ASSIGN:
		slice_assign(S, def, F);
		break;
	case GIMPLE_PHI:
		slice_phi(S, as_a<gphi *>(def), F);
		break;
	case GIMPLE_CALL:
		slice_call(S, as_a<gcall *>(def), F);
		break;
	default:
		if (gimple_code(def) == GIMPLE_ASM && slice_identity_asm(S, as_a<gasm *>(def), F))
			break;
		add_source(S, "asm", "asm output", SRC_UNKNOWN,
			   "value produced by inline assembly", gimple_location(def));
		break;
	}
}

/* An address is host-computed; what matters is the pointer it is based on. */
static void slice_address(slicer &S, tree addr, const frame &F, gimple *at)
{
	tree base = TREE_OPERAND(addr, 0);

	while (handled_component_p(base))
		base = TREE_OPERAND(base, 0);
	if (TREE_CODE(base) == MEM_REF) {
		slice_value(S, TREE_OPERAND(base, 0), F, at);
		return;
	}
	add_source(S, "constant", "address of an object", SRC_CONSTANT,
		   "address computed by the kernel", gimple_location(at));
}

static void slice_value(slicer &S, tree t, const frame &F, gimple *at)
{
	if (!t)
		return;
	STRIP_NOPS(t);
	switch (TREE_CODE(t)) {
	case SSA_NAME:
		slice_ssa(S, t, F);
		return;
	case ADDR_EXPR:
		slice_address(S, t, F, at);
		return;
	case INTEGER_CST:
	case REAL_CST:
	case STRING_CST:
	case VECTOR_CST:
	case COMPLEX_CST:
		add_source(S, "constant", "constant", SRC_CONSTANT, "constant",
			   gimple_location(at));
		return;
	default:
		if (REFERENCE_CLASS_P(t) || DECL_P(t)) {
			slice_load(S, t, F, at);
			return;
		}
		for (int i = 0; i < TREE_OPERAND_LENGTH(t); i++)
			slice_value(S, TREE_OPERAND(t, i), F, at);
		return;
	}
}

static bool only_constants(const std::vector<source> &v)
{
	for (const source &s : v)
		if (s.cls != SRC_CONSTANT)
			return false;
	return true;
}

/* SYM: for the facts, stop at the function's edge with a symbolic term. */
static void slicer_init(slicer &S, std::vector<source> &out, bool sym)
{
	S.out = &out;
	S.steps = 0;
	S.sym = sym;
}

/* Guest wins over unknown, unknown over host. */
static enum verdict verdict_of(const std::vector<source> &sources)
{
	bool unknown = false;

	for (const source &src : sources) {
		if (src.cls == SRC_GUEST)
			return VERDICT_GUEST;
		unknown |= src.cls == SRC_UNKNOWN;
	}
	return unknown ? VERDICT_UNKNOWN : VERDICT_HOST;
}

/* A site's condition; a condition of constants only by the branches that reach it. */
static void slice_site(const site &s, std::vector<source> &out, bool sym)
{
	slicer S;
	frame top = { s.fn, NULL, NULL, 0 };

	slicer_init(S, out, sym);
	slice_ssa(S, s.ret_ssa, top);
	if (only_constants(out))
		slice_reaching_conditions(S, gimple_bb(s.def), top);
}

enum verdict classify_site(const site &s, std::vector<source> &sources)
{
	slice_site(s, sources, false);
	return verdict_of(sources);
}

/* ---- facts: the same slice, stopped at the function's edge ---- */

void slice_terms(tree value, function *fn, gimple *at, std::vector<source> &out)
{
	slicer S;
	frame top = { fn, NULL, NULL, 0 };

	slicer_init(S, out, true);
	slice_value(S, value, top, at);
}

/* What the memory PTR points at holds: a local's writers, a load, a caller's buffer. */
void slice_terms_pointee(tree ptr, function *fn, gimple *at, std::vector<source> &out)
{
	slicer S;
	frame top = { fn, NULL, NULL, 0 };

	slicer_init(S, out, true);
	STRIP_NOPS(ptr);
	if (TREE_CODE(ptr) == ADDR_EXPR) {
		slice_load(S, TREE_OPERAND(ptr, 0), top, at);
		return;
	}
	if (!param_pointee(S, ptr, top, at))
		slice_value(S, ptr, top, at);
}

/* A site in terms of its function's edges (reaching conditions as for the verdict). */
void site_terms(const site &s, std::vector<source> &out)
{
	slice_site(s, out, true);
}

/* ---- entry points for other rules (bug_sites.c) ---- */

/*
 * The branches that decide whether BB runs: its direct control
 * dependences, and with FOLLOW_LOOPS also those of branches inside a loop
 * (as for a constant condition above).
 */
void control_branches(function *fn, basic_block bb, bool follow_loops,
		      std::vector<gimple *> &out)
{
	basic_block d;

	need_dominance(fn, CDI_POST_DOMINATORS);
	push_cfun(fn);
	if (follow_loops) {
		reaching_branches(bb, fn, out);
	} else {
		FOR_EACH_BB_FN(d, fn)
			if (is_branch(last_stmt(d)) && controls(d, bb))
				out.push_back(last_stmt(d));
	}
	pop_cfun();
}

/*
 * The verdict of one branch condition, sliced like a site's condition; a
 * condition of constants only is judged by the branches that reach it.
 */
enum verdict classify_branch(function *fn, gimple *branch, std::vector<source> &sources)
{
	slicer S;
	frame top = { fn, NULL, NULL, 0 };

	slicer_init(S, sources, false);
	slice_condition_stmt(S, branch, top);
	if (only_constants(sources))
		slice_reaching_conditions(S, gimple_bb(branch), top);
	return verdict_of(sources);
}
