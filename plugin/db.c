// SPDX-License-Identifier: GPL-2.0
/*
 * The whole-build provenance database, as the plugin sees it: the text
 * export kvmdc db writes beside TREE/.kvmdc.db (kernel-integration/
 * DATABASE.md explains why not SQLite).  It decides what this unit cannot:
 * a callee's return value, the functions bound to a field, a field's
 * stores, the callers of a parameter in other files.  Any doubt about the
 * file (not SQLite, another size, another tree, a bad line) is one note
 * and the plugin keeps its per-unit verdicts.
 */
#include "kvmdc.h"
#include <unordered_map>
#include <sys/stat.h>

#define DB_VERSION	"1"
#define SQLITE_MAGIC	"SQLite format 3"

static std::unordered_map<std::string, db_entry> entries;
static bool loaded;
static std::string unit;	/* this unit, as kvmdc db names it */

bool kvmdc_db_loaded(void)
{
	return loaded;
}

static void db_note(const char *path, const char *why)
{
	inform(UNKNOWN_LOCATION, "kvmdc: database %qs not used: %s; per-file verdicts", path, why);
}

/* a/b/../c -> a/c; leading ./ dropped: the unit's name in the facts. */
static std::string normalise(const char *file)
{
	std::vector<std::string> parts;
	std::string part, out;

	for (const char *p = file;; p++) {
		if (*p && *p != '/') {
			part += *p;
			continue;
		}
		if (part == ".." && !parts.empty() && parts.back() != "..")
			parts.pop_back();
		else if (!part.empty() && part != ".")
			parts.push_back(part);
		part.clear();
		if (!*p)
			break;
	}
	for (size_t i = 0; i < parts.size(); i++)
		out += (i ? "/" : "") + parts[i];
	return out;
}

static bool same_tree(const std::string &tree)
{
	char *here = realpath(".", NULL);
	bool same = here && tree == here;

	free(here);
	return same;
}

static bool parse_line(const std::string &line)
{
	size_t tab = line.find('\t');
	std::string head = line.substr(0, tab);
	char kind[4], key[1024], cls[16], params[256];
	db_entry e;

	if (sscanf(head.c_str(), "%3s %1023s %15s %255s", kind, key, cls, params) != 4)
		return false;
	if (!strcmp(cls, "guest"))
		e.cls = SRC_GUEST;
	else if (!strcmp(cls, "host"))
		e.cls = SRC_HOST;
	else if (!strcmp(cls, "unknown"))
		e.cls = SRC_UNKNOWN;
	else
		return false;
	for (const char *p = params; *p && strcmp(params, "-"); ) {
		e.params.push_back(atoi(p));
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	if (tab != std::string::npos)
		e.chain = line.substr(tab + 1);
	entries[std::string(kind) + " " + key] = e;
	return true;
}

static bool read_export(const char *db, FILE *f, long size)
{
	char ver[16], tree[4096];
	long want;
	std::string line;
	int c, lineno = 1;

	if (fscanf(f, "kvmdc-db %15s %ld %4095s\n", ver, &want, tree) != 3 || strcmp(ver, DB_VERSION)) {
		db_note(db, "its export has no kvmdc-db " DB_VERSION " header (run kvmdc db)");
		return false;
	}
	if (want != size) {
		db_note(db, "it does not match its export (half-written or replaced; run kvmdc db)");
		return false;
	}
	if (!same_tree(tree)) {
		std::string why = std::string("built from ") + tree + ", not this tree (run kvmdc db here)";
		db_note(db, why.c_str());
		return false;
	}
	while ((c = fgetc(f)) != EOF) {
		if (c != '\n') {
			line += (char)c;
			continue;
		}
		lineno++;
		if (!parse_line(line)) {
			std::string why = "bad line " + std::to_string(lineno) + " in its export";
			db_note(db, why.c_str());
			return false;
		}
		line.clear();
	}
	if (!line.empty()) {
		db_note(db, "its export ends in the middle of a line (run kvmdc db)");
		return false;
	}
	return true;
}

/* Never an error: a database that cannot be used leaves today's verdicts. */
void db_load(const char *path)
{
	std::string export_path = std::string(path) + ".plugin";
	char magic[16] = "";
	struct stat st;
	FILE *f;
	bool ok;

	f = fopen(path, "rb");
	if (!f || stat(path, &st)) {
		db_note(path, xstrerror(errno));
		if (f)
			fclose(f);
		return;
	}
	ok = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
	     !memcmp(magic, SQLITE_MAGIC, sizeof(SQLITE_MAGIC));
	fclose(f);
	if (!ok) {
		db_note(path, "not an SQLite file (corrupt)");
		return;
	}
	f = fopen(export_path.c_str(), "r");
	if (!f) {
		db_note(path, "its export .plugin is missing (run kvmdc db)");
		return;
	}
	ok = read_export(path, f, st.st_size);
	fclose(f);
	if (!ok)
		entries.clear();
	loaded = ok;
}

const db_entry *db_find(char kind, tree fndecl, int idx, const char *key)
{
	std::string k = std::string(1, kind) + " ";

	if (!loaded)
		return NULL;
	if (unit.empty())
		unit = normalise(main_input_filename);
	if (fndecl) {
		const char *name = DECL_NAME(fndecl) ? IDENTIFIER_POINTER(DECL_NAME(fndecl)) : NULL;

		if (!name)
			return NULL;
		k += TREE_PUBLIC(fndecl) ? name : unit + "::" + name;
		if (idx >= 0)
			k += "#" + std::to_string(idx);
	} else {
		k += key;
	}
	auto it = entries.find(k);
	return it == entries.end() ? NULL : &it->second;
}

/* An entry by its export key ("F demo_apic.icr"): witness references. */
const db_entry *db_find_key(const std::string &key)
{
	auto it = entries.find(key);

	return it == entries.end() ? NULL : &it->second;
}
