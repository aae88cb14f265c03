/* held: how many members wait in a group's trie, kept in its lock file. */
#ifndef MQ_HELD_H
#define MQ_HELD_H

struct mq_grp;

/* Before the lock's holder first changes g's trie: the count read (or
 * counted from the trie when the line does not say it) and the line
 * marked dirty. */
void mq_held_begin(struct mq_grp *g);
/* After a change of g's trie by delta members, begun. */
void mq_held_add(struct mq_grp *g, long delta);
/* Before g's lock goes: the count written, if begun. */
void mq_held_end(struct mq_grp *g);
/* The members waiting in the trie of the group whose directory is dirfd,
 * without its lock: the line's count, or the trie counted when the line
 * does not say it. -1 with errno set when it cannot be counted. */
long mq_held_read(int dirfd);
/* The members in the trie of group directory dirfd, counted: -1 with
 * errno set on an error. */
long mq_held_count(int dirfd);

#endif
