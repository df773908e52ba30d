/* SPDX-License-Identifier: MIT */
/* model2.pml - format 2 (spec/format2.md) as a Promela model, checked by spin.
 *
 * Publishing a version is the exclusive claim of its number: link(2) of
 * tmp/T to cur/N.  A low-water mark L (the size of STORE/low) only rises;
 * numbers <= L are closed.  Two writers put; writer 1 may be arbitrarily
 * stale (its idea of the greatest number is any number that ever was the
 * greatest).  A cleaner, and writer 0 after its last put (P10), free
 * numbers by retention: validate the unchecked claims below the cut, raise
 * L, unlink.  Four runs (spec/model.md, "Format 2"): READER adds a reader
 * that gets the newest version and a version by number; WATCHER a watcher
 * that hands out every number from 1 on; CRASH a power cut at any moment,
 * with writer 1 putting with one flush, the sealing of holes after it and
 * a fresh writer that finds the greatest number by a search; CAS a
 * conditional put (writer 3; compare-and-set, format2.md 15) that reads
 * the newest as the reader does and claims exactly the number after it.
 * The upgrade is argued in format2.md, not modelled.
 *
 *   tests/analysis/spin.sh --model2      the four runs
 *   spin -DREADER -a model2.pml && cc -O2 -DSAFETY -DCOLLAPSE -o pan pan.c && ./pan -m100000
 *
 * Mutations: each -D below breaks one step; spin must then find a
 * violation (tests/analysis/spin.sh --mutations2).
 *   NO_CHECK              the writer does not read L after its claim (P7 removed)
 *   CHECK_BEFORE_CLAIM    the writer reads L before the link, not after it
 *   CHECK_L_ONLY          the writer calls its claim stale when n <= L, without
 *                         asking whether its tmp/ link is still there
 *   NO_LOW                cleaners never raise L: a freed number is reused
 *   UNLINK_BEFORE_RAISE   cleaners unlink the freed names, then raise L
 *   RAISE_PAST_UNCHECKED  cleaners raise L without validating unchecked claims
 *   VALIDATE_OLD_L        a cleaner reads L before it looks at the claim it
 *                         validates, not after
 *   PUBLISH_BEFORE_FSYNC  the file is fsync'd after the link in the default mode
 *   NO_FSYNC_CUR          the writer does not fsync cur/ before it returns
 *   NO_INODE_COMPARE      an EEXIST for the writer's own link (a retransmitted
 *                         NFS LINK) is taken for a lost race
 *   READ_NO_L             readers do not read L after opening cur/N
 *   WATCH_NO_L            the watcher does not read L after opening cur/N
 *   NO_SEAL               (CRASH) no process seals the holes after the crash
 *   NO_MARKER             (CRASH) a one-flush put makes no unsynced marker
 *   L_NOT_DURABLE         (CRASH) raising L is not durable when it returns
 *   CAS_NO_CHECK          (CAS) the conditional put skips the check (P7):
 *                         it never reads L after its claim
 *   CAS_ANY_NUMBER        (CAS) on EEXIST the conditional put claims the next
 *                         free number instead of failing
 *   CAS_UNDO_SLOW         (CAS) the conditional put reports a conflict for a
 *                         slow real claim (n <= L with its tmp/ link gone)
 * Variants, which must hold like the model:
 *   BOTH_STALE            writer 0 may be arbitrarily stale as well
 *   TWO_CLEANS            the cleaner runs retention twice
 *   PUTS0=3, PUTS1=2      more puts by writer 0 or by the stale writer 1
 *   CRASH with PUTS0=2    (CI runs CRASH with PUTS0=1)
 *   CAS with BOTH_STALE or TWO_CLEANS (not with PUTS0=3 or PUTS1=2: five
 *                         puts need more numbers than NN gives)
 *
 * Each assert is tagged [name]; spin.sh reports the tag of the one that
 * fails.  The printf lines ("MSC:") only show in a replayed trail. */

#ifndef PUTS0
#define PUTS0 2        /* puts of writer 0 (put ids 1, 2, ...) */
#endif
#ifndef PUTS1
#define PUTS1 1        /* puts of writer 1 (the put ids after writer 0's) */
#endif
#define NP (PUTS0 + PUTS1 + 3) /* put ids: 0 none, then writer 0's, writer 1's,
                        * the put after the crash, and TOMB */
#define TOMB (NP - 1)  /* cur/N is a tombstone (CRASH: format2.md 12) */
#define NN 6           /* numbers 1..NN-2 can be claimed; NN-1 is probed */
/* The reader and the watcher only read the store: the store's runs are the
 * same with or without either, so each is checked in a run of its own
 * (READER or WATCHER; both by default), which keeps each search small. */
#if !defined(READER) && !defined(WATCHER) && !defined(CRASH) && !defined(CAS)
#define READER
#define WATCHER
#endif
#ifdef READER
#define NPROC 4        /* writers, the cleaner and the reader, counted out */
#else
#define NPROC 3        /* writers and the cleaner, counted out */
#endif

/* The store. */
byte cur[NN];          /* cur/N: 0 no name, else the put whose file it is */
bit tmpl[NP];          /* put p's file still has a link in tmp/ (unchecked) */
bit data[NP];          /* put p's bytes were fsync'd */
bit dur[NN];           /* the name cur/N was made durable by an fsync of cur/ */
byte L;                /* the low-water mark, the size of STORE/low */

/* Ghosts: what the properties talk about, not part of the store. */
byte used[NN];         /* the first put that ever linked cur/N (the real N) */
byte maxcom;           /* the greatest number committed (first linked) so far */
byte maxack;           /* the greatest number a put returned */
byte wmark;            /* the watcher's last number */
bit handed[NN];        /* the watcher handed out N */
byte finished;         /* processes that have ended */

#define CLEANER 9

#ifdef CAS
/* The conditional put (variant CAS): its writer and put id, and ghosts. */
#define CASW 3         /* the conditional writer */
#define CASP (PUTS0 + PUTS1 + 1) /* its put id (the crash's put id, unused here) */
byte casbase;          /* the number it read as the newest: its base */
byte casmax;           /* the greatest number committed when it linked */
byte casnum;           /* the number it returned */
byte casdone;          /* 0 running, 1 succeeded, 2 failed with a conflict */
#endif

#ifdef CRASH
/* The power cut (variant CRASH): what a crash keeps, and the ghosts about it. */
byte cur_d[NN];        /* cur/ as a crash would leave it */
byte L_d;              /* L as a crash would leave it */
bit marker;            /* STORE/unsynced.HOST.BOOTID exists, durably */
bit epoch;             /* 1 after the crash */
bit ack[NN];           /* a durable (default or one-flush) put returned N */
bit oneflush[NP];      /* put p is a one-flush put */
byte surv;             /* the greatest number the crash left */
byte fx;               /* scratch */
#define ESCAPE_BEGIN bit mine = epoch; {
#define ESCAPE_END } unless { epoch != mine }
#else
#define ESCAPE_BEGIN
#define ESCAPE_END
#endif

/* fsync(2) of cur/: every name in it, and every unlink from it, is durable
 * (CRASH only; elsewhere dur[] records it for the put's own name). */
inline fsync_cur()
{
#ifdef CRASH
	fx = 1;
	do
	:: fx < NN -> cur_d[fx] = cur[fx]; fx++
	:: else -> fx = 0; break
	od
#else
	skip
#endif
}

/* g := the greatest number with a name in cur/ (0: none) */
inline top(g)
{
	g = NN - 1;
	do
	:: g > 0 && cur[g] == 0 -> g--
	:: else -> break
	od
}

/* v := any value from lo to hi (a nondeterministic choice) */
inline pick(v, lo, hi)
{
	v = lo;
	do
	:: v < hi -> v++
	:: break
	od
}

/* The retention step of a cleaner (format2.md, R1 to R4): free every
 * number up to a cut c below the greatest.  Used by the cleaner and by
 * writer 0 after its last put (P10). */
inline retain(who, c, x, o, lv, g)
{
	atomic {
		/* R1: read L; find the greatest (a gallop: one step here); any
		 * cut between L and the greatest, never the greatest itself */
		lv = L;
		top(g);
		if
		:: g > lv + 1 -> pick(c, lv + 1, g - 1)
		:: else -> c = 0
		fi;
		if
		:: c > 0 && who == CLEANER -> printf("MSC: cleaner frees up to %d (L %d, greatest %d)\n", c, lv, g)
		:: c > 0 && who != CLEANER -> printf("MSC: writer %d frees up to %d (L %d, greatest %d)\n", who, c, lv, g)
		:: else
		fi;
		g = lv;                /* (g: L as read here) */
		x = lv + 1
	}
#if !defined(RAISE_PAST_UNCHECKED)
	/* R2: validate each unchecked claim in (L, c]: see its name, then
	 * read L; above L the claim is real: unlink its tmp/ link. */
	do
	:: c > 0 && x <= c ->
#ifdef VALIDATE_OLD_L
		atomic { lv = L };     /* (L first, then the claim) */
		atomic { o = cur[x] };
#else
		atomic { o = cur[x] }; /* fstatat(cur/x): its inode, nlink 2 */
		atomic { lv = L };     /* statx(low) */
#endif
		atomic {
			if
			:: o != 0 && tmpl[o] && x > lv ->
				if
				:: who == CLEANER -> printf("MSC: cleaner validates the claim of %d by put %d\n", x, o)
				:: else -> printf("MSC: writer %d validates the claim of %d by put %d\n", who, x, o)
				fi;
				tmpl[o] = 0    /* unlink the tmp/ link of that inode */
			:: else
			fi;
			o = 0; lv = 0;
			x++
		}
	:: else -> break
	od;
#endif
#ifdef UNLINK_BEFORE_RAISE
	atomic {
		x = g + 1;
		do
		:: c > 0 && x <= c -> cur[x] = 0; dur[x] = 0; x++
		:: else -> break
		od
	}
#endif
#ifndef NO_LOW
	/* R3: raise L: pwrite one byte at offset c - 1 (O_DSYNC); the size
	 * becomes max(size, c) */
	atomic {
		if
		:: c > L && who == CLEANER -> L = c; printf("MSC: cleaner raises L to %d\n", c)
		:: c > L && who != CLEANER -> L = c; printf("MSC: writer %d raises L to %d\n", who, c)
		:: else
		fi;
#if defined(CRASH) && !defined(L_NOT_DURABLE)
		L_d = L                /* O_DSYNC: durable when pwrite returns */
#else
		skip
#endif
	}
#endif
	/* R4: unlink cur/N for N in (L as read at R1, c] (one step here:
	 * readers ignore every name <= L, so no one can tell the unlinks apart;
	 * atomic: a loop's break may not jump into a d_step) */
	atomic {
		if
		:: c > 0 && who == CLEANER -> printf("MSC: cleaner unlinks cur/%d to cur/%d\n", g + 1, c)
		:: c > 0 && who != CLEANER -> printf("MSC: writer %d unlinks cur/%d to cur/%d\n", who, g + 1, c)
		:: else
		fi;
		x = g + 1;
		do
		:: c > 0 && x <= c -> cur[x] = 0; dur[x] = 0; x++
		:: else -> break
		od
	}
	c = 0; x = 0; lv = 0; g = 0
}

/* The put of put id p by writer w (format2.md, P1 to P11). */
inline put(w, p, stale, oflush, srch, g, n, lv, start, r)
{
	atomic {
		start = maxack;        /* the put begins */
		tmpl[p] = 1;           /* P1: create tmp/T, O_EXCL; P2: write; P2a: the xattr */
		if
		:: !oflush ->
#ifndef PUBLISH_BEFORE_FSYNC
			data[p] = 1    /* P3: fsync the file */
#else
			skip
#endif
		:: else ->
#ifdef CRASH
			oneflush[p] = 1;
#ifndef NO_MARKER
			marker = 1     /* the unsynced marker, durable, before the claim */
#endif
#endif
			skip
		fi;
		/* P5: the number to try: one above the greatest the writer knows
		 * of; a stale writer knows of any number that once was the
		 * greatest; a fresh process (srch) searches from L: any place
		 * where a present name (or L) is followed by an absent one */
		top(g);
		if
		:: stale -> pick(n, 0, g); g = n
		:: srch -> n = g; g = L;
			do
			:: g < n -> g++
			:: (g == L || cur[g] != 0) && cur[g + 1] == 0 -> break
			od
#ifdef CAS
		:: w == CASW -> g = casbase /* exactly the number after its base */
#endif
		:: else
		fi;
		n = g + 1;
		printf("MSC: writer %d put %d: tries %d (greatest returned: %d)\n", w, p, n, start);
		g = 0
	}
#ifdef CHECK_BEFORE_CLAIM
	atomic { lv = L };
#endif
	/* P6: the claim, linkat(tmp/T, cur/n); on EEXIST the next number */
claim:
	atomic {
		assert(n < NN - 1);    /* [bound]: the model's numbers suffice */
		if
		:: cur[n] == 0 ->
			/* at most one number per put at a time */
			assert(cur[1] != p && cur[2] != p && cur[3] != p && cur[4] != p); /* [one-claim] */
#ifdef CAS
			if
			:: w == CASW -> casmax = maxcom
			:: else
			fi;
#endif
			cur[n] = p;
			printf("MSC: writer %d put %d: links cur/%d (L %d)\n", w, p, n, L);
			if
			:: used[n] == 0 -> used[n] = p;
				if
				:: n > maxcom -> maxcom = n
				:: else
				fi
			:: else
			fi;
			/* the reply may be lost and the retransmission answered
			 * with EEXIST (NFS); fstatat(cur/n) then shows the
			 * writer's own inode (compared in this step here) */
			if
			:: r = 0
#ifdef NO_INODE_COMPARE
			:: r = 2; printf("MSC: writer %d: EEXIST for its own link\n", w)
#endif
			fi
		:: else -> r = 2       /* EEXIST: the name is taken */
		fi
	}
	if
#if defined(CAS) && !defined(CAS_ANY_NUMBER)
	:: r == 2 && w != CASW -> atomic { r = 0; n++ }; goto claim
	:: r == 2 && w == CASW -> goto cancel /* taken: a version came after the base */
#else
	:: r == 2 -> atomic { r = 0; n++ }; goto claim
#endif
	:: else
	fi;
#ifdef PUBLISH_BEFORE_FSYNC
	atomic { data[p] = 1 };
#endif
	/* P7: the check: read L after the claim */
#if !defined(CHECK_BEFORE_CLAIM) && !defined(NO_CHECK)
#ifdef CAS_NO_CHECK
	atomic {
		if
		:: w == CASW -> lv = 0 /* (as if L were 0: every claim valid) */
		:: else -> lv = L
		fi
	};
#else
	atomic { lv = L };
#endif
#endif
#ifdef NO_CHECK
	atomic { tmpl[p] = 0 };
#else
	atomic {
		if
		:: n > lv ->
			tmpl[p] = 0    /* valid: unlink tmp/T (ENOENT: a cleaner did) */
#ifdef CHECK_L_ONLY
		:: n <= lv -> r = 3
#else
#ifdef CAS_UNDO_SLOW
		:: n <= lv && !tmpl[p] && w == CASW -> r = 4 /* (a conflict) */
		:: n <= lv && !tmpl[p] && w != CASW -> skip
#else
		:: n <= lv && !tmpl[p] -> skip /* a cleaner validated it: valid */
#endif
		:: n <= lv && tmpl[p] -> r = 3 /* rename(tmp/T, tmp/T2) succeeded: stale */
#endif
		fi
	}
	if
	:: r == 3 ->
		atomic {
			printf("MSC: writer %d put %d: claim of %d is stale (L %d)\n", w, p, n, lv);
			assert(used[n] != p); /* [no-undo]: never a claim that was the real n */
			cur[n] = 0; dur[n] = 0;  /* unlink cur/n */
#ifdef CAS
			if
			:: w == CASW -> lv = 0 /* the base was not the newest */
			:: else ->
#endif
			n = lv + 1; r = 0; lv = 0
#ifdef CAS
			fi
#endif
		};
#ifdef CAS
		if
		:: w == CASW -> goto cancel
		:: else
		fi;
#endif
		goto claim             /* again, from L + 1 */
#ifdef CAS_UNDO_SLOW
	:: r == 4 -> goto cancel
#endif
	:: else
	fi;
#endif
	/* P8: fsync cur/ (one flush: fsync the file, which on btrfs makes
	 * only its own name durable) */
	atomic {
#ifndef NO_FSYNC_CUR
		if
		:: cur[n] == p -> dur[n] = 1
		:: else
		fi;
		if
		:: !oflush -> fsync_cur()
		:: else -> data[p] = 1
#ifdef CRASH
			; cur_d[n] = cur[n]
#endif
		fi;
#endif
		/* P11: return n */
		printf("MSC: writer %d put %d: returns %d\n", w, p, n);
#ifdef CAS
		if
		:: w == CASW ->
			/* no version came between the read of the base and the
			 * commit: the base was the greatest number claimed */
			assert(n == casbase + 1 && casmax == casbase); /* [cas-newest] */
			casnum = n; casdone = 1; casmax = 0
		:: else
		fi;
#endif
		assert(used[n] == p);  /* [unique]: the only version ever numbered n */
		assert(n > start);     /* [ordered]: above every put returned before it began */
		assert(dur[n] || n <= L); /* [durable]: unless retention freed it */
#ifdef CRASH
		assert(epoch == 0 || n > surv); /* [above-survivors]: no number below what the crash left */
		ack[n] = 1;
#endif
		if
		:: n > maxack -> maxack = n
		:: else
		fi;
		n = 0; lv = 0; start = 0; r = 0
	}
#ifdef CAS
	goto done;
	/* the conditional put fails with -ECANCELED: its claim, if any, was
	 * unlinked above (a stale one: rename tmp/T to tmp/T2, unlink cur/n);
	 * the file in tmp/ is removed (tmp/T, or tmp/T2) */
cancel:
	atomic {
		/* nothing of it is committed: its update is not in the store,
		 * so the caller's retry cannot apply it twice */
		assert(used[n] != p && cur[1] != p && cur[2] != p && cur[3] != p && cur[4] != p); /* [cas-once] */
		/* the conflict is real: a number above the base was claimed */
		assert(maxcom > casbase); /* [cas-conflict] */
		printf("MSC: writer %d put %d: conflict at %d (base %d, greatest committed %d)\n", w, p, n, casbase, maxcom);
		tmpl[p] = 0;
		casdone = 2; casmax = 0;
		n = 0; lv = 0; start = 0; r = 0
	};
done:
	skip
#endif
}

proctype writer(byte w; byte first; byte puts; bit stale; bit oflush; bit srch)
{
	byte k, p, g, n, lv, start, r, c, x, o;
	ESCAPE_BEGIN
	do
	:: k < puts ->
		p = first + k;
		put(w, p, stale, oflush, srch, g, n, lv, start, r);
		k++
	:: else -> break
	od;
	if
	:: w == 0 -> retain(w, c, x, o, lv, g) /* P10 */
	:: else
	fi;
	atomic { k = 0; p = 0; finished++ }
	ESCAPE_END
}

proctype cleaner()
{
	byte c, x, o, lv, g;
	ESCAPE_BEGIN
	retain(CLEANER, c, x, o, lv, g);
#ifdef TWO_CLEANS
	retain(CLEANER, c, x, o, lv, g);
#endif
	finished++
	ESCAPE_END
}

/* A get of the newest version, then a get by number. */
proctype reader()
{
	byte need, lv, m, a, f, k;
	/* Newest: any search (a gallop or a binary search over cur/) ends
	 * with m present and m + 1 absent, probed in some order after the get
	 * began; then L is read: m above it is the newest. */
	atomic { need = maxcom; lv = L; pick(m, lv + 1, NN - 2) }
	if
	:: atomic { a = cur[m + 1] }; atomic { f = cur[m] }
	:: atomic { f = cur[m] }; atomic { a = cur[m + 1] }
	fi;
#ifndef READ_NO_L
	atomic { lv = L };
#endif
	atomic {
		if
		:: a == 0 && f != 0 && m > lv ->
			printf("MSC: reader gets the newest: %d (greatest committed before: %d)\n", m, need);
			assert(f == used[m]); /* [by-number]: the real version m */
			assert(m >= need)     /* [fresh] */
		:: else                       /* the search starts again (not modelled) */
		fi;
		m = 0; a = 0; f = 0; lv = 0; need = 0
	}
	/* By number: open cur/k, read L: above L it is version k. */
	atomic { pick(k, 1, NN - 2) }
	atomic { f = cur[k]; need = used[k] }
#ifndef READ_NO_L
	atomic { lv = L };
#endif
	atomic {
		if
		:: f != 0 && k > lv ->
			printf("MSC: reader gets %d: put %d\n", k, f);
			assert(f == used[k])  /* [by-number] */
		:: else ->
			/* not there: never committed when opened, or freed */
			assert(need == 0 || k <= L) /* [by-number] */
		fi;
		k = 0; f = 0; lv = 0; need = 0;
		finished++
	}
}

/* The watcher: from number 1 on, each number once, in order. */
proctype watcher()
{
	byte lv, f, i;
	do
	:: atomic { f = cur[wmark + 1] }   /* open cur/N, N = wmark + 1 */
		atomic {
#ifndef WATCH_NO_L
			lv = L;                    /* statx(low) */
#endif
			if
			:: f != 0 && wmark + 1 > lv ->
				printf("MSC: watcher hands out %d: put %d\n", wmark + 1, f);
				assert(f == used[wmark + 1]);  /* [watch-once]: the real version */
				assert(!handed[wmark + 1]);    /* [watch-once]: once */
				handed[wmark + 1] = 1;
				wmark++
			:: wmark + 1 <= lv ->
				/* numbers up to L were freed: counted as removed */
				printf("MSC: watcher: %d to %d removed\n", wmark + 1, lv);
				wmark = lv
			:: f == 0 && wmark + 1 > lv && finished == NPROC && cur[wmark + 1] == 0 ->
				/* (the model's end) nothing more will come: every
				 * version committed and not freed was handed out */
				i = 1;
				do
				:: i < NN ->
					assert(used[i] == 0 || handed[i] || i <= L); /* [watch-complete] */
					i++
				:: else -> break
				od;
				break
			:: else                        /* not yet there: wait */
			fi;
			f = 0; lv = 0
		}
	od
}

#ifdef CAS
/* The conditional put (format2.md 15): read the newest as the reader does
 * (base 0: the store is empty), then put claiming exactly base + 1; a taken
 * number or a stale claim is a conflict. */
proctype caswriter()
{
	byte p = CASP, m, a, f, lv, g, n, start, r;
	atomic {
		lv = L;
		if
		:: lv == 0 -> pick(m, 0, NN - 2)
		:: else -> pick(m, lv + 1, NN - 2)
		fi
	}
	if
	:: atomic { a = cur[m + 1] }; atomic { f = cur[m] }
	:: atomic { f = cur[m] }; atomic { a = cur[m + 1] }
	fi;
	atomic { lv = L };
	if
	:: atomic { a == 0 && (f != 0 && m > lv || m == 0 && lv == 0) ->
		printf("MSC: writer %d reads the newest: %d\n", CASW, m);
		casbase = m; m = 0; a = 0; f = 0; lv = 0 };
		put(CASW, p, 0, 0, 0, g, n, lv, start, r)
	:: else -> m = 0; a = 0; f = 0; lv = 0 /* the search starts again (not modelled) */
	fi;
	finished++
}

/* [cas-kept], in every state: a conditional put that succeeded keeps its
 * version until retention frees it. */
#define CASKEPT (casdone != 1 || cur[casnum] == CASP || casnum <= L)
proctype casmonitor()
{
end:	atomic { !CASKEPT -> assert(CASKEPT) /* [cas-kept] */ }
}
#endif

/* [whole], in every state: every name in cur/ has its bytes on disk. */
#ifdef CRASH
#define WHOLE(i) (cur[i] == 0 || data[cur[i]] || oneflush[cur[i]])
#else
#define WHOLE(i) (cur[i] == 0 || data[cur[i]])
#endif
proctype monitor()
{
end:	atomic { !(WHOLE(1) && WHOLE(2) && WHOLE(3) && WHOLE(4)) ->
		assert(WHOLE(1) && WHOLE(2) && WHOLE(3) && WHOLE(4)) /* [whole] */ }
}

#ifdef CRASH
/* The crash: cur/ and L as of their last flush or journal commit; every
 * process stops; then the unsynced marker makes the first process seal the
 * holes (format2.md 12), and a fresh writer puts once, finding the greatest
 * number by a search from L. */
inline crash(i)
{
	d_step {
		epoch = 1;
		i = 1;
		do
		:: i < NN -> cur[i] = cur_d[i]; i++
		:: else -> break
		od;
		L = L_d;
		top(surv);
		printf("MSC: CRASH; left: L %d, greatest %d\n", L, surv);
		i = 1;
		do
		:: i < NN ->
			if
			:: cur[i] != 0 -> printf("MSC:   cur/%d: put %d\n", i, cur[i])
			:: else
			fi;
			/* every durable put that returned is still there */
			assert(!ack[i] || cur[i] != 0 || i <= L); /* [durable] */
			/* numbers above what survived may be claimed again */
			if
			:: i > surv -> used[i] = 0
			:: else
			fi;
			i++
		:: else -> i = 0; break
		od
	}
#ifndef NO_SEAL
	d_step {
		if
		:: marker ->
			i = L + 1;
			do
			:: i < surv ->
				if
				:: cur[i] == 0 -> cur[i] = TOMB; printf("MSC: recovery seals %d\n", i)
				:: else
				fi;
				i++
			:: else -> i = 0; break
			od
		:: else
		fi
	}
#endif
	run writer(2, PUTS0 + PUTS1 + 1, 1, 0, 0, 1)
}
#endif

init
{
#ifdef CRASH
	byte i;
#endif
	atomic {
		data[TOMB] = 1;
		run monitor();
#ifdef BOTH_STALE
		run writer(0, 1, PUTS0, 1, 0, 0);
#else
		run writer(0, 1, PUTS0, 0, 0, 0);
#endif
#ifdef CRASH
		run writer(1, PUTS0 + 1, PUTS1, 1, 1, 0); /* the stale writer puts with one flush */
#else
		run writer(1, PUTS0 + 1, PUTS1, 1, 0, 0);
#endif
		run cleaner();
#ifdef READER
		run reader();
#endif
#ifdef WATCHER
		run watcher();
#endif
#ifdef CAS
		run caswriter();
		run casmonitor();
#endif
		skip
	}
#ifdef CRASH
	do
	/* a journal commit at any moment: every link and unlink so far is
	 * durable (not L's size, which only its O_DSYNC write makes durable) */
	:: d_step { epoch == 0 ->
		i = 1;
		do
		:: i < NN -> cur_d[i] = cur[i]; i++
		:: else -> i = 0; break
		od }
	:: crash(i); break
	:: finished == NPROC -> break
	od
#endif
}
