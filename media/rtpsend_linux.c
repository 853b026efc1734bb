// The sender threads of the media clock (see sender_linux.go): each takes
// batches of RTP packets, made by its pacer shard one interval ahead, and
// writes them at their due time from a thread of its own, so that no
// packet waits for the Go scheduler to find the shard a P.

#define _GNU_SOURCE
#include "rtpsend_linux.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define VS_RING 256 // batches in flight per shard: a period's slots, several times over

struct vs_member {
	int fd;     // our own duplicate of the session's socket
	int family; // AF_INET or AF_INET6
	int64_t last_due, last_sent;
	// mu guards the generation and the last sequence number written:
	// vs_member_recall and the sending of one packet exclude each other.
	pthread_mutex_t mu;
	uint32_t gen;
	uint16_t last_seq;
	int have_seq;
};

typedef struct {
	int64_t due;
	int n, ecap;
	vs_entry *entries;
	uint8_t *data;
	uint32_t dcap;
} vs_batch;

struct vs_sender {
	int64_t interval;
	vs_batch ring[VS_RING];
	_Atomic uint64_t head, tail; // the thread takes at head, the shard puts at tail
	_Atomic int stop, sleeping;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int priority, prio_err, started;
	_Atomic uint64_t late[VS_BUCKETS], gap[VS_BUCKETS];
	_Atomic int64_t late_max;
	_Atomic uint64_t sent, errors, recalled;
};

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t t) {
	struct timespec ts = {.tv_sec = t / 1000000000, .tv_nsec = t % 1000000000};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
	}
}

static void observe(_Atomic uint64_t *h, int64_t d) {
	if (d < 0) d = 0;
	int64_t i = d / VS_BUCKET_NS;
	if (i >= VS_BUCKETS) i = VS_BUCKETS - 1;
	atomic_fetch_add_explicit(&h[i], 1, memory_order_relaxed);
}

vs_member *vs_member_new(int fd, int *err) {
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		*err = errno;
		return NULL;
	}
	if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) {
		*err = EAFNOSUPPORT;
		return NULL;
	}
	vs_member *m = calloc(1, sizeof *m);
	if (!m) {
		*err = ENOMEM;
		return NULL;
	}
	// Close-on-exec: a child process (the speech tools) must not keep the
	// call's port open.
	m->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (m->fd < 0) {
		*err = errno;
		free(m);
		return NULL;
	}
	m->family = ss.ss_family;
	m->last_due = -1;
	pthread_mutex_init(&m->mu, NULL);
	*err = 0;
	return m;
}

void vs_member_free(vs_member *m) {
	if (!m) return;
	close(m->fd);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

// vs_member_recall cancels every packet of m still queued (barge-in): the
// thread drops packets of an older generation. It returns the new
// generation and the sequence number of the last packet that did go out,
// so the session can continue the sequence from there without a gap.
uint32_t vs_member_recall(vs_member *m, int *have_seq, uint16_t *last_seq) {
	pthread_mutex_lock(&m->mu);
	uint32_t g = ++m->gen;
	*have_seq = m->have_seq;
	*last_seq = m->last_seq;
	pthread_mutex_unlock(&m->mu);
	return g;
}

static void send_entry(vs_sender *s, vs_batch *b, vs_entry *e) {
	vs_member *m = e->member;
	if (e->retire) {
		vs_member_free(m);
		return;
	}
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} to;
	socklen_t tl;
	memset(&to, 0, sizeof to);
	if (m->family == AF_INET) {
		if (!e->v4) {
			atomic_fetch_add_explicit(&s->errors, 1, memory_order_relaxed);
			return;
		}
		to.v4.sin_family = AF_INET;
		to.v4.sin_port = htons(e->port);
		memcpy(&to.v4.sin_addr, e->addr + 12, 4);
		tl = sizeof to.v4;
	} else {
		to.v6.sin6_family = AF_INET6;
		to.v6.sin6_port = htons(e->port);
		memcpy(&to.v6.sin6_addr, e->addr, 16);
		if (e->v4) { // v4-mapped on a dual-stack socket
			memset(&to.v6.sin6_addr, 0, 10);
			to.v6.sin6_addr.s6_addr[10] = 0xff;
			to.v6.sin6_addr.s6_addr[11] = 0xff;
		}
		tl = sizeof to.v6;
	}
	const uint8_t *pkt = b->data + e->off;
	pthread_mutex_lock(&m->mu);
	if (e->gen != m->gen) {
		pthread_mutex_unlock(&m->mu);
		atomic_fetch_add_explicit(&s->recalled, 1, memory_order_relaxed);
		return;
	}
	if (sendto(m->fd, pkt, e->len, MSG_DONTWAIT, (struct sockaddr *)&to, tl) < 0) {
		pthread_mutex_unlock(&m->mu);
		atomic_fetch_add_explicit(&s->errors, 1, memory_order_relaxed);
		return;
	}
	if (e->len >= 4) {
		m->last_seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
		m->have_seq = 1;
	}
	pthread_mutex_unlock(&m->mu);
	int64_t t = now_ns();
	atomic_fetch_add_explicit(&s->sent, 1, memory_order_relaxed);
	int64_t late = t - b->due;
	observe(s->late, late);
	int64_t mx = atomic_load_explicit(&s->late_max, memory_order_relaxed);
	while (late > mx && !atomic_compare_exchange_weak(&s->late_max, &mx, late)) {
	}
	if (m->last_due >= 0 && b->due - m->last_due == s->interval) {
		int64_t g = t - m->last_sent - s->interval;
		observe(s->gap, g < 0 ? -g : g);
	}
	m->last_due = b->due;
	m->last_sent = t;
}

static void *run(void *arg) {
	vs_sender *s = arg;
	if (s->priority > 0) {
		struct sched_param sp = {.sched_priority = s->priority};
		// Threads this one starts (none) would begin as ordinary ones.
		int e = pthread_setschedparam(pthread_self(), SCHED_RR | SCHED_RESET_ON_FORK, &sp);
		pthread_mutex_lock(&s->mu);
		s->prio_err = e;
		pthread_mutex_unlock(&s->mu);
	}
	pthread_mutex_lock(&s->mu);
	s->started = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	for (;;) {
		uint64_t h = atomic_load(&s->head);
		if (h == atomic_load(&s->tail)) {
			pthread_mutex_lock(&s->mu);
			atomic_store(&s->sleeping, 1);
			while (h == atomic_load(&s->tail) && !atomic_load(&s->stop)) {
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_nsec += 50000000;
				if (ts.tv_nsec >= 1000000000) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000;
				}
				pthread_cond_timedwait(&s->cv, &s->mu, &ts);
			}
			atomic_store(&s->sleeping, 0);
			pthread_mutex_unlock(&s->mu);
		}
		if (atomic_load(&s->stop)) return NULL;
		if (h == atomic_load(&s->tail)) continue;
		vs_batch *b = &s->ring[h % VS_RING];
		if (b->due > 0) sleep_until(b->due);
		for (int i = 0; i < b->n; i++) send_entry(s, b, &b->entries[i]);
		atomic_store(&s->head, h + 1);
	}
}

vs_sender *vs_sender_new(int64_t interval_ns, int priority, int *prio_err, int *err) {
	vs_sender *s = calloc(1, sizeof *s);
	if (!s) {
		*err = ENOMEM;
		return NULL;
	}
	s->interval = interval_ns;
	s->priority = priority;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	int e = pthread_create(&s->thread, NULL, run, s);
	if (e != 0) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		free(s);
		*err = e;
		return NULL;
	}
	pthread_mutex_lock(&s->mu);
	while (!s->started) pthread_cond_wait(&s->cv, &s->mu);
	*prio_err = s->prio_err;
	pthread_mutex_unlock(&s->mu);
	*err = 0;
	return s;
}

// vs_push queues a batch due at due_ns (CLOCK_MONOTONIC; 0: at once). One
// thread at a time may push. It returns 0, or ENOBUFS when the ring is full
// (the thread is that far behind) and the batch was not taken.
int vs_push(vs_sender *s, int64_t due_ns, const vs_entry *entries, int n, const uint8_t *data, uint32_t len) {
	uint64_t t = atomic_load(&s->tail);
	if (t - atomic_load(&s->head) >= VS_RING) return ENOBUFS;
	vs_batch *b = &s->ring[t % VS_RING];
	if (b->ecap < n) {
		vs_entry *ne = realloc(b->entries, n * sizeof *ne);
		if (!ne) return ENOMEM;
		b->entries = ne;
		b->ecap = n;
	}
	if (b->dcap < len) {
		uint8_t *nd = realloc(b->data, len);
		if (!nd) return ENOMEM;
		b->data = nd;
		b->dcap = len;
	}
	memcpy(b->entries, entries, n * sizeof *entries);
	if (len > 0) memcpy(b->data, data, len);
	b->n = n;
	b->due = due_ns;
	atomic_store(&s->tail, t + 1);
	if (atomic_load(&s->sleeping)) {
		pthread_mutex_lock(&s->mu);
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	return 0;
}

// vs_sender_stop ends the thread; batches not yet sent are dropped, and the
// members they retire freed.
void vs_sender_stop(vs_sender *s) {
	pthread_mutex_lock(&s->mu);
	atomic_store(&s->stop, 1);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	for (uint64_t h = atomic_load(&s->head); h != atomic_load(&s->tail); h++) {
		vs_batch *b = &s->ring[h % VS_RING];
		for (int i = 0; i < b->n; i++)
			if (b->entries[i].retire) vs_member_free(b->entries[i].member);
	}
	for (int i = 0; i < VS_RING; i++) {
		free(s->ring[i].entries);
		free(s->ring[i].data);
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

void vs_sender_stats(vs_sender *s, vs_stats *out) {
	for (int i = 0; i < VS_BUCKETS; i++) {
		out->late[i] = atomic_load_explicit(&s->late[i], memory_order_relaxed);
		out->gap[i] = atomic_load_explicit(&s->gap[i], memory_order_relaxed);
	}
	out->late_max = atomic_load(&s->late_max);
	out->sent = atomic_load(&s->sent);
	out->errors = atomic_load(&s->errors);
	out->recalled = atomic_load(&s->recalled);
}

void vs_sender_reset(vs_sender *s) {
	for (int i = 0; i < VS_BUCKETS; i++) {
		atomic_store_explicit(&s->late[i], 0, memory_order_relaxed);
		atomic_store_explicit(&s->gap[i], 0, memory_order_relaxed);
	}
	atomic_store(&s->late_max, 0);
}
