/* The step path of the tracer in C (accel.py builds and loads it; issue 14.1).
 *
 * A task step costs asyncio about 2 us; the pure-Python hooks around it (patches.py's
 * Handle._run, call_soon and create_task hooks, events.Recorder's step, task and callback
 * events, blocking.Blocking's step hooks) cost several times that. StepPath does the same work
 * for the most frequent cases: a step of a known task whose loop is already in its tick (its
 * event, its wait reason when it is a sleep(0), its end and `done` event), a plain function
 * run as a callback (a gather's done callbacks), a task made by create_task (its creation,
 * `task` event and `by`), and a tick's ready list. Anything else it hands, before changing
 * anything, to the Python function it stands for, so the Python code stays the definition of
 * every event and the events are the same either way (test_accel.py compares them).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#include <structmember.h>
#include <math.h>
#include <time.h>

#if PY_VERSION_HEX < 0x03090000
#define PyObject_Vectorcall _PyObject_Vectorcall
static PyCodeObject *PyFrame_GetCode(PyFrameObject *f) { Py_INCREF(f->f_code); return f->f_code; }
#define PyObject_CallOneArg(fn, arg) PyObject_CallFunctionObjArgs(fn, arg, NULL)
#endif

/* Interned attribute names. */
static PyObject *s_loop, *s_callback, *s_self, *s_ref, *s_tick_ready, *s_started, *s_blocking,
    *s_samples, *s_handle_at, *s_line, *s_file, *s_running, *s_running_since,
    *s_running_callback, *s_running_rec, *s_running_kind, *s_running_timer, *s_origin, *s_time,
    *s_own, *s_stepped, *s_done, *s_coro, *s_get_coro, *s_cr_frame, *s_cr_await, *s_gi_frame,
    *s_gi_yieldfrom, *s_steps, *s_ready_ids, *s_ready_at, *s_step_by, *s_by, *s_by_n, *s_n,
    *s_last_n, *s_last_q, *s_id, *s_timeouts, *s_stack, *s_reason, *s_longest, *s_busy,
    *s_monotonic, *s_state, *s_flush, *s_io_ids, *s_soon, *s_cancelled, *s_exception, *s_result, *s_creating,
    *s_n_tasks, *s_key, *s_cr_code, *s_gi_code, *s_cr_running, *s_cr_suspended, *s_qualname,
    *s_get_name, *s_task_dash, *s_task_factory, *s_f_locals, *s_name, *s_ready_queue,
    *s_handle_cancelled, *s_waited, *s_jump, *s_io;

/* Records by their object's address, in front of a registry dict keyed by id(obj) (a new int
 * to make and hash at each lookup). An entry is only a hint: refers_to confirms it, and one
 * whose object died (its address reused) is replaced. Emptied when it fills up. */
typedef struct {
    void *obj;
    PyObject *rec;   /* strong */
} RecSlot;

typedef struct {
    RecSlot *slots;
    size_t mask;     /* capacity - 1; 0 while there are no slots */
    size_t used;
} RecTable;

typedef struct {
    PyObject_HEAD
    /* given by accel.step_path(); see there */
    PyObject *loops, *recs, *task_types, *hooks, *report;
    PyObject *py_before, *py_after, *py_scheduled, *py_after_step, *py_blocking_after_step,
        *task_started, *task_coro;
    PyObject *recorder, *emit_raw, *code_info, *sleep_code, *yield_reason, *yield_json,
        *yield_by, *compute, *with_via, *quote, *encode, *perf, *float_time, *state_tag;
    PyObject *emitter, *events, *loop_time, *clock_globals, *clock_monotonic, *real_monotonic;
    /* plain callbacks (a gather's done callbacks): events.Handle, registry.threadsafe, the
     * Python hooks; callbacks is 0 when other listeners than ours are on the callback hooks */
    PyObject *handle_type, *threadsafe, *py_after_callback, *py_blocking_after_callback,
        *callable_position, *py_done, *waiters_of, *stale;
    int callbacks;
    /* the last plain function's qualname and code, and its event's "fn":..."line":..."file": */
    PyObject *fn_qualname, *fn_code, *fn_fields;
    /* new tasks (registry.add_task and Recorder.task_spawned for a create_task's task);
     * spawns is 0 when other listeners than the Recorder's are on task_spawned */
    PyObject *registry, *ref_type, *task_gone, *taskrec_type, *coro_fields, *coro_label,
        *py_task_scheduled, *current_task;
    int spawns;
    /* {code object: (qualname, its task event's "coro", "internal" and "lib")} (coro_fields) */
    PyObject *coro_cache;
    /* {code object: events.start_of(code)} */
    PyObject *start_of, *start_cache;
    /* create_task's hooks (patches._create_task_hooks' starting, _Patches._created), what
     * frames.caller_position reads, and {filename: frames.file_field(filename)} */
    PyObject *py_starting, *py_created, *named_creators, *boundary_codes, *library_cache,
        *file_field, *file_fields;
    /* Recorder.ready_other, for tick_ready(); ticks is 0 when other listeners than the
     * Recorder are on tick_ready */
    PyObject *ready_other;
    int ticks;
    /* The last loop and task looked up, with their records (see known_cached). */
    PyObject *last_loop, *last_L, *last_task, *last_rec;
    RecTable task_recs;   /* in front of recs */
    double threshold;
    int perf_is_monotonic, real_is_monotonic;   /* see is_time_function */
} StepPath;

/* The tracer's records (registry.LoopRec, TaskRec, blocking's per-loop state) and asyncio's
 * handles keep their fields in __slots__, which PyObject_GetAttr finds by looking the name up
 * on the type every time. get_attr and set_attr read and write such a field at its offset,
 * found once per (type, name): the type's own member descriptor for it, which is what the
 * generic lookup would use. Anything else goes the generic way. */
#ifndef T_OBJECT_EX
#define T_OBJECT_EX 16
#endif
#ifndef READONLY
#define READONLY 1
#endif

typedef struct {
    PyTypeObject *type;   /* strong references: a cached type's address is never reused */
    PyObject *name;
    Py_ssize_t offset;    /* 0: not a plain slot of that type */
} SlotEntry;

/* Direct-mapped; a miss costs a type lookup, so the table is large enough, and the hash mixes
 * well enough, for the few dozen (type, name) pairs of a run never to evict each other. */
#define SLOT_CACHE_BITS 11
static SlotEntry slot_cache[1 << SLOT_CACHE_BITS];

static Py_ssize_t slot_offset(PyTypeObject *tp, PyObject *name) {
    uint64_t h = (uint64_t)(uintptr_t)tp * 0x9E3779B97F4A7C15u
        ^ (uint64_t)(uintptr_t)name * 0xC2B2AE3D27D4EB4Fu;
    SlotEntry *e = &slot_cache[h >> (64 - SLOT_CACHE_BITS)];
    if (e->type == tp && e->name == name)
        return e->offset;
    Py_ssize_t offset = 0;
    if (tp->tp_getattro == PyObject_GenericGetAttr && tp->tp_setattro == PyObject_GenericSetAttr) {
        PyObject *d = PyObject_GetAttr((PyObject *)tp, name);
        if (d == NULL) {
            PyErr_Clear();
        } else {
            if (Py_TYPE(d) == &PyMemberDescr_Type) {
                PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
                if (m->type == T_OBJECT_EX && !(m->flags & READONLY))
                    offset = m->offset;
            }
            Py_DECREF(d);
        }
    }
    Py_INCREF(tp);
    Py_INCREF(name);
    Py_XDECREF(e->type);
    Py_XDECREF(e->name);
    e->type = tp;
    e->name = name;
    e->offset = offset;
    return offset;
}

/* Each call of get_attr and the like keeps the last two (type, name) pairs it saw and their
 * offsets: the same pair again (the usual case: one record type per call, or two taking turns,
 * as a loop's and a task's record in refers_to) skips the table. */
typedef struct {
    PyTypeObject *type;   /* a strong reference, as in slot_cache */
    PyObject *name;
    Py_ssize_t offset;
} SiteEntry;

typedef struct {
    SiteEntry last, before;
} Site;

static Py_ssize_t site_miss(Site *site, PyTypeObject *tp, PyObject *name);

static inline Py_ssize_t site_offset(Site *site, PyTypeObject *tp, PyObject *name) {
    if (site->last.type == tp && site->last.name == name)
        return site->last.offset;
    if (site->before.type == tp && site->before.name == name)
        return site->before.offset;
    return site_miss(site, tp, name);
}

static Py_ssize_t site_miss(Site *site, PyTypeObject *tp, PyObject *name) {
    Py_ssize_t offset = slot_offset(tp, name);
    Py_INCREF(tp);
    Py_XDECREF(site->before.type);
    site->before = site->last;
    site->last.type = tp;
    site->last.name = name;   /* interned, never freed */
    site->last.offset = offset;
    return offset;
}

#define AT(fn, ...) ({ static Site site_; fn##_at(&site_, __VA_ARGS__); })
#define get_attr(...) AT(get_attr, __VA_ARGS__)
#define set_attr(...) AT(set_attr, __VA_ARGS__)
#define get_double(...) AT(get_double, __VA_ARGS__)
#define set_new(...) AT(set_new, __VA_ARGS__)
#define set_double(...) AT(set_double, __VA_ARGS__)
#define attr_is_true(...) AT(attr_is_true, __VA_ARGS__)
#define get_index(...) AT(get_index, __VA_ARGS__)
#define set_index(...) AT(set_index, __VA_ARGS__)

static inline __attribute__((always_inline)) PyObject *get_attr_at(Site *site, PyObject *obj, PyObject *name) {
    Py_ssize_t offset = site_offset(site, Py_TYPE(obj), name);
    if (offset > 0) {
        PyObject *v = *(PyObject **)((char *)obj + offset);
        if (v != NULL) {
            Py_INCREF(v);
            return v;
        }
    }
    return PyObject_GetAttr(obj, name);   /* not a slot, or an empty one (AttributeError) */
}

static inline __attribute__((always_inline)) int set_attr_at(Site *site, PyObject *obj, PyObject *name, PyObject *v) {
    Py_ssize_t offset = site_offset(site, Py_TYPE(obj), name);
    if (offset > 0) {
        PyObject **field = (PyObject **)((char *)obj + offset);
        PyObject *old = *field;
        Py_INCREF(v);
        *field = v;
        Py_XDECREF(old);
        return 0;
    }
    return PyObject_SetAttr(obj, name, v);
}

/* A new reference to obj.name, or NULL without an exception when it has no such attribute. */
static PyObject *get_optional(PyObject *obj, PyObject *name) {
    PyObject *v = NULL;
#if PY_VERSION_HEX >= 0x030D0000
    PyObject_GetOptionalAttr(obj, name, &v);   /* no AttributeError made, then cleared */
#else
    _PyObject_LookupAttr(obj, name, &v);
#endif
    return v;
}

/* time.perf_counter and time.monotonic both read CLOCK_MONOTONIC on Linux, and make the same
 * float of it: where sp->perf and sp->real_monotonic are those two, the clock is read here,
 * without a call and a float made and taken apart (three times a step). */
static int is_time_function(PyObject *f, const char *name) {
#ifdef __linux__
    if (!PyCFunction_Check(f) || strcmp(((PyCFunctionObject *)f)->m_ml->ml_name, name) != 0)
        return 0;
    PyObject *module = PyCFunction_GET_SELF(f);
    const char *module_name = module && PyModule_Check(module) ? PyModule_GetName(module) : NULL;
    PyErr_Clear();
    return module_name != NULL && strcmp(module_name, "time") == 0;
#else
    return 0;
#endif
}

static double monotonic_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)((long long)ts.tv_sec * 1000000000LL + ts.tv_nsec) / 1e9;
}

static int now(StepPath *sp, double *out) {
    if (sp->perf_is_monotonic) {
        *out = monotonic_seconds();
        return 0;
    }
    PyObject *v = PyObject_Vectorcall(sp->perf, NULL, 0, NULL);
    if (v == NULL)
        return -1;
    *out = PyFloat_AsDouble(v);
    Py_DECREF(v);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

static int get_double_at(Site *site, PyObject *obj, PyObject *name, double *out) {
    PyObject *v = get_attr_at(site, obj, name);
    if (v == NULL)
        return -1;
    *out = PyFloat_AsDouble(v);
    Py_DECREF(v);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

/* obj.name = v, taking the reference to v (a new object, or NULL when making it failed). */
static int set_new_at(Site *site, PyObject *obj, PyObject *name, PyObject *v) {
    if (v == NULL)
        return -1;
    int r = set_attr_at(site, obj, name, v);
    Py_DECREF(v);
    return r;
}

static int set_double_at(Site *site, PyObject *obj, PyObject *name, double value) {
    return set_new_at(site, obj, name, PyFloat_FromDouble(value));
}

static int attr_is_true_at(Site *site, PyObject *obj, PyObject *name) {
    PyObject *v = get_attr_at(site, obj, name);
    if (v == NULL)
        return -1;
    int r = PyObject_IsTrue(v);
    Py_DECREF(v);
    return r;
}

/* The record in `table` (registry.loops or .tasks) of obj, as the Python code finds it:
 * table.get(id(obj)) whose ref() is obj. A new reference, or NULL (no exception) if none. */
/* rec.ref() is obj: 1, else 0 (-1 on error). */
static int refers_to(PyObject *rec, PyObject *obj) {
    PyObject *ref = get_attr(rec, s_ref);
    int same;
    if (ref != NULL && PyWeakref_Check(ref)) {
#if PY_VERSION_HEX >= 0x030D0000
        PyObject *target = NULL;
        same = PyWeakref_GetRef(ref, &target) == 1 && target == obj;
        Py_XDECREF(target);
#else
        same = PyWeakref_GET_OBJECT(ref) == obj;   /* borrowed; what ref() returns */
#endif
    } else {
        PyObject *target = ref ? PyObject_Vectorcall(ref, NULL, 0, NULL) : NULL;
        same = target == obj;
        Py_XDECREF(target);
    }
    Py_XDECREF(ref);
    return same;
}

#define REC_TABLE_MAX_SLOTS (1 << 17)

static inline size_t rec_hash(void *obj) {
    return (size_t)((((uint64_t)(uintptr_t)obj >> 4) * 0x9E3779B97F4A7C15u) >> 32);
}

/* The slot holding obj, or the empty one where it would go (t has slots). */
static RecSlot *rec_slot(RecTable *t, void *obj) {
    size_t i = rec_hash(obj) & t->mask;
    while (t->slots[i].obj != NULL && t->slots[i].obj != obj)
        i = (i + 1) & t->mask;
    return &t->slots[i];
}

static void rec_table_clear(RecTable *t) {
    for (size_t i = 0; t->slots != NULL && i <= t->mask; i++) {
        t->slots[i].obj = NULL;
        Py_CLEAR(t->slots[i].rec);
    }
    t->used = 0;
}

static void rec_table_free(RecTable *t) {
    rec_table_clear(t);
    PyMem_Free(t->slots);
    t->slots = NULL;
    t->mask = 0;
}

/* Whether rec's object is gone: its weak reference is dead (a record without one is kept). */
static int rec_died(PyObject *rec) {
    PyObject *ref = get_attr(rec, s_ref);
    int dead = 0;
    if (ref == NULL) {
        PyErr_Clear();
    } else if (PyWeakref_Check(ref)) {
#if PY_VERSION_HEX >= 0x030D0000
        PyObject *target = NULL;
        int alive = PyWeakref_GetRef(ref, &target);
        Py_XDECREF(target);
        if (alive < 0)
            PyErr_Clear();
        dead = alive == 0;
#else
        dead = PyWeakref_GET_OBJECT(ref) == Py_None;
#endif
    }
    Py_XDECREF(ref);
    return dead;
}

/* Remembers rec for obj. A table that would be over half full lets go of the records of
 * objects that died (their tasks finished long ago: without this a program that makes tasks
 * for hours keeps up to REC_TABLE_MAX_SLOTS / 2 dead ones), and doubles if still over a
 * quarter full; past its largest size it is emptied. 0, or -1 on error. */
static int rec_table_put(RecTable *t, void *obj, PyObject *rec) {
    if (t->slots == NULL || (t->used + 1) * 2 > t->mask + 1) {
        size_t old_capacity = t->slots == NULL ? 0 : t->mask + 1, live = 0;
        /* A dead record keeps its slot's rec, with obj cleared, until the table is rebuilt:
         * freeing it then runs no code while the table is half swept. */
        for (size_t i = 0; i < old_capacity; i++) {
            RecSlot *slot = &t->slots[i];
            if (slot->obj != NULL && rec_died(slot->rec))
                slot->obj = NULL;
            live += slot->obj != NULL;
        }
        size_t capacity = old_capacity == 0 ? 1024 : (live + 1) * 4 > old_capacity ? old_capacity * 2 : old_capacity;
        if (capacity > REC_TABLE_MAX_SLOTS) {
            rec_table_clear(t);
        } else {
            RecSlot *old = t->slots, *slots = PyMem_Calloc(capacity, sizeof *slots);
            if (slots == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            /* Rebuilt even at the same size: a cleared slot would break the probe chains. */
            t->slots = slots;
            t->mask = capacity - 1;
            t->used = live;
            for (size_t i = 0; i < old_capacity; i++)
                if (old[i].obj != NULL)
                    *rec_slot(t, old[i].obj) = old[i];
            for (size_t i = 0; i < old_capacity; i++)
                if (old[i].obj == NULL)
                    Py_XDECREF(old[i].rec);
            PyMem_Free(old);
        }
    }
    RecSlot *slot = rec_slot(t, obj);
    if (slot->obj == NULL)
        t->used++;
    slot->obj = obj;
    Py_INCREF(rec);
    Py_XSETREF(slot->rec, rec);
    return 0;
}

/* The record of obj in table (a registry dict keyed by id(obj)) whose ref() is still obj, a
 * new reference, or NULL (an exception set or not); cache, if not NULL, is asked first. */
static PyObject *known(PyObject *table, PyObject *obj, RecTable *cache) {
    if (cache != NULL && cache->slots != NULL) {
        RecSlot *slot = rec_slot(cache, obj);
        if (slot->obj == obj && refers_to(slot->rec, obj) == 1) {
            Py_INCREF(slot->rec);
            return slot->rec;
        }
        PyErr_Clear();
    }
    PyObject *key = PyLong_FromVoidPtr(obj);
    if (key == NULL)
        return NULL;
    PyObject *rec = PyDict_GetItemWithError(table, key);
    Py_DECREF(key);
    if (rec == NULL)
        return NULL;
    Py_INCREF(rec);
    if (refers_to(rec, obj) != 1) {
        Py_DECREF(rec);
        return NULL;
    }
    if (cache != NULL && rec_table_put(cache, obj, rec) < 0)
        PyErr_Clear();   /* only a hint */
    return rec;
}

/* known(), remembering the last answer: a step looks its loop and its task up again
 * (call_soon's hook during the step, the next step of the same loop). A record whose ref()
 * is still obj is the one the table has for it: the registry replaces a record only when
 * its object died. */
static PyObject *known_cached(PyObject *table, PyObject *obj, PyObject **last_obj,
                              PyObject **last_rec, RecTable *cache) {
    if (*last_rec != NULL && *last_obj == obj && refers_to(*last_rec, obj) == 1) {
        Py_INCREF(*last_rec);
        return *last_rec;
    }
    PyErr_Clear();
    PyObject *rec = known(table, obj, cache);
    if (rec != NULL) {
        Py_INCREF(rec);
        Py_XSETREF(*last_rec, rec);
        *last_obj = obj;   /* compared, never used: no reference */
    }
    return rec;
}

/* The task whose step a handle's callback is, if it is one of asyncio's Task types (borrowed
 * from nothing: a new reference), else NULL without an exception. */
static PyObject *task_of(StepPath *sp, PyObject *callback) {
    PyObject *task = get_optional(callback, s_self);
    if (task == NULL)
        return NULL;
    int is_task = PyObject_IsInstance(task, sp->task_types);
    if (is_task == 1)
        return task;
    Py_DECREF(task);
    return NULL;
}

static void report(StepPath *sp, const char *where) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyObject *r = PyObject_CallFunction(sp->report, "sO", where, value ? value : Py_None);
    Py_XDECREF(r);
    PyErr_Clear();
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

/* A Python hook called with args; 0, or -1 on error. */
static int call_hook(PyObject *fn, PyObject *const *args, Py_ssize_t nargs) {
    PyObject *v = PyObject_Vectorcall(fn, args, nargs, NULL);
    Py_XDECREF(v);
    return v == NULL ? -1 : 0;
}

/* loop.time(). BaseEventLoop.time is `return time.monotonic()`, and time.monotonic is the
 * virtual clock's (virtual_clock.monotonic): two Python frames a step. Where the loop's time
 * is that method and time.monotonic that function, the same sum is made here; any other
 * time() (a subclass's, a Mock, a replaced time.monotonic) is called as it is. */
/* What LOAD_METHOD does: obj.name without the bound method, which costs an allocation (1:
 * *method is the function, to call with obj; 0: the attribute's value). Exported by every
 * CPython 3.8+, declared in its public headers only in some. */
extern int _PyObject_GetMethod(PyObject *obj, PyObject *name, PyObject **method);

/* loop.time() */
static PyObject *call_loop_time(PyObject *loop, PyObject *method, int unbound) {
    PyObject *t = unbound ? PyObject_CallOneArg(method, loop) : PyObject_CallObject(method, NULL);
    Py_DECREF(method);
    return t;
}

static PyObject *loop_time(StepPath *sp, PyObject *loop) {
    PyObject *method = NULL;
    int unbound = _PyObject_GetMethod(loop, s_time, &method) == 1;
    if (method == NULL)
        return NULL;
    if (!unbound || method != sp->loop_time)
        return call_loop_time(loop, method, unbound);
    PyObject *globals = PyFunction_GET_GLOBALS(sp->loop_time);
    PyObject *time_module = PyDict_GetItemWithError(globals, s_time);  /* borrowed */
    /* a plain module's attribute is its dict's entry */
    PyObject *monotonic = time_module == NULL ? NULL
        : PyModule_CheckExact(time_module) ? PyDict_GetItemWithError(PyModule_GetDict(time_module), s_monotonic)
        : PyObject_GetAttr(time_module, s_monotonic);
    if (monotonic != NULL && PyModule_CheckExact(time_module))
        Py_INCREF(monotonic);
    PyObject *state = PyDict_GetItemWithError(sp->clock_globals, s_state);  /* borrowed */
    if (monotonic != sp->clock_monotonic || state == NULL || !PyTuple_CheckExact(state)
        || PyTuple_GET_SIZE(state) != 2) {
        Py_XDECREF(monotonic);
        if (PyErr_Occurred()) {
            Py_DECREF(method);
            return NULL;
        }
        return call_loop_time(loop, method, 1);
    }
    Py_DECREF(monotonic);
    Py_DECREF(method);
    /* virtual_clock.monotonic: (REAL_MONOTONIC() if frozen is None else frozen[0]) + off */
    Py_INCREF(state);
    PyObject *off = PyTuple_GET_ITEM(state, 0), *frozen = PyTuple_GET_ITEM(state, 1);
    if (frozen == Py_None && sp->real_is_monotonic && PyFloat_CheckExact(off)) {
        Py_DECREF(state);
        return PyFloat_FromDouble(monotonic_seconds() + PyFloat_AS_DOUBLE(off));
    }
    PyObject *base = frozen == Py_None ? PyObject_CallObject(sp->real_monotonic, NULL)
                                       : PySequence_GetItem(frozen, 0);
    PyObject *t = base ? PyNumber_Add(base, off) : NULL;
    Py_XDECREF(base);
    Py_DECREF(state);
    return t;
}

/* -- Handle._run, before: patches._Patches._patch_handle_run's before() ------------------- */

/* Recorder.task_started: where a coroutine's first step starts (events.start_of), kept per code
 * object; anything but a coroutine goes to the Python hook. 0, or -1 on error. */
static int task_started(StepPath *sp, PyObject *task, PyObject *rec) {
    PyObject *coro = get_optional(task, s_coro);
    if (coro == NULL || !PyCoro_CheckExact(coro)) {
        Py_XDECREF(coro);
        if (PyErr_Occurred())
            return -1;
        coro = PyObject_CallOneArg(sp->task_coro, task);
        PyObject *args[3] = {task, rec, coro};
        int r = coro ? call_hook(sp->task_started, args, 3) : -1;
        Py_XDECREF(coro);
        return r;
    }
    PyObject *code = get_attr(coro, s_cr_code);
    Py_DECREF(coro);
    if (code == NULL)
        return -1;
    PyObject *where = PyDict_GetItemWithError(sp->start_cache, code);   /* borrowed */
    if (where == NULL) {
        where = PyErr_Occurred() ? NULL : PyObject_CallOneArg(sp->start_of, code);
        if (where != NULL) {
            if (PyDict_GET_SIZE(sp->start_cache) >= 1024)   /* code made at run time: bounded */
                PyDict_Clear(sp->start_cache);
            int kept = PyDict_SetItem(sp->start_cache, code, where);
            Py_DECREF(where);   /* the dict holds it */
            if (kept < 0)
                where = NULL;
        }
    }
    Py_DECREF(code);
    if (where == NULL)
        return -1;
    if (where == Py_None)
        return 0;
    if (!PyTuple_CheckExact(where) || PyTuple_GET_SIZE(where) != 2) {
        PyErr_SetString(PyExc_TypeError, "start_of gave no (line, file)");
        return -1;
    }
    return set_attr(rec, s_line, PyTuple_GET_ITEM(where, 0)) < 0
        || set_attr(rec, s_file, PyTuple_GET_ITEM(where, 1)) < 0 ? -1 : 0;
}

/* 1 when a handle that is not a task's step is of kind "soon" (registry.handle_kind): an
 * events.Handle (not a timer's) neither reported ready by the selector nor scheduled by
 * call_soon_threadsafe; 0 when not (Python's before() then), -1 on error. */
static int plain_soon(StepPath *sp, PyObject *handle, PyObject *cb, PyObject *L) {
    if (!sp->callbacks || Py_TYPE(handle) != (PyTypeObject *)sp->handle_type)
        return 0;
    PyObject *io_ids = get_attr(L, s_io_ids);
    PyObject *key = io_ids ? PyLong_FromVoidPtr(handle) : NULL;
    int in = key ? PySequence_Contains(io_ids, key) : -1;
    Py_XDECREF(io_ids);
    Py_XDECREF(key);
    if (in != 0)
        return in < 0 ? -1 : 0;
    key = PyLong_FromVoidPtr(cb);
    in = key ? PySet_Contains(sp->threadsafe, key) : -1;
    Py_XDECREF(key);
    return in == 0 ? 1 : in < 0 ? -1 : 0;
}

static int tick_ready(StepPath *sp, PyObject *loop, PyObject *L, PyObject *first);

/* 1 when L's tick_ready hook has run (patches.py's before() runs it at a tick's first
 * handle; here when only the Recorder listens), 0 when Python's before() is to run it, -1
 * on error. */
static int first_of_tick(StepPath *sp, PyObject *loop, PyObject *L, PyObject *handle) {
    int done = attr_is_true(L, s_tick_ready);
    if (done != 0 || !sp->ticks)
        return done;
    if (set_attr(L, s_tick_ready, Py_True) < 0 || tick_ready(sp, loop, L, handle) < 0) {
        report(sp, "handle");
        return -1;
    }
    return 1;
}

static PyObject *StepPath_before(StepPath *sp, PyObject *handle) {
    PyObject *loop = NULL, *L = NULL, *cb = NULL, *task = NULL, *rec = NULL, *w = NULL,
             *result = NULL;
    int fast = 0;
    loop = get_attr(handle, s_loop);
    if (loop != NULL && (L = known_cached(sp->loops, loop, &sp->last_loop, &sp->last_L, NULL)) != NULL
        && first_of_tick(sp, loop, L, handle) == 1
        && (cb = get_attr(handle, s_callback)) != NULL
        && (w = get_attr(L, s_blocking)) != NULL && w != Py_None) {
        if ((task = task_of(sp, cb)) != NULL)
            fast = (rec = known_cached(sp->recs, task, &sp->last_task, &sp->last_rec, &sp->task_recs)) != NULL;
        else if (!PyErr_Occurred())
            fast = plain_soon(sp, handle, cb, L) == 1;
    }
    if (!fast) {
        PyErr_Clear();
        result = PyObject_CallOneArg(sp->py_before, handle);
        goto out;
    }
    /* Blocking.before_step / before_callback */
    int samples = attr_is_true(w, s_samples);
    if (samples < 0)
        goto failed;
    if (task == NULL) {
        if ((samples && set_new(w, s_samples, PyList_New(0)) < 0)
            || set_attr(w, s_handle_at, Py_None) < 0
            || set_attr(L, s_running_callback, cb) < 0 || set_attr(L, s_running_rec, Py_None) < 0
            || set_attr(L, s_running_kind, s_soon) < 0
            || set_attr(L, s_running_timer, Py_None) < 0)
            goto failed;
    } else {
        int started = attr_is_true(rec, s_started);
        if (started < 0)
            goto failed;
        if (!started && (set_attr(rec, s_started, Py_True) < 0 || task_started(sp, task, rec) < 0))
            goto failed;
        if (samples && set_new(w, s_samples, PyList_New(0)) < 0)
            goto failed;
        PyObject *line = get_attr(rec, s_line), *file = line ? get_attr(rec, s_file) : NULL;
        int ok = file != NULL && set_attr(w, s_handle_at, Py_None) == 0
            && set_attr(w, s_line, line) == 0 && set_attr(w, s_file, file) == 0;
        Py_XDECREF(line);
        Py_XDECREF(file);
        if (!ok)
            goto failed;
        if (set_attr(L, s_running_callback, cb) < 0 || set_attr(L, s_running_rec, rec) < 0
            || set_attr(L, s_running_kind, Py_None) < 0
            || set_attr(L, s_running_timer, Py_None) < 0)
            goto failed;
    }
    PyObject *origin = get_attr(L, s_origin);
    PyObject *t = origin ? loop_time(sp, loop) : NULL;
    if (t != NULL && !PyFloat_CheckExact(t)) {
        PyObject *args[2] = {t, origin};
        PyObject *as_float = PyObject_Vectorcall(sp->float_time, args, 2, NULL);
        Py_DECREF(t);
        t = as_float;
    }
    Py_XDECREF(origin);
    if (t == NULL)
        goto failed;
    PyObject *own0 = get_attr(sp->hooks, s_own);
    double s0;
    if (own0 == NULL || now(sp, &s0) < 0) {
        Py_DECREF(t);
        Py_XDECREF(own0);
        goto failed;
    }
    PyObject *since = PyFloat_FromDouble(s0);
    if (since == NULL || set_attr(L, s_running, handle) < 0
        || set_attr(L, s_running_since, since) < 0) {
        Py_DECREF(t);
        Py_DECREF(own0);
        Py_XDECREF(since);
        goto failed;
    }
    /* (tag, loop, L, cb, task, rec, t, own0, s0): a state after() knows as its own */
    result = PyTuple_Pack(9, sp->state_tag, loop, L, cb, task ? task : Py_None,
                          rec ? rec : Py_None, t, own0, since);
    Py_DECREF(t);
    Py_DECREF(own0);
    Py_DECREF(since);
    if (result == NULL)
        goto failed;
    goto out;
failed:
    report(sp, "handle");
    Py_INCREF(Py_None);
    result = Py_None;
out:
    Py_XDECREF(loop);
    Py_XDECREF(L);
    Py_XDECREF(cb);
    Py_XDECREF(task);
    Py_XDECREF(rec);
    Py_XDECREF(w);
    return result;
}

/* -- the step event: events.Recorder.after_step -------------------------------------------- */

typedef struct {
    char *data;
    Py_ssize_t len, cap;
    char small[512];
} Buf;

static void buf_init(Buf *b) {
    b->data = b->small;
    b->len = 0;
    b->cap = sizeof b->small;
}

static void buf_release(Buf *b) {
    if (b->data != b->small)
        PyMem_Free(b->data);
}

static int buf_grow(Buf *b, Py_ssize_t n) {
    Py_ssize_t cap = (b->len + n) * 2;
    char *data = b->data == b->small ? PyMem_Malloc(cap) : PyMem_Realloc(b->data, cap);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (b->data == b->small)
        memcpy(data, b->small, b->len);
    b->data = data;
    b->cap = cap;
    return 0;
}

/* Room for n more bytes at b->data + b->len. */
static inline int buf_reserve(Buf *b, Py_ssize_t n) {
    return b->len + n <= b->cap ? 0 : buf_grow(b, n);
}

static inline int buf_add(Buf *b, const char *s, Py_ssize_t n) {
    if (buf_reserve(b, n) < 0)
        return -1;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

#define BUF_LITERAL(b, literal) buf_add(b, "" literal "", sizeof(literal) - 1)

/* -- the events buffer ------------------------------------------------------------------------ */

/* emitter.EventBuffer in C, with the same methods: the events waiting to be written, as UTF-8
 * lines. Adding is one C call, so it needs no lock as long as the GIL is held: the step path
 * adds its events without a Python call, in order with the Python writers (which add under the
 * emitter's lock). Writing stays the emitter's, under its lock. */
typedef struct {
    PyObject_HEAD
    Buf buf;
    Py_ssize_t count, cap, flush_at;   /* events added; max events; bytes that call for a write */
} EventBuffer;

enum { REFUSED = -1, ADDED = 0, FULL = 1 };   /* as emitter.py's */

/* REFUSED (count reached cap and not force), ADDED or FULL; -2 on error */
static int events_add(EventBuffer *e, const char *data, Py_ssize_t n, int force) {
    if (e->count >= e->cap && !force)
        return REFUSED;
    if (buf_add(&e->buf, data, n) < 0 || buf_add(&e->buf, "\n", 1) < 0)
        return -2;
    e->count++;
    return e->buf.len >= e->flush_at ? FULL : ADDED;
}

static int EventBuffer_init(EventBuffer *e, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"cap", "count", "flush_at", NULL};
    e->count = 0;
    e->flush_at = 65536;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "n|nn", names, &e->cap, &e->count,
                                     &e->flush_at))
        return -1;
    buf_release(&e->buf);
    buf_init(&e->buf);
    return 0;
}

static PyObject *EventBuffer_add(EventBuffer *e, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs < 1 || nargs > 2 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "add(line: str, force=False)");
        return NULL;
    }
    int force = nargs == 2 ? PyObject_IsTrue(args[1]) : 0;
    if (force < 0)
        return NULL;
    PyObject *line = args[0], *encoded = NULL;
    const char *data;
    Py_ssize_t n;
    if (PyUnicode_IS_ASCII(line)) {
        data = (const char *)PyUnicode_DATA(line);
        n = PyUnicode_GET_LENGTH(line);
    } else {
        /* a name the program chose; lone surrogates are written as they are */
        encoded = PyUnicode_AsEncodedString(line, "utf-8", "surrogatepass");
        if (encoded == NULL)
            return NULL;
        data = PyBytes_AS_STRING(encoded);
        n = PyBytes_GET_SIZE(encoded);
    }
    int r = events_add(e, data, n, force);
    Py_XDECREF(encoded);
    return r == -2 ? NULL : PyLong_FromLong(r);
}

static PyObject *EventBuffer_take(EventBuffer *e, PyObject *unused) {
    PyObject *data = PyBytes_FromStringAndSize(e->buf.data, e->buf.len);
    if (data != NULL)
        e->buf.len = 0;
    return data;
}

static Py_ssize_t EventBuffer_len(EventBuffer *e) { return e->buf.len; }

static void EventBuffer_dealloc(EventBuffer *e) {
    buf_release(&e->buf);
    Py_TYPE(e)->tp_free((PyObject *)e);
}

static PyObject *EventBuffer_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    EventBuffer *e = (EventBuffer *)type->tp_alloc(type, 0);
    if (e != NULL)
        buf_init(&e->buf);
    return (PyObject *)e;
}

static PyMethodDef EventBuffer_methods[] = {
    {"add", (PyCFunction)(void (*)(void))EventBuffer_add, METH_FASTCALL,
     "add(line, force=False): REFUSED (-1), ADDED (0) or FULL (1)."},
    {"take", (PyCFunction)EventBuffer_take, METH_NOARGS, "The lines added since, as bytes."},
    {NULL}};

static PyMemberDef EventBuffer_members[] = {
    {"count", T_PYSSIZET, offsetof(EventBuffer, count), 0, "events added"},
    {"cap", T_PYSSIZET, offsetof(EventBuffer, cap), 0, "add refuses past this many events"},
    {NULL}};

static PySequenceMethods EventBuffer_as_sequence = {.sq_length = (lenfunc)EventBuffer_len};

static PyTypeObject EventBufferType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_loopscope_accel.EventBuffer",
    .tp_basicsize = sizeof(EventBuffer),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "emitter.EventBuffer in C.",
    .tp_new = EventBuffer_new,
    .tp_init = (initproc)EventBuffer_init,
    .tp_dealloc = (destructor)EventBuffer_dealloc,
    .tp_methods = EventBuffer_methods,
    .tp_members = EventBuffer_members,
    .tp_as_sequence = &EventBuffer_as_sequence,
};

/* An event the step path wrote: added to the events buffer without a Python call; written
 * by emitter.flush() when that fills it; given to emitter.emit_raw when the buffer refuses it
 * (the cap is reached: emit_raw says so, or the emitter is closed). */
static int emit(StepPath *sp, const char *data, Py_ssize_t n) {
    int added = events_add((EventBuffer *)sp->events, data, n, 0);
    if (added == -2)
        return -1;
    PyObject *r = Py_None;
    Py_INCREF(r);
    if (added == FULL) {
        Py_SETREF(r, PyObject_CallMethodObjArgs(sp->emitter, s_flush, NULL));
    } else if (added == REFUSED) {
        PyObject *line = PyUnicode_FromStringAndSize(data, n);
        Py_SETREF(r, line ? PyObject_CallOneArg(sp->emit_raw, line) : NULL);
        Py_XDECREF(line);
    }
    Py_XDECREF(r);
    return r == NULL ? -1 : 0;
}

static const char DIGIT_PAIRS[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes u in decimal to end at `end`, at least `width` digits (zeros in front). Two digits
 * a division: a step's line has a dozen numbers. */
static inline void digits_ending_at(char *end, uint64_t u, int width) {
    char *p = end;
    while (u >= 100) {
        p -= 2;
        memcpy(p, DIGIT_PAIRS + 2 * (u % 100), 2);
        u /= 100;
    }
    if (u >= 10) {
        p -= 2;
        memcpy(p, DIGIT_PAIRS + 2 * u, 2);
    } else {
        *--p = (char)('0' + u);
    }
    while (end - p < width)
        *--p = '0';
}

static const uint64_t POWERS_OF_TEN[] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL,
    1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
    100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
    1000000000000000000ULL, 10000000000000000000ULL};

static inline int decimal_length(uint64_t u) {
    int n = 1;
    while (n < 20 && u >= POWERS_OF_TEN[n])
        n++;
    return n;
}

/* A literal, then an integer in decimal (what '%d' % n writes). Inlined: the literal's
 * length is a constant where it is called. */
static inline int buf_int_n(Buf *b, const char *literal, Py_ssize_t literal_len, long long n) {
    if (buf_reserve(b, literal_len + 21) < 0)
        return -1;
    char *out = b->data + b->len;
    memcpy(out, literal, literal_len);
    out += literal_len;
    uint64_t u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    if (n < 0)
        *out++ = '-';
    out += decimal_length(u);
    digits_ending_at(out, u, 1);
    b->len = out - b->data;
    return 0;
}

/* "" literal "": only a string literal compiles, so its sizeof is its length */
#define buf_int(b, literal, n) buf_int_n(b, "" literal "", sizeof("" literal "") - 1, n)

/* Python's '%.<digits>f' % x: the exact value of x rounded half to even at that digit, which
 * PyOS_double_to_string finds through dtoa (about 600 instructions). Here in integers where
 * x * 10**digits stays below 2**64: x is m * 2**e, m below 2**53 and 10**7 below 2**24, so
 * m * 10**digits fits 128 bits and its rounding at 2**e is exact. Elsewhere dtoa. Writes
 * to out (at least 48 bytes) and returns the length, or -1 for dtoa. */
static int fixed_digits(char *out, double x, int digits) {
#ifndef __SIZEOF_INT128__
    return -1;   /* no 128-bit integers: dtoa */
#else
    if (digits < 0 || digits > 7 || !(fabs(x) < 1e12))   /* also nan */
        return -1;
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int biased = (int)((bits >> 52) & 0x7ff);
    uint64_t m = bits & ((1ULL << 52) - 1);           /* |x| = m * 2**-shift: */
    int shift = 1074;                                 /* a subnormal's */
    if (biased) {
        m |= 1ULL << 52;
        shift = 1075 - biased;
    }
    unsigned __int128 scaled = (unsigned __int128)m * POWERS_OF_TEN[digits];
    uint64_t q;
    if (shift <= 0) {
        q = (uint64_t)(scaled << -shift);             /* below 1e12 * 1e7 < 2**64 */
    } else if (shift >= 128) {
        q = 0;                                        /* below 2**-75: rounds to 0 */
    } else {
        unsigned __int128 whole = scaled >> shift, rest = scaled - (whole << shift),
                          half = (unsigned __int128)1 << (shift - 1);
        q = (uint64_t)whole + (rest > half || (rest == half && (whole & 1)));
    }
    uint64_t whole = q / POWERS_OF_TEN[digits], fraction = q % POWERS_OF_TEN[digits];
    char *p = out;
    if (bits >> 63)
        *p++ = '-';
    p += decimal_length(whole);
    digits_ending_at(p, whole, 1);
    if (digits) {
        *p++ = '.';
        p += digits;
        digits_ending_at(p, fraction, digits);
    }
    return (int)(p - out);
#endif
}

static int buf_fixed(Buf *b, double x, int digits) {
    if (buf_reserve(b, 48) < 0)
        return -1;
    int n = fixed_digits(b->data + b->len, x, digits);
    if (n >= 0) {
        b->len += n;
        return 0;
    }
    char *s = PyOS_double_to_string(x, 'f', digits, 0, NULL);
    if (s == NULL)
        return -1;
    int r = buf_add(b, s, strlen(s));
    PyMem_Free(s);
    return r;
}

/* emitter.seconds: '%.6f', or null for inf and nan. */
static int buf_seconds(Buf *b, double x) {
    return isfinite(x) ? buf_fixed(b, x, 6) : BUF_LITERAL(b, "null");
}

static int buf_str(Buf *b, PyObject *str) {
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(str, &n);
    return s == NULL ? -1 : buf_add(b, s, n);
}

static int buf_call_str(Buf *b, PyObject *fn, PyObject *arg) {
    PyObject *s = PyObject_CallOneArg(fn, arg);
    if (s == NULL)
        return -1;
    int r = buf_str(b, s);
    Py_DECREF(s);
    return r;
}

/* emit() the event in the buffer. 0, or -1 on error. */
static int emit_buf(StepPath *sp, Buf *b) {
    return emit(sp, b->data, b->len);
}

/* quote(fn(arg)) */
static int buf_call_str_str(Buf *b, PyObject *quote, PyObject *fn, PyObject *arg) {
    PyObject *s = PyObject_CallOneArg(fn, arg);
    if (s == NULL)
        return -1;
    int r = buf_call_str(b, quote, s);
    Py_DECREF(s);
    return r;
}

#define MAX_CHAIN 256

/* An await chain: its coroutines and generators, outermost first, with their code objects and
 * their frames. Since 3.11 a frame object is made when first asked for; a step's chain mostly
 * holds fresh library coroutines (asyncio.sleep's) whose frames are never needed: a suspended
 * one's frame is left NULL until chain_frame() asks for it. */
typedef struct {
    PyObject *objs[MAX_CHAIN], *codes[MAX_CHAIN], *frames[MAX_CHAIN];
    Py_ssize_t n;
} Chain;

static void chain_clear(Chain *c) {
    for (Py_ssize_t i = 0; i < c->n; i++) {
        Py_DECREF(c->objs[i]);
        Py_DECREF(c->codes[i]);
        Py_XDECREF(c->frames[i]);
    }
    c->n = 0;
}

/* The getters of coroutines' and generators' frame, awaited object, code and suspended flag
 * where they are getsets (a member, as cr_frame before 3.11, goes the generic way; no
 * cr_suspended before 3.11): found once, called directly. */
static getter g_cr_frame, g_cr_await, g_gi_frame, g_gi_yieldfrom, g_cr_code, g_gi_code,
    g_cr_suspended, g_gi_suspended;

static getter find_getter(PyTypeObject *tp, const char *name) {
    for (PyGetSetDef *g = tp->tp_getset; g && g->name; g++)
        if (strcmp(g->name, name) == 0 && g->closure == NULL)
            return g->get;
    return NULL;
}

static PyObject *chain_attr(PyObject *obj, getter get, PyObject *name) {
    return get ? get(obj, NULL) : get_attr(obj, name);
}

/* A coroutine's or generator's code (a new reference). Read from the object where the headers
 * allow: cr_code and gi_code call the audit hooks at every read since 3.11. */
static PyObject *code_of(PyObject *obj, getter get, PyObject *name) {
#if PY_VERSION_HEX >= 0x030C0000 && !defined(Py_DEBUG)
    return (PyObject *)PyGen_GetCode((PyGenObject *)obj);   /* coroutines share its layout */
#elif PY_VERSION_HEX >= 0x030C0000
    return chain_attr(obj, get, name);   /* a debug build's PyGen_GetCode asserts a generator */
#elif PY_VERSION_HEX >= 0x030B0000
    PyObject *code = (PyObject *)((PyGenObject *)obj)->gi_code;
    Py_INCREF(code);
    return code;
#else
    return chain_attr(obj, get, name);
#endif
}

/* frames.await_chain's frames, for a chain of coroutines and generators only: 1, or 0 (no
 * exception) when it holds anything the Python code treats otherwise (async generators, an
 * awaitable with a frame of its own), -1 on error. */
static int walk_chain(PyObject *coro, Chain *c) {
    PyObject *obj = coro;
    Py_INCREF(obj);
    c->n = 0;
    while (obj != Py_None) {
        PyObject *frame_name, *next_name, *code_name;
        getter frame_getter, next_getter, code_getter, suspended_getter;
        if (Py_TYPE(obj) == &PyCoro_Type) {
            frame_name = s_cr_frame;
            next_name = s_cr_await;
            code_name = s_cr_code;
            frame_getter = g_cr_frame;
            next_getter = g_cr_await;
            code_getter = g_cr_code;
            suspended_getter = g_cr_suspended;
        } else if (Py_TYPE(obj) == &PyGen_Type) {
            frame_name = s_gi_frame;
            next_name = s_gi_yieldfrom;
            code_name = s_gi_code;
            frame_getter = g_gi_frame;
            next_getter = g_gi_yieldfrom;
            code_getter = g_gi_code;
            suspended_getter = g_gi_suspended;
        } else if (Py_TYPE(obj) == &PyAsyncGen_Type
                   || strcmp(Py_TYPE(obj)->tp_name, "async_generator_asend") == 0
                   || strcmp(Py_TYPE(obj)->tp_name, "async_generator_athrow") == 0) {
            Py_DECREF(obj);
            return 0;
        } else {
            /* the bottom: a FutureIter, None... unless it has a frame (await_chain goes on) */
            PyObject *f = get_optional(obj, s_cr_frame);
            Py_DECREF(obj);
            if (f == NULL)
                return PyErr_Occurred() ? -1 : 1;
            int bottom = f == Py_None;
            Py_DECREF(f);
            return bottom ? 1 : 0;
        }
        if (c->n == MAX_CHAIN) {
            Py_DECREF(obj);
            return 1;
        }
        /* A suspended one has a frame (cr_frame is None once it is finished) */
        PyObject *suspended = suspended_getter ? suspended_getter(obj, NULL) : NULL;
        PyObject *f = NULL, *code;
        if (suspended != Py_True) {
            Py_XDECREF(suspended);
            f = chain_attr(obj, frame_getter, frame_name);
            if (f == NULL || f == Py_None) {
                Py_XDECREF(f);
                Py_DECREF(obj);
                return f == NULL ? -1 : 1;
            }
            code = (PyObject *)PyFrame_GetCode((PyFrameObject *)f);
        } else {
            Py_DECREF(suspended);
            code = code_of(obj, code_getter, code_name);
            if (code == NULL) {
                Py_DECREF(obj);
                return -1;
            }
        }
        c->objs[c->n] = obj;
        c->codes[c->n] = code;
        c->frames[c->n++] = f;
        obj = chain_attr(obj, next_getter, next_name);
        if (obj == NULL)
            return -1;
    }
    Py_DECREF(obj);
    return 1;
}

/* The frame of the chain's i-th coroutine or generator (borrowed), made now if it was left. */
static PyObject *chain_frame(Chain *c, Py_ssize_t i) {
    if (c->frames[i] == NULL) {
        PyObject *obj = c->objs[i];
        c->frames[i] = Py_TYPE(obj) == &PyCoro_Type ? chain_attr(obj, g_cr_frame, s_cr_frame)
                                                    : chain_attr(obj, g_gi_frame, s_gi_frame);
    }
    return c->frames[i];
}

/* A code object's classification (its frames._user_code_info entry), and a suspended user
 * frame's line by (code, last instruction): finding them costs a dict lookup by a new int, and
 * the line a scan of the code's line table, at each frame of each step. Entries are keyed by
 * (code, -1) for the info alone. An entry holds the info, and the info its code, so a cached
 * code's address is not reused. Lines are not kept while a trace function is set: f_lineno is
 * then the tracer's to say. */
typedef struct {
    PyObject *info;
    int lasti;
    int lineno;
} FrameEntry;

#define FRAME_CACHE_BITS 12
static FrameEntry frame_cache[1 << FRAME_CACHE_BITS];

static FrameEntry *frame_entry(PyObject *code, int lasti) {
    uint64_t h = ((uint64_t)(uintptr_t)code * 0x9E3779B97F4A7C15u)
        ^ ((uint64_t)(lasti + 1) * 0xC2B2AE3D27D4EB4Fu);
    return &frame_cache[h >> (64 - FRAME_CACHE_BITS)];
}

static void frame_entry_set(FrameEntry *e, PyObject *info, int lasti, int lineno) {
    Py_INCREF(info);
    Py_XSETREF(e->info, info);
    e->lasti = lasti;
    e->lineno = lineno;
}

static int frame_lasti(PyFrameObject *f) {
#if PY_VERSION_HEX >= 0x030B0000
    return PyFrame_GetLasti(f);
#else
    return f->f_lasti;
#endif
}

/* The info of the chain's i-th code (borrowed; NULL without an exception when it is not
 * classified yet) and, for user code, the line its frame is suspended at (-1 otherwise). */
static PyObject *frame_info(StepPath *sp, Chain *c, Py_ssize_t i, int *lineno) {
    PyObject *code = c->codes[i], *info;
    FrameEntry *e = frame_entry(code, -1);
    *lineno = -1;
    if (e->info != NULL && e->lasti == -1 && PyTuple_GET_ITEM(e->info, 0) == code) {
        info = e->info;
    } else {
        PyObject *key = PyLong_FromVoidPtr(code);
        info = key ? PyDict_GetItemWithError(sp->code_info, key) : NULL;
        Py_XDECREF(key);
        if (info == NULL)
            return NULL;
        frame_entry_set(e, info, -1, -1);
    }
    if (PyTuple_GET_SIZE(info) != 3)
        return info;
    PyFrameObject *f = (PyFrameObject *)chain_frame(c, i);
    if (f == NULL)
        return NULL;
    int lasti = frame_lasti(f);
    e = frame_entry(code, lasti);
    int keep = lasti >= 0 && PyThreadState_Get()->c_tracefunc == NULL;
    if (keep && e->info == info && e->lasti == lasti) {
        *lineno = e->lineno;
        return info;
    }
    *lineno = PyFrame_GetLineNumber(f);
    if (keep)
        frame_entry_set(e, info, lasti, *lineno);
    return info;
}

/* old's entry is (lineno, name[, file]) with these very name and file objects (frame_info
 * keeps them per code object, so an unchanged frame gives the same ones). */
static int same_entry(PyObject *entry, int lineno, PyObject *name, PyObject *file) {
    Py_ssize_t size = file == Py_None ? 2 : 3;
    if (!PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != size
        || PyTuple_GET_ITEM(entry, 1) != name || (size == 3 && PyTuple_GET_ITEM(entry, 2) != file))
        return 0;
    PyObject *line = PyTuple_GET_ITEM(entry, 0);
    if (!PyLong_CheckExact(line))
        return 0;
    long value = PyLong_AsLong(line);
    if (value == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return value == lineno;
}

/* frames.user_stack for a walked chain. 1 with *stack a new reference to the list, 0 (no
 * exception) when a code object is not classified yet (frames._code_info is Python's job), -1
 * on error. old: the task's last stack; where the new one is the same, *stack is old itself
 * (most steps stop where the last one did), and the entries it shares with old are old's. */
static int user_stack(StepPath *sp, Chain *c, PyObject *old, PyObject **stack,
                      Py_ssize_t *first, Py_ssize_t *lib_at) {
    Py_ssize_t n_old = PyList_CheckExact(old) ? PyList_GET_SIZE(old) : 0;
    Py_ssize_t k = 0;        /* entries so far */
    PyObject *list = NULL;   /* made at the first entry that is not old's */
    *first = *lib_at = 0;
    for (Py_ssize_t i = 0; i < c->n; i++) {
        int lineno;
        PyObject *info = frame_info(sp, c, i, &lineno);
        if (info == NULL) {
            Py_XDECREF(list);
            return PyErr_Occurred() ? -1 : 0;
        }
        Py_ssize_t kind = PyTuple_GET_SIZE(info);
        if (kind == 2) {
            *lib_at = i + 1;
            continue;
        }
        if (kind != 3)
            continue;
        *first = i + 1;
        if (lineno < 0) {
            Py_XDECREF(list);
            return 0;
        }
        PyObject *name = PyTuple_GET_ITEM(info, 1), *file = PyTuple_GET_ITEM(info, 2);
        if (list == NULL && k < n_old && same_entry(PyList_GET_ITEM(old, k), lineno, name, file)) {
            k++;
            continue;
        }
        if (list == NULL && (list = n_old ? PyList_GetSlice(old, 0, k) : PyList_New(0)) == NULL)
            return -1;
        PyObject *line = PyLong_FromLong(lineno);
        PyObject *entry = line == NULL ? NULL
            : file == Py_None ? PyTuple_Pack(2, line, name) : PyTuple_Pack(3, line, name, file);
        Py_XDECREF(line);
        if (entry == NULL || PyList_Append(list, entry) < 0) {
            Py_XDECREF(entry);
            Py_DECREF(list);
            return -1;
        }
        Py_DECREF(entry);
        k++;
    }
    if (list == NULL) {
        if (k == n_old && n_old) {
            Py_INCREF(old);
            list = old;
        } else if ((list = n_old ? PyList_GetSlice(old, 0, k) : PyList_New(0)) == NULL) {
            return -1;
        }
    }
    *stack = list;
    return 1;
}

static PyObject *frames_list(Chain *c) {
    PyObject *list = PyList_New(c->n);
    if (list == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < c->n; i++) {
        PyObject *f = chain_frame(c, i);
        if (f == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        Py_INCREF(f);
        PyList_SET_ITEM(list, i, f);
    }
    return list;
}

/* A Py_ssize_t attribute, or -2 for None, -3 on error. */
static Py_ssize_t get_index_at(Site *site, PyObject *obj, PyObject *name) {
    PyObject *v = get_attr_at(site, obj, name);
    if (v == NULL)
        return -3;
    Py_ssize_t r = v == Py_None ? -2 : PyLong_AsSsize_t(v);
    Py_DECREF(v);
    if (r == -1 && PyErr_Occurred())
        return -3;
    return r;
}

static int set_index_at(Site *site, PyObject *obj, PyObject *name, Py_ssize_t value) {
    return set_new_at(site, obj, name, value == -2 ? (Py_INCREF(Py_None), Py_None) : PyLong_FromSsize_t(value));
}

/* events.ready_index: the handle's index in its tick's ready list, -2 for none, -3 on error. */
static Py_ssize_t ready_index(PyObject *L, PyObject *handle) {
    PyObject *ids = get_attr(L, s_ready_ids);
    if (ids == NULL)
        return -3;
    if (!PyList_Check(ids)) {
        Py_DECREF(ids);
        PyErr_SetString(PyExc_TypeError, "ready_ids is not a list");
        return -3;
    }
    Py_ssize_t at = get_index(L, s_ready_at);
    if (at < 0) {
        Py_DECREF(ids);
        return -3;
    }
    Py_ssize_t found = -2;
    for (Py_ssize_t i = at; i < PyList_GET_SIZE(ids); i++) {
        void *p = PyLong_AsVoidPtr(PyList_GET_ITEM(ids, i));
        if (p == NULL && PyErr_Occurred()) {
            found = -3;
            break;
        }
        if (p == (void *)handle) {
            found = i;
            /* the inlined fast case (the handle last looked up) does not move ready_at */
            if (i != at && set_index(L, s_ready_at, i) < 0)
                found = -3;
            break;
        }
    }
    Py_DECREF(ids);
    return found;
}

/* The await chain of a suspended task and its user stack (frames.await_chain, user_stack):
 * 1, or 0 (no exception) when the Python code must, -1 on error. */
static int where_suspended(StepPath *sp, PyObject *task, Chain *chain, PyObject *old,
                           PyObject **stack, Py_ssize_t *first, Py_ssize_t *lib_at) {
    PyObject *coro = get_optional(task, s_coro);
    if (coro == NULL) {
        if (PyErr_Occurred())
            return -1;
        coro = PyObject_CallMethodObjArgs(task, s_get_coro, NULL);
        if (coro == NULL)
            return -1;
    }
    int walked = walk_chain(coro, chain);
    Py_DECREF(coro);
    return walked != 1 ? walked : user_stack(sp, chain, old, stack, first, lib_at);
}

/* encode(stack) for a user stack (user_stack's list of (line, name[, file]) tuples). */
static int buf_stack(StepPath *sp, Buf *b, PyObject *stack) {
    if (BUF_LITERAL(b, "[") < 0)
        return -1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(stack); i++) {
        PyObject *entry = PyList_GET_ITEM(stack, i);
        Py_ssize_t size = PyTuple_GET_SIZE(entry);
        if ((i ? BUF_LITERAL(b, ",[") : BUF_LITERAL(b, "[")) < 0
            || buf_int(b, "", PyLong_AsLongLong(PyTuple_GET_ITEM(entry, 0))) < 0 || PyErr_Occurred())
            return -1;
        for (Py_ssize_t j = 1; j < size; j++)
            if (BUF_LITERAL(b, ",") < 0 || buf_call_str(b, sp->quote, PyTuple_GET_ITEM(entry, j)) < 0)
                return -1;
        if (BUF_LITERAL(b, "]") < 0)
            return -1;
    }
    return BUF_LITERAL(b, "]");
}

/* events.loop_t_json(loop, origin): the loop's time now, from its origin, as '%.6f'. */
static int buf_loop_t(StepPath *sp, Buf *b, PyObject *loop, double origin) {
    PyObject *t = loop_time(sp, loop);
    if (t != NULL && !PyFloat_CheckExact(t)) {
        PyObject *origin_obj = PyFloat_FromDouble(origin);
        PyObject *args[2] = {t, origin_obj};
        PyObject *as_float = origin_obj ? PyObject_Vectorcall(sp->float_time, args, 2, NULL) : NULL;
        Py_XDECREF(origin_obj);
        Py_SETREF(t, as_float);
    }
    if (t == NULL)
        return -1;
    double value = PyFloat_AsDouble(t);
    Py_DECREF(t);
    return value == -1.0 && PyErr_Occurred() ? -1 : buf_seconds(b, value - origin);
}

/* Recorder.done for a task cancelled or whose result is None; else the Python code. 0, -1. */
static int done_event(StepPath *sp, PyObject *task, PyObject *rec, PyObject *loop) {
    PyObject *args[3] = {task, rec, loop};
    PyObject *cancelled = PyObject_CallMethodObjArgs(task, s_cancelled, NULL);
    int is_cancelled = cancelled ? PyObject_IsTrue(cancelled) : -1;
    Py_XDECREF(cancelled);
    if (is_cancelled < 0)
        return -1;
    if (!is_cancelled) {
        PyObject *exc = get_attr(task, s_exception);
        PyObject *result = exc == Py_None ? get_attr(task, s_result) : NULL;
        int plain = exc == Py_None && result == Py_None;
        Py_XDECREF(exc);
        Py_XDECREF(result);
        if (PyErr_Occurred())
            return -1;
        if (!plain)
            return call_hook(sp->py_done, args, 3);
    }
    Buf b;
    buf_init(&b);
    double origin;
    Py_ssize_t id = get_index(rec, s_id);
    int r = -1;
    if (id >= 0 && get_double(rec, s_origin, &origin) == 0
        && buf_int(&b, "{\"ev\":\"done\",\"task\":", id) == 0 && BUF_LITERAL(&b, ",\"t\":") == 0
        && buf_loop_t(sp, &b, loop, origin) == 0
        && (is_cancelled ? BUF_LITERAL(&b, ",\"state\":\"cancelled\"}")
                         : BUF_LITERAL(&b, ",\"state\":\"ok\",\"result\":\"None\"}")) == 0) {
        r = emit_buf(sp, &b);
    }
    buf_release(&b);
    return r;
}

/* The rest of after_step for a task that is done: its step event ends at "to":null, then the
 * `done` event (Recorder.done) and the tasks whose wait reason counted it. 1, or -1. */
static int finished(StepPath *sp, PyObject *task, PyObject *rec, PyObject *loop, Buf *b) {
    if (set_attr(rec, s_line, Py_None) < 0 || set_attr(rec, s_file, Py_None) < 0
        || set_attr(rec, s_reason, Py_None) < 0 || BUF_LITERAL(b, ",\"to\":null}") < 0)
        return -1;
    if (emit_buf(sp, b) < 0 || done_event(sp, task, rec, loop) < 0)
        return -1;
    PyObject *waiters = PyObject_CallOneArg(sp->waiters_of, rec);
    if (waiters == NULL)
        return -1;
    Py_ssize_t n = PyObject_Length(waiters);
    int r = n < 0 ? -1 : 1;
    if (n > 0) {
        PyObject *v = PyObject_CallMethod(sp->stale, "update", "O", waiters);
        r = v == NULL ? -1 : 1;
        Py_XDECREF(v);
    }
    Py_DECREF(waiters);
    return r;
}

/* Returns 1 when it wrote the step, 0 (no exception, nothing changed) when the Python
 * after_step must, -1 on error. */
static int record_step(StepPath *sp, PyObject *task, PyObject *rec, PyObject *loop, PyObject *L,
                       PyObject *handle, double t, double dur) {
    Chain chain;   /* not zeroed: 6 KB a step; walk_chain fills what it counts */
    chain.n = 0;
    PyObject *stack = NULL, *reason = NULL, *frames = NULL;
    Buf b;
    buf_init(&b);
    int result = -1;

    int stepped = attr_is_true(rec, s_stepped);
    if (stepped < 0)
        return -1;
    PyObject *done = PyObject_CallMethodObjArgs(task, s_done, NULL);
    if (done == NULL)
        return -1;
    int is_done = PyObject_IsTrue(done);
    Py_DECREF(done);
    if (is_done < 0)
        return -1;
    Py_ssize_t first = 0, lib_at = 0;
    if (!is_done) {
        PyObject *old_stack = get_attr(rec, s_stack);
        int walked = old_stack == NULL ? -1
            : where_suspended(sp, task, &chain, old_stack, &stack, &first, &lib_at);
        Py_XDECREF(old_stack);
        if (walked != 1) {
            chain_clear(&chain);
            return walked;
        }
    }

    /* From here on, the step is ours: the same changes, in the same order, as after_step. */
    PyObject *steps = get_attr(sp->recorder, s_steps);
    PyObject *one = PyLong_FromLong(1);
    PyObject *more = steps && one ? PyNumber_Add(steps, one) : NULL;
    Py_XDECREF(steps);
    Py_XDECREF(one);
    if (more == NULL || set_attr(sp->recorder, s_steps, more) < 0) {
        Py_XDECREF(more);
        goto out;
    }
    Py_DECREF(more);
    Py_ssize_t q = -2;
    PyObject *by = NULL;  /* new reference or NULL */
    if (handle != Py_None) {
        q = ready_index(L, handle);
        if (q == -3)
            goto out;
        PyObject *step_by = get_attr(rec, s_step_by);
        if (step_by == NULL)
            goto out;
        if (step_by != Py_None) {
            by = step_by;
            if (set_attr(rec, s_step_by, Py_None) < 0)
                goto out_by;
        } else {
            Py_DECREF(step_by);
            PyObject *rec_by = get_attr(rec, s_by);
            if (rec_by == NULL)
                goto out;
            Py_ssize_t by_n = get_index(rec, s_by_n), n = get_index(L, s_n);
            if (by_n == -3 || n == -3) {
                Py_DECREF(rec_by);
                goto out;
            }
            if (rec_by != Py_None && by_n < n) {
                by = rec_by;
                if (set_attr(rec, s_by, Py_None) < 0)
                    goto out_by;
            } else {
                Py_DECREF(rec_by);
            }
        }
    }
    Py_ssize_t id = get_index(rec, s_id), last_n = get_index(rec, s_last_n),
               last_q = get_index(rec, s_last_q), n = get_index(L, s_n);
    double origin;
    if (id == -3 || last_n == -3 || last_q == -3 || n == -3 || get_double(L, s_origin, &origin) < 0)
        goto out_by;
    if (buf_int(&b, "{\"ev\":\"step\",\"task\":", id) < 0 || BUF_LITERAL(&b, ",\"t\":") < 0 || buf_fixed(&b, t - origin, 6) < 0
        || BUF_LITERAL(&b, ",\"dur\":") < 0 || buf_fixed(&b, dur, 7) < 0)
        goto out_by;
    if (q != -2 && buf_int(&b, ",\"q\":", q) < 0)
        goto out_by;
    if (by == sp->yield_by) {
        if (buf_int(&b, ",\"by\":{\"kind\":\"yield\",\"n\":", last_n) < 0
            || (last_q != -2 && buf_int(&b, ",\"q\":", last_q) < 0) || BUF_LITERAL(&b, "}") < 0)
            goto out_by;
    } else if (by != NULL) {
        if (BUF_LITERAL(&b, ",\"by\":") < 0 || buf_str(&b, by) < 0)
            goto out_by;
    }
    Py_CLEAR(by);
    if (set_index(rec, s_last_n, n) < 0 || set_index(rec, s_last_q, q) < 0)
        goto out;
    if (!stepped) {
        /* the first step: where it started (its def line) */
        if (set_attr(rec, s_stepped, Py_True) < 0)
            goto out;
        PyObject *from = get_attr(rec, s_line);
        PyObject *from_file = from ? get_attr(rec, s_file) : NULL;
        int ok = from_file != NULL && BUF_LITERAL(&b, ",\"from\":") == 0
            && (from == Py_None ? BUF_LITERAL(&b, "null") : buf_int(&b, "", PyLong_AsLongLong(from))) == 0
            && !PyErr_Occurred()
            && (from_file == Py_None
                || (BUF_LITERAL(&b, ",\"fromFile\":") == 0 && buf_call_str(&b, sp->quote, from_file) == 0));
        Py_XDECREF(from);
        Py_XDECREF(from_file);
        if (!ok)
            goto out;
    }

    if (is_done) {
        result = finished(sp, task, rec, loop, &b);
        goto out;
    }

    /* the wait reason */
    PyObject *timeouts = get_attr(rec, s_timeouts);
    if (timeouts == NULL)
        goto out;
    int has_timeouts = PyObject_IsTrue(timeouts);
    Py_DECREF(timeouts);
    if (has_timeouts < 0)
        goto out;
    int sleeping = 0;
    if (first < chain.n - 1) {
        sleeping = chain.codes[first] == sp->sleep_code;
    }
    if (sleeping && !has_timeouts) {
        reason = sp->yield_reason;
        Py_INCREF(reason);
    } else {
        frames = frames_list(&chain);
        PyObject *first_obj = PyLong_FromSsize_t(first);
        if (frames == NULL || first_obj == NULL) {
            Py_XDECREF(first_obj);
            goto out;
        }
        PyObject *args[4] = {task, frames, first_obj, rec};
        reason = PyObject_Vectorcall(sp->compute, args, 4, NULL);
        Py_DECREF(first_obj);
        if (reason == NULL)
            goto out;
    }
    if (lib_at > first) {
        PyObject *lib_frame = chain_frame(&chain, lib_at - 1);
        PyObject *args[2] = {reason, lib_frame};
        PyObject *via = lib_frame ? PyObject_Vectorcall(sp->with_via, args, 2, NULL) : NULL;
        if (via == NULL)
            goto out;
        Py_SETREF(reason, via);
    }
    chain_clear(&chain);

    /* where it is suspended */
    PyObject *line, *file;
    Py_ssize_t depth = PyList_GET_SIZE(stack);
    if (depth) {
        PyObject *top = PyList_GET_ITEM(stack, depth - 1);
        line = PyTuple_GET_ITEM(top, 0);
        file = PyTuple_GET_SIZE(top) > 2 ? PyTuple_GET_ITEM(top, 2) : Py_None;
        if (set_attr(rec, s_line, line) < 0 || set_attr(rec, s_file, file) < 0
            || buf_int(&b, ",\"to\":", PyLong_AsLongLong(line)) < 0)
            goto out;
    } else {
        file = Py_None;
        if (set_attr(rec, s_line, Py_None) < 0 || set_attr(rec, s_file, Py_None) < 0
            || BUF_LITERAL(&b, ",\"to\":null") < 0)
            goto out;
    }
    if (file != Py_None && (BUF_LITERAL(&b, ",\"file\":") < 0 || buf_call_str(&b, sp->quote, file) < 0))
        goto out;
    PyObject *old_stack = get_attr(rec, s_stack);
    if (old_stack == NULL)
        goto out;
    int changed = PyObject_RichCompareBool(stack, old_stack, Py_NE);
    Py_DECREF(old_stack);
    if (changed < 0)
        goto out;
    if (changed && (BUF_LITERAL(&b, ",\"stack\":") < 0 || buf_stack(sp, &b, stack) < 0
                    || set_attr(rec, s_stack, stack) < 0))
        goto out;
    PyObject *old_reason = get_attr(rec, s_reason);
    if (old_reason == NULL)
        goto out;
    changed = reason != old_reason ? PyObject_RichCompareBool(reason, old_reason, Py_NE) : 0;
    Py_DECREF(old_reason);
    if (changed < 0)
        goto out;
    if (changed) {
        if (BUF_LITERAL(&b, ",\"reason\":") < 0)
            goto out;
        if (reason == sp->yield_reason ? buf_str(&b, sp->yield_json) < 0
                                       : buf_call_str(&b, sp->encode, reason) < 0)
            goto out;
        if (set_attr(rec, s_reason, reason) < 0)
            goto out;
    }
    if (BUF_LITERAL(&b, "}") < 0)
        goto out;
    if (emit_buf(sp, &b) < 0)
        goto out;
    result = 1;
    goto out;
out_by:
    Py_XDECREF(by);
out:
    chain_clear(&chain);
    Py_XDECREF(stack);
    Py_XDECREF(reason);
    Py_XDECREF(frames);
    buf_release(&b);
    return result;
}

/* hooks.own += now - since: the tracer's own time inside a handle (see patches.py). */
static void add_own_time(StepPath *sp, double since, const char *where) {
    double until, own;
    if (now(sp, &until) < 0 || get_double(sp->hooks, s_own, &own) < 0
        || set_double(sp->hooks, s_own, own + (until - since)) < 0)
        report(sp, where);
}

/* Blocking.after_step and after_callback where they only add up: 1 when done here (the
 * handle is neither over the threshold nor the tick's longest so far, or it is a task's step
 * and the tick's first), 0 when the Python code is to run, -1 on error. task and rec are
 * Py_None for a callback. */
static int blocking_usual(StepPath *sp, PyObject *L, double dur, PyObject *task, PyObject *rec) {
    if (dur > sp->threshold)
        return 0;
    PyObject *w = get_attr(L, s_blocking);
    if (w == NULL)
        return -1;
    PyObject *longest = get_attr(w, s_longest), *coro = NULL, *fn = NULL, *first = NULL;
    int r = -1;
    if (longest == NULL)
        goto out;
    if (longest == Py_None && task != Py_None) {
        /* the tick's first: Blocking._account's longest = (dur, fn, line, file, tid) */
        PyObject *line = NULL, *file = NULL, *tid = NULL, *d = NULL;
        coro = get_optional(task, s_coro);
        if (coro == NULL && !PyErr_Occurred())
            coro = PyObject_CallMethodObjArgs(task, s_get_coro, NULL);
        fn = coro ? get_optional(coro, s_qualname) : NULL;
        if (fn == NULL && coro != NULL && !PyErr_Occurred())
            fn = PyUnicode_FromString("?");
        if (fn != NULL && (line = get_attr(w, s_line)) != NULL && (file = get_attr(w, s_file)) != NULL
            && (tid = get_attr(rec, s_id)) != NULL && (d = PyFloat_FromDouble(dur)) != NULL)
            first = PyTuple_Pack(5, d, fn, line, file, tid);
        Py_XDECREF(line);
        Py_XDECREF(file);
        Py_XDECREF(tid);
        Py_XDECREF(d);
        if (first == NULL || set_attr(w, s_longest, first) < 0)
            goto out;
    } else if (!(PyTuple_Check(longest) && PyTuple_GET_SIZE(longest) > 0
                 && PyFloat_CheckExact(PyTuple_GET_ITEM(longest, 0))
                 && !(dur > PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(longest, 0))))) {
        r = 0;
        goto out;
    }
    double busy;
    r = get_double(w, s_busy, &busy) < 0 || set_double(w, s_busy, busy + dur) < 0 ? -1 : 1;
out:
    Py_XDECREF(longest);
    Py_XDECREF(coro);
    Py_XDECREF(fn);
    Py_XDECREF(first);
    Py_DECREF(w);
    return r;
}

/* "fn":<name>[,"line":N][,"file":F] of a callback event, for a plain function (no __dict__:
 * nothing there for callable_name to unwrap): the same for every call of one function, so
 * kept for the last qualname and code object seen. A new reference, NULL (no exception) for
 * any other callable, or NULL on error. */
static PyObject *function_fields(StepPath *sp, PyObject *cb) {
    if (!PyFunction_Check(cb))
        return NULL;
    PyFunctionObject *fn = (PyFunctionObject *)cb;
    if (fn->func_dict != NULL && PyDict_GET_SIZE(fn->func_dict) != 0)
        return NULL;
    if (fn->func_qualname == sp->fn_qualname && fn->func_code == sp->fn_code && sp->fn_fields) {
        Py_INCREF(sp->fn_fields);
        return sp->fn_fields;
    }
    if (!PyUnicode_Check(fn->func_qualname))
        return NULL;
    Buf b;
    buf_init(&b);
    PyObject *fields = NULL, *position = PyObject_CallOneArg(sp->callable_position, cb);
    if (position == NULL || !PyTuple_Check(position) || PyTuple_GET_SIZE(position) != 2)
        goto out;
    PyObject *line = PyTuple_GET_ITEM(position, 0), *file = PyTuple_GET_ITEM(position, 1);
    if (BUF_LITERAL(&b, "\"fn\":") < 0 || buf_call_str(&b, sp->quote, fn->func_qualname) < 0
        || (line != Py_None && buf_int(&b, ",\"line\":", PyLong_AsLongLong(line)) < 0)
        || PyErr_Occurred()
        || (file != Py_None && (BUF_LITERAL(&b, ",\"file\":") < 0 || buf_call_str(&b, sp->quote, file) < 0)))
        goto out;
    fields = PyUnicode_FromStringAndSize(b.data, b.len);
    if (fields != NULL) {
        Py_INCREF(fn->func_qualname);
        Py_XSETREF(sp->fn_qualname, fn->func_qualname);
        Py_INCREF(fn->func_code);
        Py_XSETREF(sp->fn_code, fn->func_code);
        Py_INCREF(fields);
        Py_XSETREF(sp->fn_fields, fields);
    }
out:
    if (position != NULL && fields == NULL && !PyErr_Occurred())
        PyErr_SetString(PyExc_TypeError, "callable_position gave no (line, file)");
    Py_XDECREF(position);
    buf_release(&b);
    return fields;
}

/* events.Recorder.after_callback for a plain function of kind "soon" (its waiters_after is
 * empty: only a TaskGroup's bound method has any). 1 when written, 0 (no exception) when the
 * Python hook must, -1 on error. */
static int record_callback(StepPath *sp, PyObject *handle, PyObject *cb, PyObject *L, double t,
                           double dur) {
    PyObject *fields = function_fields(sp, cb);
    if (fields == NULL)
        return PyErr_Occurred() ? -1 : 0;
    Buf b;
    buf_init(&b);
    int result = -1;
    double origin;
    Py_ssize_t id = get_index(L, s_id), q = id == -3 ? -3 : ready_index(L, handle);
    if (q == -3 || get_double(L, s_origin, &origin) < 0)
        goto out;
    if (buf_int(&b, "{\"ev\":\"callback\",\"loop\":", id) < 0 || BUF_LITERAL(&b, ",") < 0
        || buf_str(&b, fields) < 0 || BUF_LITERAL(&b, ",\"kind\":\"soon\"") < 0
        || (q != -2 && buf_int(&b, ",\"q\":", q) < 0) || BUF_LITERAL(&b, ",\"t\":") < 0
        || buf_seconds(&b, t - origin) < 0 || BUF_LITERAL(&b, ",\"dur\":") < 0
        || buf_fixed(&b, dur, 7) < 0 || BUF_LITERAL(&b, "}") < 0)
        goto out;
    result = emit_buf(sp, &b) < 0 ? -1 : 1;
out:
    Py_DECREF(fields);
    buf_release(&b);
    return result;
}

/* -- Handle._run, after: patches._Patches._patch_handle_run's after() --------------------- */

static PyObject *StepPath_after(StepPath *sp, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "after(handle, state)");
        return NULL;
    }
    PyObject *handle = args[0], *state = args[1];
    if (!(PyTuple_CheckExact(state) && PyTuple_GET_SIZE(state) == 9
          && PyTuple_GET_ITEM(state, 0) == sp->state_tag))
        return PyObject_Vectorcall(sp->py_after, args, 2, NULL);
    double s1;
    if (now(sp, &s1) < 0) {
        report(sp, "handle_end");
        Py_RETURN_NONE;
    }
    PyObject *loop = PyTuple_GET_ITEM(state, 1), *L = PyTuple_GET_ITEM(state, 2),
             *cb = PyTuple_GET_ITEM(state, 3), *task = PyTuple_GET_ITEM(state, 4),
             *rec = PyTuple_GET_ITEM(state, 5), *t = PyTuple_GET_ITEM(state, 6),
             *own0 = PyTuple_GET_ITEM(state, 7);
    double s0 = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(state, 8));
    if (set_attr(L, s_running_since, Py_None) < 0 || set_attr(L, s_running, Py_None) < 0
        || set_attr(L, s_running_callback, Py_None) < 0
        || set_attr(L, s_running_rec, Py_None) < 0) {
        report(sp, "handle_end");
        Py_RETURN_NONE;
    }
    double own, own_before = PyFloat_AsDouble(own0);
    if (get_double(sp->hooks, s_own, &own) < 0 || (own_before == -1.0 && PyErr_Occurred())) {
        report(sp, "handle_end");
        Py_RETURN_NONE;
    }
    double dur = s1 - s0 - (own - own_before);
    double t_value = PyFloat_AsDouble(t);
    PyObject *d = PyFloat_FromDouble(dur);
    int r = d == NULL ? -1 : 0;
    if (r == 0 && task == Py_None) {
        PyObject *hook_args[8] = {handle, cb, loop, L, s_soon, Py_None, t, d};
        r = record_callback(sp, handle, cb, L, t_value, dur);
        if (r == 0)
            r = call_hook(sp->py_after_callback, hook_args, 8);
        if (r >= 0 && (r = blocking_usual(sp, L, dur, Py_None, Py_None)) == 0)
            r = call_hook(sp->py_blocking_after_callback, hook_args, 8);
    } else if (r == 0) {
        PyObject *hook_args[7] = {task, rec, loop, L, handle, t, d};
        r = record_step(sp, task, rec, loop, L, handle, t_value, dur);
        if (r == 0)
            r = call_hook(sp->py_after_step, hook_args, 7);
        if (r >= 0 && (r = blocking_usual(sp, L, dur, task, rec)) == 0)
            r = call_hook(sp->py_blocking_after_step, hook_args, 7);
    }
    Py_XDECREF(d);
    if (r < 0)
        report(sp, "handle_end");
    add_own_time(sp, s1, "handle_end");
    Py_RETURN_NONE;
}

/* -- a new task: registry.add_task and Recorder.task_spawned ------------------------------- */

/* frames.coro_started for a coroutine object: 1 or 0, -1 on error. */
static int coro_started(PyObject *coro) {
    PyObject *frame = get_attr(coro, s_cr_frame);
    if (frame == NULL)
        return -1;
    int started = frame == Py_None;
    Py_DECREF(frame);
    PyObject *names[2] = {s_cr_running, s_cr_suspended};
    for (int i = 0; i < 2 && !started; i++) {
        PyObject *v = get_optional(coro, names[i]);
        if (v == NULL)
            return PyErr_Occurred() ? -1 : 0;   /* no cr_suspended before 3.11 */
        started = PyObject_IsTrue(v);
        Py_DECREF(v);
    }
    return started;
}

/* events._is_asyncio_name: Task-<decimal digits>. */
static int asyncio_name(PyObject *name) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(name);
    if (n <= 5 || PyUnicode_Tailmatch(name, s_task_dash, 0, 5, -1) != 1)
        return 0;
    for (Py_ssize_t i = 5; i < n; i++)
        if (!Py_UNICODE_ISDECIMAL(PyUnicode_READ_CHAR(name, i)))
            return 0;
    return 1;
}

/* events.coro_fields(coro), kept per code object while its name stays (a borrowed tuple). */
static PyObject *coro_fields(StepPath *sp, PyObject *coro) {
    PyObject *code = get_attr(coro, s_cr_code), *qualname = code ? get_attr(coro, s_qualname) : NULL;
    PyObject *fields = NULL;
    if (qualname == NULL)
        goto out;
    PyObject *kept = PyDict_GetItemWithError(sp->coro_cache, code);
    if (kept != NULL && PyTuple_GET_ITEM(kept, 0) == qualname) {
        fields = PyTuple_GET_ITEM(kept, 1);
        goto out;
    }
    if (PyErr_Occurred())
        goto out;
    PyObject *made = PyObject_CallOneArg(sp->coro_fields, coro);
    if (made == NULL)
        goto out;
    if (!(PyTuple_CheckExact(made) && PyTuple_GET_SIZE(made) == 2
          && PyUnicode_Check(PyTuple_GET_ITEM(made, 0)) && PyUnicode_Check(PyTuple_GET_ITEM(made, 1)))) {
        PyErr_SetString(PyExc_TypeError, "coro_fields gave no (str, str)");
        Py_DECREF(made);
        goto out;
    }
    if (PyDict_GET_SIZE(sp->coro_cache) >= 1024)   /* code made at run time: bounded */
        PyDict_Clear(sp->coro_cache);
    PyObject *entry = PyTuple_Pack(2, qualname, made);
    Py_DECREF(made);
    if (entry == NULL || PyDict_SetItem(sp->coro_cache, code, entry) < 0) {
        Py_XDECREF(entry);
        goto out;
    }
    fields = PyTuple_GET_ITEM(entry, 1);   /* the dict holds it */
    Py_DECREF(entry);
out:
    Py_XDECREF(code);
    Py_XDECREF(qualname);
    return fields;
}

/* The task event of Recorder.task_spawned. 0, or -1 on error. */
static int task_event(StepPath *sp, PyObject *task, PyObject *coro, PyObject *entry,
                      PyObject *loop, Py_ssize_t id, Py_ssize_t loop_id, double origin,
                      int eager) {
    PyObject *parent = PyTuple_GET_ITEM(entry, 1), *line = PyTuple_GET_ITEM(entry, 2),
             *file = PyTuple_GET_ITEM(entry, 3), *name = PyTuple_GET_ITEM(entry, 4),
             *label = PyTuple_GET_ITEM(entry, 5);
    Buf b;
    buf_init(&b);
    int result = -1, named = name != Py_None;
    PyObject *task_name = NULL;
    if (!named) {
        task_name = PyObject_CallMethodObjArgs(task, s_get_name, NULL);
        if (task_name == NULL || !PyUnicode_Check(task_name))
            goto out;
        named = !asyncio_name(task_name);
        name = task_name;
    }
    PyObject *fields = coro_fields(sp, coro);
    if (fields == NULL)
        goto out;
    Py_INCREF(fields);
    double wall, started;
    int ok = buf_int(&b, "{\"ev\":\"task\",\"task\":", id) == 0
        && buf_int(&b, ",\"loop\":", loop_id) == 0 && BUF_LITERAL(&b, ",\"name\":") == 0
        && buf_call_str(&b, sp->quote, name) == 0 && BUF_LITERAL(&b, ",\"coro\":") == 0
        && buf_str(&b, PyTuple_GET_ITEM(fields, 0)) == 0 && BUF_LITERAL(&b, ",\"label\":") == 0
        && (label == Py_None ? buf_call_str_str(&b, sp->quote, sp->coro_label, coro)
                             : buf_call_str(&b, sp->quote, label)) == 0
        && BUF_LITERAL(&b, ",\"parent\":") == 0
        && (parent == Py_None ? BUF_LITERAL(&b, "null") : buf_int(&b, "", PyLong_AsLongLong(parent))) == 0
        && BUF_LITERAL(&b, ",\"line\":") == 0
        && (line == Py_None ? BUF_LITERAL(&b, "null") : buf_int(&b, "", PyLong_AsLongLong(line))) == 0
        && !PyErr_Occurred()
        && (file == Py_None
            || (BUF_LITERAL(&b, ",\"file\":") == 0 && buf_call_str(&b, sp->quote, file) == 0))
        && (named ? BUF_LITERAL(&b, ",\"named\":true") : BUF_LITERAL(&b, ",\"named\":false")) == 0
        && BUF_LITERAL(&b, ",\"internal\":") == 0 && buf_str(&b, PyTuple_GET_ITEM(fields, 1)) == 0
        && (eager ? BUF_LITERAL(&b, ",\"eager\":true") : BUF_LITERAL(&b, ",\"eager\":false")) == 0
        && BUF_LITERAL(&b, ",\"t\":") == 0 && buf_loop_t(sp, &b, loop, origin) == 0;
    Py_DECREF(fields);
    if (!ok)
        goto out;
    if (now(sp, &wall) < 0 || get_double(sp->recorder, s_started, &started) < 0
        || BUF_LITERAL(&b, ",\"wall\":") < 0 || buf_seconds(&b, wall - started) < 0
        || BUF_LITERAL(&b, "}") < 0)
        goto out;
    result = emit_buf(sp, &b);
out:
    Py_XDECREF(task_name);
    buf_release(&b);
    return result;
}

/* registry.add_task(task) for a task being made by create_task (its coroutine is that of the
 * creation in progress, registry.creating[-1]) on a known loop, then task_spawned. The new
 * TaskRec, or NULL: without an exception when the Python code must (nothing changed yet). */
static PyObject *spawn(StepPath *sp, PyObject *task, PyObject *loop, PyObject *L,
                       PyObject **creation) {
    PyObject *coro = NULL, *creating = NULL, *entry = NULL, *task_loop = NULL, *rec = NULL;
    int committed = 0;
    if (!sp->spawns || (coro = get_optional(task, s_coro)) == NULL || !PyCoro_CheckExact(coro)
        || (creating = get_attr(sp->registry, s_creating)) == NULL || !PyList_Check(creating)
        || PyList_GET_SIZE(creating) == 0)
        goto out;
    entry = PyList_GET_ITEM(creating, PyList_GET_SIZE(creating) - 1);
    Py_INCREF(entry);
    if (!PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 6 || PyTuple_GET_ITEM(entry, 0) != coro
        || (task_loop = get_attr(task, s_loop)) == NULL || task_loop != loop)
        goto out;
    int eager = coro_started(coro);
    Py_ssize_t n = get_index(sp->registry, s_n_tasks), loop_id = get_index(L, s_id);
    double origin;
    if (eager < 0 || n < 0 || loop_id < 0 || get_double(L, s_origin, &origin) < 0)
        goto out;
    /* From here on, the task is ours: the same changes, in the same order, as add_task. */
    committed = 1;
    PyObject *ref = NULL, *key = NULL, *id_obj = NULL, *L_id = NULL, *L_origin = NULL;
    int ok = set_index(sp->registry, s_n_tasks, n + 1) == 0
        && (ref = PyObject_CallFunctionObjArgs(sp->ref_type, task, sp->task_gone, NULL)) != NULL
        && (key = PyLong_FromVoidPtr(task)) != NULL && set_attr(ref, s_key, key) == 0
        && (id_obj = PyLong_FromSsize_t(n + 1)) != NULL && (L_id = get_attr(L, s_id)) != NULL
        && (L_origin = get_attr(L, s_origin)) != NULL
        && (rec = PyObject_CallFunctionObjArgs(sp->taskrec_type, id_obj, ref, L_id, L_origin,
                                               NULL)) != NULL
        && PyDict_SetItem(sp->recs, key, rec) == 0 && rec_table_put(&sp->task_recs, task, rec) == 0
        && task_event(sp, task, coro, entry, loop, n + 1, loop_id, origin, eager) == 0;
    Py_XDECREF(ref);
    Py_XDECREF(key);
    Py_XDECREF(id_obj);
    Py_XDECREF(L_id);
    Py_XDECREF(L_origin);
    if (!ok) {
        Py_CLEAR(rec);
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError, "spawn failed");
    }
out:
    if (!committed)
        PyErr_Clear();   /* the Python code looks again */
    if (rec != NULL) {
        Py_INCREF(entry);
        *creation = entry;
    }
    Py_XDECREF(coro);
    Py_XDECREF(creating);
    Py_XDECREF(entry);
    Py_XDECREF(task_loop);
    return rec;
}

/* Recorder.task_scheduled for a task spawn() just added, where its creator is a known task or
 * nothing runs: its `by`. 1, or 0 (no exception, nothing changed) when the Python code must, -1. */
static int spawn_by(StepPath *sp, PyObject *task, PyObject *rec, PyObject *loop, PyObject *L,
                    PyObject *entry) {
    PyObject *waker = PyObject_CallOneArg(sp->current_task, loop), *running = NULL, *wrec = NULL;
    Buf b;
    buf_init(&b);
    int result = -1;
    if (waker == NULL || (running = get_attr(L, s_running)) == NULL)
        goto out;
    result = 0;
    if (waker == task || (waker == Py_None) != (running == Py_None))
        goto out;
    if (waker != Py_None
        && (wrec = known_cached(sp->recs, waker, &sp->last_task, &sp->last_rec, &sp->task_recs)) == NULL)
        goto out;
    result = -1;
    Py_ssize_t n = get_index(L, s_n), q = -2, waker_id = wrec ? get_index(wrec, s_id) : 0;
    if (n < 0 || waker_id < 0 || (running != Py_None && (q = ready_index(L, running)) == -3))
        goto out;
    PyObject *line = PyTuple_GET_ITEM(entry, 2), *file = PyTuple_GET_ITEM(entry, 3);
    int ok = waker == Py_None
        ? (n ? buf_int(&b, "{\"kind\":\"outside\",\"n\":", n) == 0 && BUF_LITERAL(&b, "}") == 0
             : BUF_LITERAL(&b, "{\"kind\":\"outside\"}") == 0)
        : buf_int(&b, "{\"kind\":\"spawn\",\"n\":", n) == 0
            && (q == -2 || buf_int(&b, ",\"q\":", q) == 0)
            && buf_int(&b, ",\"task\":", waker_id) == 0
            && (line == Py_None || buf_int(&b, ",\"line\":", PyLong_AsLongLong(line)) == 0)
            && !PyErr_Occurred()
            && (file == Py_None || (BUF_LITERAL(&b, ",\"file\":") == 0 && buf_call_str(&b, sp->quote, file) == 0))
            && BUF_LITERAL(&b, "}") == 0;
    if (ok && set_index(rec, s_by_n, n) == 0
        && set_new(rec, s_by, PyUnicode_FromStringAndSize(b.data, b.len)) == 0)
        result = 1;
out:
    Py_XDECREF(waker);
    Py_XDECREF(running);
    Py_XDECREF(wrec);
    buf_release(&b);
    return result;
}

/* -- call_soon: patches._Patches._patch_call_soon's scheduled() ---------------------------- */

static PyObject *StepPath_scheduled(StepPath *sp, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "scheduled(loop, callback, handle)");
        return NULL;
    }
    PyObject *loop = args[0], *callback = args[1], *h = args[2];
    double s0;
    if (now(sp, &s0) < 0)
        return NULL;
    PyObject *task = task_of(sp, callback), *L = NULL, *rec = NULL, *running = NULL;
    if (task == NULL && !PyErr_Occurred()) {
        /* not a task's step: nothing to record */
        add_own_time(sp, s0, "call_soon");
        Py_INCREF(h);
        return h;
    }
    int ours = task != NULL && (L = known_cached(sp->loops, loop, &sp->last_loop, &sp->last_L, NULL)) != NULL
        && (rec = known_cached(sp->recs, task, &sp->last_task, &sp->last_rec, &sp->task_recs)) != NULL
        && (running = get_attr(L, s_running_rec)) == rec;
    Py_XDECREF(running);
    if (L != NULL && rec == NULL && !PyErr_Occurred()) {
        /* a new task: Python's scheduled() would add it, then call task_scheduled */
        PyObject *creation = NULL;
        rec = spawn(sp, task, loop, L, &creation);
        if (rec != NULL || PyErr_Occurred()) {
            PyObject *hook_args[4] = {task, rec, loop, L};
            int by = rec ? spawn_by(sp, task, rec, loop, L, creation) : -1;
            if (by == 0)
                by = call_hook(sp->py_task_scheduled, hook_args, 4);
            if (by < 0)
                report(sp, "call_soon");
            Py_XDECREF(creation);
            Py_DECREF(task);
            Py_DECREF(L);
            Py_XDECREF(rec);
            add_own_time(sp, s0, "call_soon");
            Py_INCREF(h);
            return h;
        }
    }
    Py_XDECREF(task);
    if (!ours) {
        Py_XDECREF(L);
        Py_XDECREF(rec);
        PyErr_Clear();
        return PyObject_Vectorcall(sp->py_scheduled, args, nargs, NULL);
    }
    /* Recorder.task_scheduled, the task's own step putting it back (sleep(0), a bare yield) */
    Py_ssize_t by_n = get_index(rec, s_by_n), n = get_index(L, s_n);
    PyObject *by = get_attr(rec, s_by);
    int failed = by_n == -3 || n == -3 || by == NULL
        || (by != Py_None && by_n < n && set_attr(rec, s_step_by, by) < 0)
        || set_index(rec, s_by_n, n) < 0 || set_attr(rec, s_by, sp->yield_by) < 0;
    Py_XDECREF(by);
    Py_DECREF(L);
    Py_DECREF(rec);
    if (failed)
        report(sp, "call_soon");
    add_own_time(sp, s0, "call_soon");
    Py_INCREF(h);
    return h;
}

/* -- create_task: patches._Patches._create_task_hooks' starting and done -------------------- */

#if PY_VERSION_HEX < 0x03090000
static PyFrameObject *PyFrame_GetBack(PyFrameObject *f) { Py_XINCREF(f->f_back); return f->f_back; }
#endif

/* 1 when id(obj) is in the set or dict of ids, 0 when not, -1 on error. */
static int has_id(PyObject *ids, void *obj) {
    PyObject *key = PyLong_FromVoidPtr(obj);
    int in = key ? PySequence_Contains(ids, key) : -1;
    Py_XDECREF(key);
    return in;
}

/* frames.caller_position from frame f on: (line, file) of the innermost user frame within the
 * running handle, or (None, None). 1 with *line and *file new references, 0 (no exception)
 * when a file is not classified yet (Python's job), -1 on error. */
static int user_position(StepPath *sp, PyFrameObject *f, PyObject **line, PyObject **file) {
    Py_XINCREF(f);
    int result = 1;
    *line = *file = NULL;
    while (f != NULL) {
        PyCodeObject *co = PyFrame_GetCode(f);
        int boundary = has_id(sp->boundary_codes, co);
        PyObject *filename = co->co_filename;
        Py_INCREF(filename);
        Py_DECREF(co);
        PyObject *lib = boundary == 0 ? PyDict_GetItemWithError(sp->library_cache, filename) : NULL;
        if (boundary != 0 || lib == NULL || lib == Py_None) {
            if (boundary < 0 || (boundary == 0 && lib == NULL)) {
                result = PyErr_Occurred() ? -1 : 0;
            } else if (lib == Py_None) {
                PyObject *field = PyDict_GetItemWithError(sp->file_fields, filename);
                if (field == NULL && !PyErr_Occurred()) {
                    field = PyObject_CallOneArg(sp->file_field, filename);
                    if (field != NULL && PyDict_SetItem(sp->file_fields, filename, field) < 0)
                        Py_CLEAR(field);
                } else {
                    Py_XINCREF(field);
                }
                int lineno = field ? PyFrame_GetLineNumber(f) : -1;
                *line = field ? PyLong_FromLong(lineno) : NULL;
                *file = field;
                if (*line == NULL) {
                    Py_CLEAR(*file);
                    result = -1;
                }
            }
            Py_DECREF(filename);
            Py_DECREF(f);
            if (result == 1 && *line == NULL) {   /* a boundary: nothing of the user's */
                Py_INCREF(Py_None);
                Py_INCREF(Py_None);
                *line = *file = Py_None;
            }
            return result;
        }
        Py_DECREF(filename);
        PyFrameObject *back = PyFrame_GetBack(f);
        Py_DECREF(f);
        f = back;
    }
    Py_INCREF(Py_None);
    Py_INCREF(Py_None);
    *line = *file = Py_None;
    return 1;
}

/* starting()'s creation (coro, parent id, line, file, name, label) for the usual call, or NULL:
 * without an exception when the Python code must. */
static PyObject *creation(StepPath *sp, PyObject *loop, PyObject *coro, PyObject *name,
                          PyObject *eager_start) {
    PyObject *parent = NULL, *prec = NULL, *pid = NULL, *factory = NULL, *line = NULL,
             *file = NULL, *entry = NULL;
    PyFrameObject *back = NULL;
    if ((name != Py_None && !PyUnicode_CheckExact(name)) || PyObject_IsTrue(eager_start) != 0
        || (parent = PyObject_CallOneArg(sp->current_task, loop)) == NULL)
        goto out;
    if (parent != Py_None) {
        prec = known_cached(sp->recs, parent, &sp->last_task, &sp->last_rec, &sp->task_recs);
        if (prec == NULL || (pid = get_attr(prec, s_id)) == NULL)
            goto out;
    } else {
        pid = Py_None;
        Py_INCREF(pid);
    }
    factory = get_optional(loop, s_task_factory);
    if (factory != NULL && factory != Py_None)
        goto out;
    PyFrameObject *here = PyEval_GetFrame();   /* create_task's: we are called from its code */
    back = here ? PyFrame_GetBack(here) : NULL;
    if (back == NULL)
        goto out;
    Py_INCREF(name);
    if (name == Py_None && PyDict_GET_SIZE(sp->named_creators)) {
        PyCodeObject *co = PyFrame_GetCode(back);
        int named = has_id(sp->named_creators, co);
        Py_DECREF(co);
        if (named != 0) {
            /* asyncio.create_task(coro, name=...) up to 3.12 names the task afterwards */
            PyObject *locals = named > 0 ? get_attr((PyObject *)back, s_f_locals) : NULL;
            PyObject *given = locals ? PyObject_CallMethod(locals, "get", "O", s_name) : NULL;
            Py_XDECREF(locals);
            Py_SETREF(name, given);
            if (name == NULL || (name != Py_None && !PyUnicode_CheckExact(name))) {
                Py_XDECREF(name);
                goto out;
            }
        }
    }
    if (user_position(sp, back, &line, &file) == 1)
        entry = PyTuple_Pack(6, coro, pid, line, file, name, Py_None);
    Py_DECREF(name);
out:
    if (entry == NULL)
        PyErr_Clear();   /* the Python code looks again */
    Py_XDECREF(parent);
    Py_XDECREF(prec);
    Py_XDECREF(pid);
    Py_XDECREF(factory);
    Py_XDECREF(line);
    Py_XDECREF(file);
    Py_XDECREF(back);
    return entry;
}

static PyObject *StepPath_starting(StepPath *sp, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "starting(loop, coro, name, eager_start)");
        return NULL;
    }
    double s0;
    PyObject *entry = now(sp, &s0) == 0 ? creation(sp, args[0], args[1], args[2], args[3]) : NULL;
    if (entry == NULL) {
        PyErr_Clear();
        return PyObject_Vectorcall(sp->py_starting, args, nargs, NULL);
    }
    PyObject *creating = get_attr(sp->registry, s_creating);
    if (creating == NULL || PyList_Append(creating, entry) < 0) {
        report(sp, "create_task");
        Py_SETREF(entry, Py_None);
        Py_INCREF(entry);
    }
    Py_XDECREF(creating);
    add_own_time(sp, s0, "create_task");
    PyObject *since = PyFloat_FromDouble(s0);
    PyObject *result = since ? PyTuple_Pack(2, entry, since) : NULL;
    Py_DECREF(entry);
    Py_XDECREF(since);
    return result;
}

/* _Patches._created when there is nothing to do: the task is one of asyncio's, known (spawn()
 * added it), and it did not start inside create_task. 1, or 0 when the Python code must. */
static int created_quietly(StepPath *sp, PyObject *task, PyObject *coro) {
    int is_task = PyObject_IsInstance(task, sp->task_types);
    if (is_task != 1)
        return is_task < 0 ? -1 : 1;
    PyObject *rec = known_cached(sp->recs, task, &sp->last_task, &sp->last_rec, &sp->task_recs);
    if (rec == NULL)
        return PyErr_Occurred() ? -1 : 0;
    Py_DECREF(rec);
    if (!PyCoro_CheckExact(coro))
        return 0;
    int started = coro_started(coro);
    if (started == 0) {
        PyObject *done = PyObject_CallMethodObjArgs(task, s_done, NULL);
        started = done ? PyObject_IsTrue(done) : -1;
        Py_XDECREF(done);
    }
    return started < 0 ? -1 : !started;
}

static PyObject *StepPath_created(StepPath *sp, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "created(loop, task, entry, s0)");
        return NULL;
    }
    PyObject *loop = args[0], *task = args[1], *entry = args[2];
    double s1, s0 = PyFloat_AsDouble(args[3]);
    if (now(sp, &s1) < 0)
        return NULL;
    if (entry != Py_None) {
        PyObject *creating = get_attr(sp->registry, s_creating);
        Py_ssize_t n = creating && PyList_Check(creating) ? PyList_GET_SIZE(creating) : 0;
        int r = creating == NULL ? -1
            : n && PyList_GET_ITEM(creating, n - 1) == entry ? PyList_SetSlice(creating, n - 1, n, NULL) : 0;
        Py_XDECREF(creating);
        if (r == 0 && PyTuple_CheckExact(entry) && PyTuple_GET_SIZE(entry) == 6)
            r = created_quietly(sp, task, PyTuple_GET_ITEM(entry, 0));
        if (r == 0) {
            PyObject *elapsed = PyFloat_FromDouble(s1 - s0);
            PyObject *call[9] = {loop, task};
            for (int i = 0; i < 6; i++)
                call[2 + i] = PyTuple_GET_ITEM(entry, i);
            call[8] = elapsed;
            r = elapsed ? call_hook(sp->py_created, call, 9) : -1;
            Py_XDECREF(elapsed);
        }
        if (r < 0)
            report(sp, "create_task");
    }
    add_own_time(sp, s1, "create_task");
    Py_INCREF(task);
    return task;
}

/* -- a tick's ready list: events.Recorder.tick_ready ------------------------------------------ */

/* A ready handle's entry (Recorder.ready_entries): a known task's step is its id, any other
 * handle other(h); *other is made by Recorder.ready_other(L) if NULL (by a tick's first such
 * handle: most ticks have none). soon_cb and soon_entry are the last plain "soon" handle's
 * callback and entry (borrowed: the caller holds both): a handle of the same callback right
 * after it has the same entry (Recorder._ready_entry's `seen`: a gather's done callbacks). */
static PyObject *ready_entry(StepPath *sp, PyObject *h, PyObject *L, PyObject **other,
                             PyObject **soon_cb, PyObject **soon_entry) {
    PyObject *entry = NULL;
    PyObject *cb = get_attr(h, s_callback);
    if (cb == NULL)
        return NULL;
    Py_DECREF(cb);   /* the handle holds it */
    PyObject *obj = get_optional(cb, s_self);
    if (obj == NULL && PyErr_Occurred())
        return NULL;
    PyObject *rec = known(sp->recs, obj ? obj : Py_None, &sp->task_recs);
    int same = rec != NULL;
    if (same)
        entry = get_attr(rec, s_id);
    Py_XDECREF(rec);
    Py_XDECREF(obj);
    if (PyErr_Occurred()) {
        Py_XDECREF(entry);
        return NULL;
    }
    if (same)
        return entry;
    int soon = plain_soon(sp, h, cb, L);
    if (soon < 0)
        return NULL;
    if (soon && cb == *soon_cb) {
        Py_INCREF(*soon_entry);
        return *soon_entry;
    }
    if (*other == NULL && (*other = PyObject_CallOneArg(sp->ready_other, L)) == NULL)
        return NULL;
    entry = PyObject_CallOneArg(*other, h);
    *soon_cb = soon && entry ? cb : NULL;
    *soon_entry = entry;
    return entry;
}

static PyObject *StepPath_ready(StepPath *sp, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "ready(handles: list, other, L)");
        return NULL;
    }
    PyObject *handles = args[0], *other = args[1], *L = args[2];
    PyObject *soon_cb = NULL, *soon_entry = NULL;
    Py_ssize_t n = PyList_GET_SIZE(handles);
    PyObject *ready = PyList_New(n);
    if (ready == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *entry = ready_entry(sp, PyList_GET_ITEM(handles, i), L, &other, &soon_cb, &soon_entry);
        if (entry == NULL) {
            Py_DECREF(ready);
            return NULL;
        }
        PyList_SET_ITEM(ready, i, entry);
    }
    return ready;
}

/* One entry of a ready list as JSON (events.ready_json): a task's id as it is, any other
 * entry encoded, once for a run of the same object (last and last_text: the caller's, NULL
 * at first; last is borrowed, the caller holds it). */
static int buf_ready_entry(StepPath *sp, Buf *b, PyObject *e, PyObject **last, PyObject **last_text) {
    if (PyLong_CheckExact(e)) {
        long long n = PyLong_AsLongLong(e);
        return (n == -1 && PyErr_Occurred()) ? -1 : buf_int(b, "", n);
    }
    if (e != *last) {
        Py_XSETREF(*last_text, PyObject_CallOneArg(sp->encode, e));
        *last = e;
        if (*last_text == NULL)
            return -1;
    }
    return buf_str(b, *last_text);
}

static PyObject *StepPath_ready_json(StepPath *sp, PyObject *ready) {
    if (!PyList_Check(ready)) {
        PyErr_SetString(PyExc_TypeError, "ready_json(list)");
        return NULL;
    }
    Buf b;
    buf_init(&b);
    PyObject *last = NULL, *last_text = NULL, *result = NULL;
    if (BUF_LITERAL(&b, "[") < 0)
        goto out;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(ready); i++) {
        if ((i && BUF_LITERAL(&b, ",") < 0)
            || buf_ready_entry(sp, &b, PyList_GET_ITEM(ready, i), &last, &last_text) < 0)
            goto out;
    }
    if (BUF_LITERAL(&b, "]") == 0)
        result = PyUnicode_FromStringAndSize(b.data, b.len);
out:
    Py_XDECREF(last_text);
    buf_release(&b);
    return result;
}

/* Recorder.tick_ready(loop, L, first) in one pass: the handles in loop._ready not cancelled
 * (first, if given, in front), their ids for each step's `q`, and the tick event, its ready
 * list written as its entries are found. 0, or -1 on error. */
static int tick_ready(StepPath *sp, PyObject *loop, PyObject *L, PyObject *first) {
    PyObject *queue = NULL, *handles = NULL, *ids = NULL, *other = NULL, *io = NULL,
             *entries = NULL, *last = NULL, *last_text = NULL, *soon_cb = NULL, *soon_entry = NULL;
    int r = -1, io_true;
    Buf b;
    buf_init(&b);
    /* A copy: call_soon_threadsafe on another thread may append while other(h) runs Python
     * code; copying a deque holds the GIL throughout. */
    PyObject *deque = get_attr(loop, s_ready_queue);
    queue = deque ? PySequence_Tuple(deque) : NULL;
    Py_XDECREF(deque);
    if (queue == NULL || (ids = PyList_New(0)) == NULL
        || (handles = PyList_New(0)) == NULL)
        goto out;
    for (Py_ssize_t i = -1; i < PyTuple_GET_SIZE(queue); i++) {
        PyObject *h = i < 0 ? first : PyTuple_GET_ITEM(queue, i);
        if (h == Py_None)
            continue;
        int cancelled = attr_is_true(h, s_handle_cancelled);
        PyObject *id = cancelled == 0 ? PyLong_FromVoidPtr(h) : NULL;
        int ok = id != NULL && PyList_Append(ids, id) == 0 && PyList_Append(handles, h) == 0;
        Py_XDECREF(id);
        if (cancelled < 0 || (cancelled == 0 && !ok))
            goto out;
    }
    if (set_attr(L, s_ready_ids, ids) < 0 || set_index(L, s_ready_at, 0) < 0)
        goto out;
    /* Recorder.tick_text's, before the list */
    Py_ssize_t loop_id = get_index(L, s_id), n = loop_id < 0 ? -1 : get_index(L, s_n);
    double origin, wall, started, waited, jump;
    if (n < 0 || get_double(L, s_origin, &origin) < 0 || get_double(L, s_waited, &waited) < 0
        || get_double(L, s_jump, &jump) < 0
        || buf_int(&b, "{\"ev\":\"tick\",\"loop\":", loop_id) < 0 || buf_int(&b, ",\"n\":", n) < 0
        || BUF_LITERAL(&b, ",\"t\":") < 0 || buf_loop_t(sp, &b, loop, origin) < 0
        || now(sp, &wall) < 0 || get_double(sp->recorder, s_started, &started) < 0
        || BUF_LITERAL(&b, ",\"wall\":") < 0 || buf_seconds(&b, wall - started) < 0
        || BUF_LITERAL(&b, ",\"waited\":") < 0 || buf_seconds(&b, waited) < 0
        || BUF_LITERAL(&b, ",\"jump\":") < 0 || buf_seconds(&b, jump) < 0
        || BUF_LITERAL(&b, ",\"ready\":[") < 0)
        goto out;
    /* entries holds each entry: last and soon_entry are borrowed from it */
    if ((entries = PyList_New(PyList_GET_SIZE(handles))) == NULL)
        goto out;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(handles); i++) {
        PyObject *entry = ready_entry(sp, PyList_GET_ITEM(handles, i), L, &other, &soon_cb, &soon_entry);
        if (entry == NULL)
            goto out;
        PyList_SET_ITEM(entries, i, entry);
        if ((i && BUF_LITERAL(&b, ",") < 0) || buf_ready_entry(sp, &b, entry, &last, &last_text) < 0)
            goto out;
    }
    /* and after it */
    if (BUF_LITERAL(&b, "]") < 0 || (io = get_attr(L, s_io)) == NULL
        || (io_true = PyObject_IsTrue(io)) < 0
        || (io_true && (BUF_LITERAL(&b, ",\"io\":") < 0 || buf_call_str(&b, sp->encode, io) < 0))
        || BUF_LITERAL(&b, "}") < 0)
        goto out;
    r = emit_buf(sp, &b);
out:
    Py_XDECREF(queue);
    Py_XDECREF(handles);
    Py_XDECREF(ids);
    Py_XDECREF(entries);
    Py_XDECREF(other);
    Py_XDECREF(io);
    Py_XDECREF(last_text);
    buf_release(&b);
    return r;
}

/* -- the type -------------------------------------------------------------------------------- */

static const char *field_names[] = {
    "loops", "recs", "task_types", "hooks", "report", "py_before", "py_after", "py_scheduled",
    "py_after_step", "py_blocking_after_step", "recorder", "emit_raw", "code_info", "sleep_code",
    "yield_reason", "yield_json", "yield_by", "compute", "with_via", "quote", "encode", "perf",
    "float_time", "task_started", "task_coro", "emitter", "events", "loop_time", "clock_globals",
    "clock_monotonic", "real_monotonic", "handle_type", "threadsafe", "py_after_callback",
    "py_blocking_after_callback", "callable_position", "py_done", "waiters_of", "stale",
    "registry", "ref_type", "task_gone", "taskrec_type", "coro_fields", "coro_label",
    "py_task_scheduled", "current_task", "start_of", "py_starting", "py_created",
    "named_creators", "boundary_codes", "library_cache", "file_field", "ready_other", NULL};

static PyObject **field(StepPath *sp, int i) {
    PyObject **fields[] = {
        &sp->loops, &sp->recs, &sp->task_types, &sp->hooks, &sp->report, &sp->py_before,
        &sp->py_after, &sp->py_scheduled, &sp->py_after_step, &sp->py_blocking_after_step,
        &sp->recorder, &sp->emit_raw, &sp->code_info, &sp->sleep_code, &sp->yield_reason,
        &sp->yield_json, &sp->yield_by, &sp->compute, &sp->with_via, &sp->quote, &sp->encode,
        &sp->perf, &sp->float_time, &sp->task_started, &sp->task_coro, &sp->emitter,
        &sp->events, &sp->loop_time, &sp->clock_globals, &sp->clock_monotonic, &sp->real_monotonic,
        &sp->handle_type, &sp->threadsafe, &sp->py_after_callback, &sp->py_blocking_after_callback,
        &sp->callable_position, &sp->py_done, &sp->waiters_of, &sp->stale, &sp->registry,
        &sp->ref_type, &sp->task_gone, &sp->taskrec_type, &sp->coro_fields, &sp->coro_label,
        &sp->py_task_scheduled, &sp->current_task, &sp->start_of, &sp->py_starting,
        &sp->py_created, &sp->named_creators, &sp->boundary_codes, &sp->library_cache,
        &sp->file_field, &sp->ready_other};
    return fields[i];
}

static int StepPath_init(StepPath *sp, PyObject *args, PyObject *kwargs) {
    if (PyTuple_GET_SIZE(args) != 0 || kwargs == NULL) {
        PyErr_SetString(PyExc_TypeError, "StepPath(**fields)");
        return -1;
    }
    for (int i = 0; field_names[i]; i++) {
        PyObject *v = PyDict_GetItemString(kwargs, field_names[i]);
        if (v == NULL) {
            PyErr_Format(PyExc_TypeError, "StepPath: %s missing", field_names[i]);
            return -1;
        }
        Py_INCREF(v);
        Py_XSETREF(*field(sp, i), v);
    }
    PyObject *threshold = PyDict_GetItemString(kwargs, "threshold");
    if (threshold == NULL || (sp->threshold = PyFloat_AsDouble(threshold)) == -1.0) {
        if (threshold == NULL || PyErr_Occurred()) {
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError, "StepPath: threshold (seconds) missing");
            return -1;
        }
    }
    PyObject *callbacks = PyDict_GetItemString(kwargs, "callbacks"),
             *spawns = PyDict_GetItemString(kwargs, "spawns"),
             *ticks = PyDict_GetItemString(kwargs, "ticks");
    if (callbacks == NULL || (sp->callbacks = PyObject_IsTrue(callbacks)) < 0
        || spawns == NULL || (sp->spawns = PyObject_IsTrue(spawns)) < 0
        || ticks == NULL || (sp->ticks = PyObject_IsTrue(ticks)) < 0) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "StepPath: callbacks, spawns, ticks (bools) missing");
        return -1;
    }
    if (!PyDict_Check(sp->loops) || !PyDict_Check(sp->recs) || !PyDict_Check(sp->code_info)
        || !PyUnicode_Check(sp->yield_json) || !PyDict_Check(sp->clock_globals)
        || !PyFunction_Check(sp->loop_time) || !PyObject_TypeCheck(sp->events, &EventBufferType)) {
        PyErr_SetString(PyExc_TypeError,
                        "StepPath: loops, recs, code_info, clock_globals must be dicts, "
                        "loop_time a function, events an EventBuffer");
        return -1;
    }
    sp->perf_is_monotonic = is_time_function(sp->perf, "perf_counter");
    sp->real_is_monotonic = is_time_function(sp->real_monotonic, "monotonic");
    Py_XSETREF(sp->state_tag, PyTuple_New(0));
    Py_XSETREF(sp->coro_cache, PyDict_New());
    Py_XSETREF(sp->start_cache, PyDict_New());
    Py_XSETREF(sp->file_fields, PyDict_New());
    if (sp->coro_cache == NULL || sp->start_cache == NULL || sp->file_fields == NULL)
        return -1;
    return sp->state_tag == NULL ? -1 : 0;
}

static int StepPath_traverse(StepPath *sp, visitproc visit, void *arg) {
    for (int i = 0; field_names[i]; i++)
        Py_VISIT(*field(sp, i));
    Py_VISIT(sp->last_L);
    Py_VISIT(sp->last_rec);
    for (size_t i = 0; sp->task_recs.slots != NULL && i <= sp->task_recs.mask; i++)
        Py_VISIT(sp->task_recs.slots[i].rec);
    Py_VISIT(sp->fn_qualname);
    Py_VISIT(sp->fn_code);
    Py_VISIT(sp->fn_fields);
    Py_VISIT(sp->coro_cache);
    Py_VISIT(sp->start_cache);
    Py_VISIT(sp->file_fields);
    return 0;
}

static int StepPath_clear(StepPath *sp) {
    for (int i = 0; field_names[i]; i++)
        Py_CLEAR(*field(sp, i));
    Py_CLEAR(sp->state_tag);
    Py_CLEAR(sp->last_L);
    Py_CLEAR(sp->last_rec);
    rec_table_free(&sp->task_recs);
    Py_CLEAR(sp->fn_qualname);
    Py_CLEAR(sp->fn_code);
    Py_CLEAR(sp->fn_fields);
    Py_CLEAR(sp->coro_cache);
    Py_CLEAR(sp->start_cache);
    Py_CLEAR(sp->file_fields);
    return 0;
}

static void StepPath_dealloc(StepPath *sp) {
    PyObject_GC_UnTrack(sp);
    StepPath_clear(sp);
    Py_TYPE(sp)->tp_free((PyObject *)sp);
}

static PyMethodDef StepPath_methods[] = {
    {"before", (PyCFunction)StepPath_before, METH_O, "Handle._run's before(handle)."},
    {"after", (PyCFunction)(void (*)(void))StepPath_after, METH_FASTCALL,
     "Handle._run's after(handle, state)."},
    {"starting", (PyCFunction)(void (*)(void))StepPath_starting, METH_FASTCALL,
     "create_task's starting(loop, coro, name, eager_start)."},
    {"created", (PyCFunction)(void (*)(void))StepPath_created, METH_FASTCALL,
     "create_task's done(loop, task, entry, s0)."},
    {"ready", (PyCFunction)(void (*)(void))StepPath_ready, METH_FASTCALL,
     "Recorder.ready_entries(handles, other)."},
    {"ready_json", (PyCFunction)StepPath_ready_json, METH_O, "events.ready_json(ready)."},
    {"scheduled", (PyCFunction)(void (*)(void))StepPath_scheduled, METH_FASTCALL,
     "call_soon's scheduled(loop, callback, handle)."},
    {NULL}};

static PyTypeObject StepPathType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_loopscope_accel.StepPath",
    .tp_basicsize = sizeof(StepPath),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The tracer's step path (see accel.py).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)StepPath_init,
    .tp_traverse = (traverseproc)StepPath_traverse,
    .tp_clear = (inquiry)StepPath_clear,
    .tp_dealloc = (destructor)StepPath_dealloc,
    .tp_methods = StepPath_methods,
};

/* fixed(x, digits): what the events write for '%.<digits>f' % x (for test_accel). */
static PyObject *module_fixed(PyObject *self, PyObject *args) {
    double x;
    int digits;
    if (!PyArg_ParseTuple(args, "di", &x, &digits))
        return NULL;
    Buf b;
    buf_init(&b);
    PyObject *r = buf_fixed(&b, x, digits) < 0 ? NULL : PyUnicode_FromStringAndSize(b.data, b.len);
    buf_release(&b);
    return r;
}

static PyMethodDef module_methods[] = {
    {"fixed", module_fixed, METH_VARARGS, "'%.<digits>f' % x, as the events write it."},
    {NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_loopscope_accel", NULL, -1,
                                    module_methods};

#define INTERN(var, text) if ((var = PyUnicode_InternFromString(text)) == NULL) return NULL

PyMODINIT_FUNC PyInit__loopscope_accel(void) {
    INTERN(s_loop, "_loop"); INTERN(s_callback, "_callback"); INTERN(s_self, "__self__");
    INTERN(s_ref, "ref"); INTERN(s_tick_ready, "tick_ready"); INTERN(s_started, "started");
    INTERN(s_blocking, "blocking"); INTERN(s_samples, "samples"); INTERN(s_handle_at, "handle_at");
    INTERN(s_line, "line"); INTERN(s_file, "file"); INTERN(s_running, "running");
    INTERN(s_running_since, "running_since"); INTERN(s_running_callback, "running_callback");
    INTERN(s_running_rec, "running_rec"); INTERN(s_running_kind, "running_kind");
    INTERN(s_running_timer, "running_timer"); INTERN(s_origin, "origin"); INTERN(s_time, "time");
    INTERN(s_own, "own"); INTERN(s_stepped, "stepped"); INTERN(s_done, "done");
    INTERN(s_coro, "_coro"); INTERN(s_get_coro, "get_coro"); INTERN(s_cr_frame, "cr_frame");
    INTERN(s_cr_await, "cr_await"); INTERN(s_gi_frame, "gi_frame");
    INTERN(s_gi_yieldfrom, "gi_yieldfrom"); INTERN(s_steps, "steps");
    INTERN(s_ready_ids, "ready_ids"); INTERN(s_ready_at, "ready_at"); INTERN(s_step_by, "step_by");
    INTERN(s_by, "by"); INTERN(s_by_n, "by_n"); INTERN(s_n, "n"); INTERN(s_last_n, "last_n");
    INTERN(s_last_q, "last_q"); INTERN(s_id, "id"); INTERN(s_timeouts, "timeouts");
    INTERN(s_stack, "stack"); INTERN(s_reason, "reason"); INTERN(s_longest, "longest");
    INTERN(s_busy, "busy"); INTERN(s_monotonic, "monotonic"); INTERN(s_state, "_state");
    INTERN(s_flush, "flush"); INTERN(s_io_ids, "io_ids"); INTERN(s_soon, "soon");
    INTERN(s_cancelled, "cancelled"); INTERN(s_ready_queue, "_ready");
    INTERN(s_handle_cancelled, "_cancelled"); INTERN(s_waited, "waited"); INTERN(s_jump, "jump");
    INTERN(s_io, "io"); INTERN(s_exception, "_exception"); INTERN(s_result, "_result");
    INTERN(s_creating, "creating"); INTERN(s_n_tasks, "n_tasks"); INTERN(s_key, "key");
    INTERN(s_cr_code, "cr_code"); INTERN(s_gi_code, "gi_code"); INTERN(s_cr_running, "cr_running");
    INTERN(s_cr_suspended, "cr_suspended"); INTERN(s_qualname, "__qualname__");
    INTERN(s_get_name, "get_name");
    INTERN(s_task_dash, "Task-"); INTERN(s_task_factory, "_task_factory");
    INTERN(s_f_locals, "f_locals"); INTERN(s_name, "name");
    g_cr_code = find_getter(&PyCoro_Type, "cr_code");
    g_gi_code = find_getter(&PyGen_Type, "gi_code");
    g_cr_suspended = find_getter(&PyCoro_Type, "cr_suspended");
    g_gi_suspended = find_getter(&PyGen_Type, "gi_suspended");
    g_cr_frame = find_getter(&PyCoro_Type, "cr_frame");
    g_cr_await = find_getter(&PyCoro_Type, "cr_await");
    g_gi_frame = find_getter(&PyGen_Type, "gi_frame");
    g_gi_yieldfrom = find_getter(&PyGen_Type, "gi_yieldfrom");
    if (PyType_Ready(&StepPathType) < 0 || PyType_Ready(&EventBufferType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&StepPathType);
    Py_INCREF(&EventBufferType);
    if (PyModule_AddObject(m, "StepPath", (PyObject *)&StepPathType) < 0
        || PyModule_AddObject(m, "EventBuffer", (PyObject *)&EventBufferType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
