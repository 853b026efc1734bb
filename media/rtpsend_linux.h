// The media clock's sender threads: see sender_linux.go.
#include <stdint.h>

typedef struct vs_member vs_member;
typedef struct vs_sender vs_sender;

// One packet of a batch, or (retire != 0) the end of a member.
typedef struct {
	vs_member *member;
	uint32_t off, len;  // the packet's bytes in the batch's data
	uint8_t addr[16];   // destination: IPv6, or IPv4 in the last 4 bytes (v4 != 0)
	uint16_t port;
	uint8_t v4;
	uint8_t retire;
	uint32_t gen;       // the member's generation when made: sent only if still current
} vs_entry;

#define VS_BUCKETS 2001
#define VS_BUCKET_NS 50000

typedef struct {
	uint64_t late[VS_BUCKETS]; // per packet: sent - due, in VS_BUCKET_NS buckets
	uint64_t gap[VS_BUCKETS];  // per member: |gap between consecutive packets - interval|
	int64_t late_max;
	uint64_t sent, errors, recalled;
} vs_stats;

vs_member *vs_member_new(int fd, int *err);
void vs_member_free(vs_member *m);
uint32_t vs_member_recall(vs_member *m, int *have_seq, uint16_t *last_seq);
vs_sender *vs_sender_new(int64_t interval_ns, int priority, int *prio_err, int *err);
int vs_push(vs_sender *s, int64_t due_ns, const vs_entry *entries, int n, const uint8_t *data, uint32_t len);
void vs_sender_stop(vs_sender *s);
void vs_sender_stats(vs_sender *s, vs_stats *out);
void vs_sender_reset(vs_sender *s);
