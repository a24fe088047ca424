// SPDX-License-Identifier: GPL-2.0
/*
 * Facts for the whole-build provenance database (kvmdc db): what this
 * translation unit knows, stated in terms of what it does not.  Per
 * function a summary (its return value, what it writes through pointer
 * parameters), per call the provenance of each argument, per store into
 * STRUCT.FIELD the provenance of the value, function-pointer bindings, and
 * every site.  A value is a list of terms: decided sources (the policy, a
 * constant, host state) and symbolic ones the resolver decides later:
 *   param:I  field:S.F  call:ID  out:ID:I  pmem:I
 * Nothing is guessed here; the resolver joins the units of the build.
 */
#include "kvmdc.h"
#include <map>

#define STATIC_CALL_KEY	"__SCK__"

static std::map<gcall *, int> call_ids;
static int next_call_id;

int facts_call_id(gcall *call)
{
	auto it = call_ids.find(call);

	if (it != call_ids.end())
		return it->second;
	call_ids[call] = next_call_id;
	return next_call_id++;
}

static const char *name_of(tree decl)
{
	return decl && DECL_NAME(decl) ? IDENTIFIER_POINTER(DECL_NAME(decl)) : NULL;
}

/* Everything a record starts with: its kind, where, and in which function. */
static std::string record_head(const char *kind, tree fndecl, location_t loc)
{
	std::string r = "{\"kind\": ";
	expanded_location x = expand_location(user_location(loc));

	json_str(r, kind);
	if (fndecl) {
		r += ", \"fn\": ";
		json_str(r, name_of(fndecl));
		if (!TREE_PUBLIC(fndecl))
			r += ", \"local\": true";
	}
	r += ", \"file\": ";
	json_str(r, x.file ? tree_path(x.file) : "");
	r += ", \"line\": " + std::to_string(x.line);
	return r;
}

static void emit_terms(std::string &r, const char *key, const std::vector<source> &v)
{
	r += ", \"";
	r += key;
	r += "\": ";
	facts_json_terms(r, v);
}

static void emit_store(tree fndecl, const std::string &key, location_t loc,
		       const std::vector<source> &v)
{
	std::string r = record_head("store", fndecl, loc);

	r += ", \"field\": ";
	json_str(r, key.c_str());
	emit_terms(r, "v", v);
	facts_append(r + "}\n");
}

static void emit_bind(tree fndecl, const std::string &key, const char *what,
		      tree target, const std::string &from_field, location_t loc)
{
	std::string r = record_head("bind", fndecl, loc);

	r += std::string(", \"") + what + "\": ";
	json_str(r, key.c_str());
	if (target) {
		r += ", \"target\": ";
		json_str(r, name_of(target));
		if (!TREE_PUBLIC(target))
			r += ", \"target_local\": true";
	} else {
		r += ", \"from_field\": ";
		json_str(r, from_field.c_str());
	}
	facts_append(r + "}\n");
}

static tree function_address(tree t)
{
	STRIP_NOPS(t);
	if (TREE_CODE(t) == ADDR_EXPR && TREE_CODE(TREE_OPERAND(t, 0)) == FUNCTION_DECL)
		return TREE_OPERAND(t, 0);
	return NULL_TREE;
}

/* The parameter index of PTR when it is a parameter's incoming value, else -1. */
static int param_of(tree ptr, function *fn)
{
	int i = 0;

	STRIP_NOPS(ptr);
	if (TREE_CODE(ptr) != SSA_NAME || !SSA_NAME_IS_DEFAULT_DEF(ptr) ||
	    !SSA_NAME_VAR(ptr) || TREE_CODE(SSA_NAME_VAR(ptr)) != PARM_DECL)
		return -1;
	for (tree p = DECL_ARGUMENTS(fn->decl); p; p = DECL_CHAIN(p), i++)
		if (p == SSA_NAME_VAR(ptr))
			return i;
	return -1;
}

struct fn_facts {
	function *fn;
	std::vector<source> ret;
	std::map<int, std::vector<source> > outs;
};

static void append(std::vector<source> &to, const std::vector<source> &from)
{
	to.insert(to.end(), from.begin(), from.end());
}

/*
 * V is written into the memory DST points at: a field (&x->f), a struct
 * (&local, a struct pointer) or the buffer of a pointer parameter.
 */
/*
 * memcpy(&ioapic, state, sizeof(struct kvm_ioapic_state)) fills only the
 * fields that start within the size copied: one store each, not STRUCT.*.
 */
static bool partial_store(fn_facts &ff, tree type, tree size, gimple *at,
			  const std::vector<source> &v)
{
	if (!size || !tree_fits_uhwi_p(size) || !TYPE_SIZE_UNIT(type) ||
	    !tree_fits_uhwi_p(TYPE_SIZE_UNIT(type)) ||
	    tree_to_uhwi(size) >= tree_to_uhwi(TYPE_SIZE_UNIT(type)))
		return false;
	for (tree f = TYPE_FIELDS(type); f; f = DECL_CHAIN(f)) {
		if (TREE_CODE(f) != FIELD_DECL || !name_of(f) ||
		    int_byte_position(f) >= (HOST_WIDE_INT)tree_to_uhwi(size))
			continue;
		emit_store(ff.fn->decl, std::string(record_name(type)) + "." + name_of(f),
			   gimple_location(at), v);
	}
	return true;
}

static void store_through(fn_facts &ff, tree dst, gimple *at, const std::vector<source> &v,
			  tree size = NULL_TREE)
{
	tree obj = NULL_TREE, type = NULL_TREE;
	int idx;

	STRIP_NOPS(dst);
	idx = param_of(dst, ff.fn);
	if (idx >= 0) {
		/* The caller's buffer: resolved through the callers, not by type. */
		append(ff.outs[idx], v);
		return;
	}
	if (TREE_CODE(dst) == ADDR_EXPR) {
		obj = TREE_OPERAND(dst, 0);
		type = TREE_TYPE(obj);
		std::string key = field_key(obj);

		if (!key.empty())
			emit_store(ff.fn->decl, key, gimple_location(at), v);
	} else if (POINTER_TYPE_P(TREE_TYPE(dst))) {
		type = TREE_TYPE(TREE_TYPE(dst));
	}
	if (record_name(type) && !partial_store(ff, type, size, at, v))
		emit_store(ff.fn->decl, std::string(record_name(type)) + ".*",
			   gimple_location(at), v);
}

/*
 * The field a store writes: p->f = v, and WRITE_ONCE(p->f, v) or
 * rcu_assign_pointer(), which store through the address &p->f taken just
 * before (as loads are read in slice.c).
 */
static std::string store_key(tree lhs)
{
	tree ptr;
	gimple *def;

	if (!field_key(lhs).empty() || TREE_CODE(lhs) != MEM_REF)
		return field_key(lhs);
	ptr = TREE_OPERAND(lhs, 0);
	for (int n = 0; n < 4 && TREE_CODE(ptr) == SSA_NAME; n++) {
		def = SSA_NAME_DEF_STMT(ptr);
		if (!def || (!gimple_assign_single_p(def) && !gimple_assign_cast_p(def)))
			return "";
		ptr = gimple_assign_rhs1(def);
	}
	if (TREE_CODE(ptr) != ADDR_EXPR)
		return "";
	return field_key(TREE_OPERAND(ptr, 0));
}

/*
 * handlers[EXIT_REASON_X] = handle_x through a parameter that points into
 * a table (nested_vmx_hardware_setup(kvm_vmx_exit_handlers)): its index.
 */
static int table_param(tree lhs, function *fn)
{
	tree base = get_base_address(lhs), ptr;
	gimple *def;

	if (!base || TREE_CODE(base) != MEM_REF)
		return -1;
	ptr = TREE_OPERAND(base, 0);
	/* exit_handlers + 8 * EXIT_REASON_X, through casts. */
	for (int n = 0; n < 4 && param_of(ptr, fn) < 0 && TREE_CODE(ptr) == SSA_NAME; n++) {
		def = SSA_NAME_DEF_STMT(ptr);
		if (!def || !is_gimple_assign(def) ||
		    (gimple_assign_rhs_code(def) != POINTER_PLUS_EXPR && !gimple_assign_cast_p(def) &&
		     !gimple_assign_single_p(def)))
			return -1;
		ptr = gimple_assign_rhs1(def);
	}
	return param_of(ptr, fn);
}

/* "NAME[]" when ARG is the address of the global table NAME (or of its first element). */
static std::string table_arg(tree arg)
{
	STRIP_NOPS(arg);
	if (TREE_CODE(arg) != ADDR_EXPR)
		return "";
	arg = TREE_OPERAND(arg, 0);
	if (TREE_CODE(arg) == ARRAY_REF)
		return table_key(arg);
	if (TREE_CODE(arg) == VAR_DECL && is_global_var(arg) &&
	    TREE_CODE(TREE_TYPE(arg)) == ARRAY_TYPE && name_of(arg))
		return std::string(name_of(arg)) + "[]";
	return "";
}

static void assign_facts(fn_facts &ff, gimple *stmt)
{
	tree lhs = gimple_assign_lhs(stmt), fnaddr;
	std::vector<source> v;
	std::string key;
	int idx;

	if (TREE_CODE(lhs) == SSA_NAME || gimple_clobber_p(stmt))
		return;
	key = store_key(lhs);
	fnaddr = gimple_assign_single_p(stmt) ? function_address(gimple_assign_rhs1(stmt)) : NULL_TREE;
	if (fnaddr) {
		if (!key.empty())
			emit_bind(ff.fn->decl, key, "field", fnaddr, "", gimple_location(stmt));
		else if (table_param(lhs, ff.fn) >= 0)
			emit_bind(ff.fn->decl, "@" + std::to_string(table_param(lhs, ff.fn)),
				  "param_table", fnaddr, "", gimple_location(stmt));
		return;
	}
	idx = -1;
	if (TREE_CODE(get_base_address(lhs)) == MEM_REF)
		idx = param_of(TREE_OPERAND(get_base_address(lhs), 0), ff.fn);
	if (key.empty() && idx < 0 && !record_name(TREE_TYPE(lhs)))
		return;
	if (gimple_assign_single_p(stmt))
		slice_terms(gimple_assign_rhs1(stmt), ff.fn, stmt, v);
	if (!key.empty())
		emit_store(ff.fn->decl, key, gimple_location(stmt), v);
	if (record_name(TREE_TYPE(lhs)))
		emit_store(ff.fn->decl, std::string(record_name(TREE_TYPE(lhs))) + ".*",
			   gimple_location(stmt), v);
	if (idx >= 0)
		append(ff.outs[idx], v);
}

/*
 * What a static call is updated to: a function, the function pointer held
 * in a field, or either of them chosen by a PHI or a cast (the
 * KVM_X86_OP_OPTIONAL_RET0 ops: kvm_x86_ops.func ?: __static_call_return0).
 */
static void static_call_values(fn_facts &ff, const char *kname, tree val, gcall *call,
			       int depth)
{
	gimple *def;

	if (function_address(val)) {
		/* __static_call_return0 returns 0: a constant adds nothing to the join. */
		if (strcmp(name_of(function_address(val)), "__static_call_return0"))
			emit_bind(ff.fn->decl, kname, "static_call", function_address(val), "",
				  gimple_location(call));
		return;
	}
	STRIP_NOPS(val);
	def = TREE_CODE(val) == SSA_NAME ? SSA_NAME_DEF_STMT(val) : NULL;
	if (!def || depth > 4)
		return;
	if (gimple_code(def) == GIMPLE_PHI) {
		for (unsigned int i = 0; i < gimple_phi_num_args(def); i++)
			static_call_values(ff, kname, gimple_phi_arg_def(def, i), call, depth + 1);
	} else if (gimple_assign_cast_p(def)) {
		static_call_values(ff, kname, gimple_assign_rhs1(def), call, depth + 1);
	} else if (gimple_assign_single_p(def) && !field_key(gimple_assign_rhs1(def)).empty()) {
		emit_bind(ff.fn->decl, kname, "static_call", NULL_TREE,
			  field_key(gimple_assign_rhs1(def)), gimple_location(call));
	} else if (gimple_assign_single_p(def)) {
		static_call_values(ff, kname, gimple_assign_rhs1(def), call, depth + 1);
	}
}

/* static_call_update(name, func): __static_call_update(&__SCK__name, tramp, func). */
static bool static_call_facts(fn_facts &ff, gcall *call, tree callee)
{
	const char *kname;
	tree key;

	if (!callee || strcmp(name_of(callee), "__static_call_update") ||
	    gimple_call_num_args(call) < 3)
		return false;
	key = gimple_call_arg(call, 0);
	STRIP_NOPS(key);
	if (TREE_CODE(key) != ADDR_EXPR || !(kname = name_of(TREE_OPERAND(key, 0))) ||
	    strncmp(kname, STATIC_CALL_KEY, strlen(STATIC_CALL_KEY)))
		return false;
	kname += strlen(STATIC_CALL_KEY);
	static_call_values(ff, kname, gimple_call_arg(call, 2), call, 0);
	return true;
}

/* The callee is named by the policy: what it writes is decided here. */
static void decided_call_facts(fn_facts &ff, gcall *call, tree callee)
{
	struct policy_hit hit = policy_func(name_of(callee));
	std::vector<source> v;
	tree types = TYPE_ARG_TYPES(TREE_TYPE(callee));

	if (hit.prov == PROV_NONE)
		return;
	v.push_back({ "function", name_of(callee),
		      hit.prov == PROV_GUEST ? SRC_GUEST : SRC_HOST, hit.why,
		      user_location(gimple_location(call)) });
	/* Buffers it fills: &object arguments and void * parameters. */
	for (unsigned int i = 0; i < gimple_call_num_args(call); i++, types = types ? TREE_CHAIN(types) : types) {
		tree arg = gimple_call_arg(call, i), ptype = types ? TREE_VALUE(types) : NULL_TREE;

		if (TREE_CODE(arg) == ADDR_EXPR ||
		    (ptype && POINTER_TYPE_P(ptype) && VOID_TYPE_P(TREE_TYPE(ptype))))
			store_through(ff, arg, call, v);
	}
}

static void builtin_call_facts(fn_facts &ff, gcall *call, tree callee)
{
	std::vector<source> v;

	if (fndecl_built_in_p(callee, BUILT_IN_MEMCPY) || fndecl_built_in_p(callee, BUILT_IN_MEMMOVE)) {
		slice_terms_pointee(gimple_call_arg(call, 1), ff.fn, call, v);
		store_through(ff, gimple_call_arg(call, 0), call, v, gimple_call_arg(call, 2));
	} else if (fndecl_built_in_p(callee, BUILT_IN_MEMSET)) {
		v.push_back({ "constant", "memset", SRC_CONSTANT, "constant",
			      user_location(gimple_location(call)) });
		store_through(ff, gimple_call_arg(call, 0), call, v, gimple_call_arg(call, 2));
	}
}

static void call_facts(fn_facts &ff, gcall *call)
{
	tree callee = call_target(call);
	std::string r, via;
	bool decided;
	int id;

	if (gimple_call_internal_p(call))
		return;
	if (callee && fndecl_built_in_p(callee)) {
		builtin_call_facts(ff, call, callee);
		return;
	}
	if (static_call_facts(ff, call, callee))
		return;
	decided = callee_decides(call);
	if (decided) {
		/* Its value is the policy's; its parameters still have this caller. */
		decided_call_facts(ff, call, callee);
		if (!callee)
			return;
	}
	id = facts_call_id(call);
	r = record_head("call", ff.fn->decl, gimple_location(call));
	r += ", \"id\": " + std::to_string(id);
	if (callee) {
		r += ", \"callee\": ";
		json_str(r, name_of(callee));
		if (!TREE_PUBLIC(callee))
			r += ", \"callee_local\": true";
	} else if (!(via = call_via(call)).empty()) {
		r += ", \"via\": ";
		json_str(r, via.c_str());
	} else if (param_of(gimple_call_fn(call), ff.fn) >= 0) {
		/* fn(..., access_fn): the callers name the function. */
		r += ", \"via_param\": " + std::to_string(param_of(gimple_call_fn(call), ff.fn));
	}
	r += ", \"args\": [";
	for (unsigned int i = 0; i < gimple_call_num_args(call); i++) {
		tree arg = gimple_call_arg(call, i);
		std::vector<source> v, m, out;

		slice_terms(arg, ff.fn, call, v);
		r += i ? ", {" : "{";
		r += "\"v\": ";
		facts_json_terms(r, v);
		if (!table_arg(arg).empty()) {
			r += ", \"table\": ";
			json_str(r, table_arg(arg).c_str());
		}
		if (function_address(arg)) {
			r += ", \"fn\": ";
			json_str(r, name_of(function_address(arg)));
			if (!TREE_PUBLIC(function_address(arg)))
				r += ", \"fn_local\": true";
		}
		if (POINTER_TYPE_P(TREE_TYPE(arg)) && !function_address(arg)) {
			slice_terms_pointee(arg, ff.fn, call, m);
			emit_terms(r, "m", m);
			/* What the callee writes back lands in the object. */
			out.push_back({ "out", std::to_string(id) + ":" + std::to_string(i),
					SRC_SYMBOLIC, "decided by the whole-build database",
					user_location(gimple_location(call)) });
			if (!decided && (TREE_CODE(arg) == ADDR_EXPR || param_of(arg, ff.fn) >= 0))
				store_through(ff, arg, call, out);
		}
		r += "}";
	}
	facts_append(r + "]}\n");
}

/*
 * Parameters the policy names (guest-param, host-param), as JSON members
 * "I": {...}: the resolver decides them so, as this unit does, when nothing
 * in the build calls the function (an export whose callers are configured
 * out).  Also counts the parameters into *N.
 */
static std::string param_policy(tree fndecl, int *n)
{
	std::string out;

	*n = 0;
	for (tree p = DECL_ARGUMENTS(fndecl); p; p = DECL_CHAIN(p), (*n)++) {
		const char *name = DECL_NAME(p) ? IDENTIFIER_POINTER(DECL_NAME(p)) : NULL;
		struct policy_hit hit;

		if (!name || (hit = policy_param(name)).prov == PROV_NONE)
			continue;
		out += out.empty() ? "\"" : ", \"";
		out += std::to_string(*n) + "\": {\"c\": ";
		json_str(out, hit.prov == PROV_GUEST ? "guest" : "host");
		out += ", \"n\": ";
		json_str(out, name);
		out += ", \"w\": ";
		json_str(out, hit.why);
		out += "}";
	}
	return out;
}

static void emit_summary(const fn_facts &ff)
{
	std::string r = record_head("summary", ff.fn->decl, DECL_SOURCE_LOCATION(ff.fn->decl));
	int n;
	std::string named = param_policy(ff.fn->decl, &n);
	struct policy_hit hit = policy_func(name_of(ff.fn->decl));

	r += ", \"nparams\": " + std::to_string(n);
	if (!named.empty())
		r += ", \"param_policy\": {" + named + "}";
	/* Named by the policy: callers through an ops field get its class too. */
	if (hit.prov != PROV_NONE) {
		r += ", \"policy\": ";
		json_str(r, hit.prov == PROV_GUEST ? "guest" : "host");
		r += ", \"why\": ";
		json_str(r, hit.why);
	}
	emit_terms(r, "ret", ff.ret);
	r += ", \"outs\": {";
	for (auto it = ff.outs.begin(); it != ff.outs.end(); ++it) {
		r += it == ff.outs.begin() ? "\"" : ", \"";
		r += std::to_string(it->first) + "\": ";
		facts_json_terms(r, it->second);
	}
	facts_append(r + "}}\n");
}

void facts_function(function *fn)
{
	fn_facts ff;
	basic_block bb;

	if (!kvmdc_facts_dir)
		return;
	ff.fn = fn;
	FOR_EACH_BB_FN(bb, fn) {
		for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
			gimple *stmt = gsi_stmt(gsi);

			if (is_gimple_assign(stmt))
				assign_facts(ff, stmt);
			else if (is_gimple_call(stmt))
				call_facts(ff, as_a<gcall *>(stmt));
			else if (gimple_code(stmt) == GIMPLE_RETURN &&
				 gimple_return_retval(as_a<greturn *>(stmt)))
				slice_terms(gimple_return_retval(as_a<greturn *>(stmt)), fn, stmt, ff.ret);
		}
	}
	emit_summary(ff);
}

void facts_site(const site &s)
{
	std::vector<source> terms;
	std::string r;
	expanded_location x = expand_location(s.expansion);

	if (!kvmdc_facts_dir || !s.analysed)
		return;
	site_terms(s, terms);
	r = record_head("site", s.fndecl, s.expansion);
	r += ", \"col\": " + std::to_string(x.column);
	emit_terms(r, "terms", terms);
	facts_append(r + "}\n");
}

/*
 * .field = func in a static initialiser, nested structs and arrays
 * included; the elements of a global table of functions bind "NAME[]"
 * (call_via() names a call through one the same way).
 */
static void initialiser_bindings(tree ctor, tree var)
{
	bool table = ctor == DECL_INITIAL(var) && TREE_CODE(TREE_TYPE(ctor)) == ARRAY_TYPE;
	unsigned HOST_WIDE_INT i;
	tree idx, val;

	FOR_EACH_CONSTRUCTOR_ELT(CONSTRUCTOR_ELTS(ctor), i, idx, val) {
		tree fn = function_address(val);

		if (val && TREE_CODE(val) == CONSTRUCTOR) {
			initialiser_bindings(val, var);
		} else if (fn && idx && TREE_CODE(idx) == FIELD_DECL &&
			   record_name(DECL_CONTEXT(idx)) && name_of(idx)) {
			emit_bind(NULL_TREE, std::string(record_name(DECL_CONTEXT(idx))) + "." +
				  name_of(idx), "field", fn, "", DECL_SOURCE_LOCATION(var));
		} else if (fn && table && name_of(var)) {
			emit_bind(NULL_TREE, std::string(name_of(var)) + "[]", "field", fn, "",
				  DECL_SOURCE_LOCATION(var));
		}
	}
}

void facts_bindings(void)
{
	varpool_node *vnode;

	if (!kvmdc_facts_dir)
		return;
	FOR_EACH_VARIABLE(vnode) {
		tree init = DECL_INITIAL(vnode->decl);

		if (init && TREE_CODE(init) == CONSTRUCTOR)
			initialiser_bindings(init, vnode->decl);
	}
	call_ids.clear();
	next_call_id = 0;
}
